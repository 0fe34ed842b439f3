"""Index math, strides and broadcasting rules of tensor data."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from visualgrad import engine as vg
from visualgrad.engine.tensor_data import (
    TensorData,
    broadcast_index,
    contiguous_strides,
    index_to_position,
    positions,
    shape_broadcast,
    to_index,
)

shapes = st.lists(st.integers(1, 4), min_size=0, max_size=4).map(tuple)


def test_contiguous_strides_are_row_major():
    assert contiguous_strides((2, 3, 4)) == (12, 4, 1)
    assert contiguous_strides(()) == ()


@given(shape=shapes)
def test_to_index_and_index_to_position_walk_storage_in_order(shape):
    strides = contiguous_strides(shape)
    size = int(np.prod(shape))
    assert [index_to_position(to_index(i, shape), strides) for i in range(size)] == list(
        range(size)
    )


@given(shape=shapes, data=st.data())
def test_positions_agrees_with_the_scalar_index_math(shape, data):
    strides = tuple(data.draw(st.integers(0, 20)) for _ in shape)
    pos = positions(shape, strides)
    for i in range(int(np.prod(shape))):
        index = to_index(i, shape)
        assert pos[index] == index_to_position(index, strides)


def test_broadcast_index_reads_zero_in_size_one_dims():
    assert broadcast_index((2, 3, 1), (4, 5, 2), (5, 1)) == (3, 0)
    assert broadcast_index((1, 2), (3, 4), ()) == ()


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((2, 3), (3,), (2, 3)),
        ((4, 1), (1, 5), (4, 5)),
        ((), (2,), (2,)),
        ((3, 1, 2), (4, 1), (3, 4, 2)),
    ],
)
def test_shape_broadcast_follows_numpy(a, b, expected):
    assert shape_broadcast(a, b) == expected == np.broadcast_shapes(a, b)


def test_shape_broadcast_names_the_shapes_it_refuses():
    with pytest.raises(ValueError, match=r"add: shapes \(2, 3\) and \(4,\) do not broadcast"):
        shape_broadcast((2, 3), (4,), "add")


def test_permute_changes_strides_only():
    data = TensorData.contiguous_over(np.arange(6.0), (2, 3))
    flipped = data.permute((1, 0))
    assert flipped.shape == (3, 2) and flipped.strides == (1, 3)
    assert flipped.storage is data.storage
    assert not flipped.is_contiguous()


def test_view_of_strided_data_may_add_size_one_dims():
    data = TensorData.contiguous_over(np.arange(6.0), (2, 3)).permute((1, 0))
    assert data.view((3, 1, 2)).strides == (1, 0, 3)


def test_tensors_are_float64_and_refuse_other_data(backend):
    assert vg.tensor([1, 2], backend=backend).to_numpy().dtype == np.float64
    with pytest.raises(TypeError, match="real numbers"):
        vg.tensor(["a", "b"], backend=backend)
    with pytest.raises(TypeError, match="complex"):
        vg.tensor([1j], backend=backend)
    with pytest.raises(ValueError, match="rectangular"):
        vg.tensor([[1.0], [1.0, 2.0]], backend=backend)


def test_creation_functions_and_seeded_random(backend):
    assert vg.zeros(2, 3, backend=backend).shape == (2, 3)
    assert vg.ones((4,), backend=backend).to_numpy().sum() == 4.0
    assert vg.full((2,), 7.0, backend=backend).to_numpy().tolist() == [7.0, 7.0]
    vg.manual_seed(5)
    first = vg.randn(3, backend=backend).to_numpy()
    vg.manual_seed(5)
    np.testing.assert_array_equal(vg.randn(3, backend=backend).to_numpy(), first)
    assert vg.rand(100, backend=backend).to_numpy().min() >= 0.0


def test_item_and_properties(backend):
    t = vg.tensor([[1.0, 2.0, 3.0]], backend=backend)
    assert (t.shape, t.size, t.dims, len(t)) == ((1, 3), 3, 2, 1)
    assert t.backend.name == backend
    assert t.sum().item() == 6.0
    with pytest.raises(ValueError, match="one element"):
        t.item()


def test_bad_input_messages_name_the_shapes(backend):
    a, b = vg.zeros(3, 4, backend=backend), vg.zeros(5, 6, backend=backend)
    with pytest.raises(
        ValueError, match=r"matmul: cannot multiply \(3, 4\) by \(5, 6\): inner sizes 4 and 5"
    ):
        a @ b
    with pytest.raises(ValueError, match=r"shapes \(3, 4\) and \(5, 6\) do not broadcast"):
        a + b
    with pytest.raises(ValueError, match=r"view: cannot view shape \(3, 4\)"):
        a.view(5)
    with pytest.raises(ValueError, match=r"dimension 2 is out of range for shape \(3, 4\)"):
        a.sum(2)
    with pytest.raises(TypeError, match="exponent must be a number"):
        a ** "2"


def test_to_moves_between_backends_with_gradient():
    x = vg.tensor([1.0, 2.0], requires_grad=True, backend="simple")
    for name in vg.backends.available():
        y = x.to(name)
        assert y.backend.name == name
        (y * 3).sum().backward()
    np.testing.assert_allclose(x.grad.to_numpy(), [3.0 * len(vg.backends.available())] * 2)


def test_unknown_backend_is_named():
    with pytest.raises(ValueError, match="unknown backend 'gpu'"):
        vg.tensor([1.0], backend="gpu")

"""cat, stack, gather, indexing and pad: values and gradients against torch and against
central differences, on every backend."""

from __future__ import annotations

import numpy as np
import pytest

from visualgrad import engine as vg
from visualgrad.engine.index_tensors import Indices, Mask
from visualgrad.engine.nn import functional as F

from .checks import check_gradients
from .torch_reference import assert_matches_torch

torch = pytest.importorskip("torch")


def _x(seed: int = 0, shape=(3, 4)) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 2, size=shape)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cat_joins_along_a_dim_and_splits_the_gradient(backend, dim):
    shapes = {0: [(2, 3), (1, 3), (3, 3)], 1: [(2, 1), (2, 3), (2, 2)], -1: [(2, 2), (2, 1)]}
    arrays = [_x(k, s) for k, s in enumerate(shapes[dim])]
    assert_matches_torch(
        lambda *ts: vg.cat(ts, dim), lambda *ts: torch.cat(ts, dim), arrays, backend
    )
    check_gradients(lambda *ts: vg.cat(ts, dim), arrays, backend)


def test_cat_of_permuted_tensors_reads_their_values(backend):
    a = _x(1, (3, 2))
    check_gradients(lambda t, u: vg.cat([t, u], 0), [a, _x(2, (3, 2))], backend, [(1, 0), None])


def test_cat_refuses_mismatched_shapes_and_empty_lists(backend):
    a, b = vg.zeros(2, 3, backend=backend), vg.zeros(2, 4, backend=backend)
    with pytest.raises(ValueError, match=r"cat: shapes \(2, 3\) and \(2, 4\) differ"):
        vg.cat([a, b], 0)
    with pytest.raises(ValueError, match="cat: expected a non-empty list"):
        vg.cat([], 0)
    with pytest.raises(ValueError, match="cat: dimension 2 is out of range"):
        vg.cat([a, a], 2)


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_stack_adds_a_dim(backend, dim):
    arrays = [_x(k, (2, 3)) for k in range(3)]
    assert_matches_torch(
        lambda *ts: vg.stack(ts, dim), lambda *ts: torch.stack(ts, dim), arrays, backend
    )
    with pytest.raises(ValueError, match="stack: every tensor must have one shape"):
        vg.stack([vg.zeros(2), vg.zeros(3)])


@pytest.mark.parametrize("dim", [0, 1])
def test_gather_matches_torch_and_adds_up_gradients_read_twice(backend, dim):
    index = np.array([[0, 2, 2], [1, 0, 2]]) if dim == 1 else np.array([[0, 1, 0], [2, 2, 1]])
    x = _x(3, (3, 3))
    assert_matches_torch(
        lambda t: t.gather(dim, vg.tensor(index)),
        lambda t: torch.gather(t, dim, torch.tensor(index)),
        [x],
        backend,
    )
    check_gradients(lambda t: vg.gather(t, dim, index), [x], backend)


def test_gather_refuses_bad_indices(backend):
    x = vg.zeros(2, 3, backend=backend)
    with pytest.raises(ValueError, match="gather: index 3 is out of range for dimension 1"):
        x.gather(1, [[3]])
    with pytest.raises(ValueError, match="gather: index has 1 dimensions"):
        x.gather(1, [0])
    with pytest.raises(TypeError, match="gather: expected integer indices"):
        x.gather(1, [[0.5]])


KEYS = {
    "int": lambda i: 1,
    "negative int": lambda i: -1,
    "slice": lambda i: (slice(None), slice(1, 3)),
    "step": lambda i: (slice(None, None, 2), slice(None, None, 3)),
    "int and slice": lambda i: (0, slice(1, None)),
    "ellipsis and none": lambda i: (Ellipsis, None, 2),
    "index tensor": lambda i: i([2, 0, 2]),
    "index tensor on a dim": lambda i: (slice(None), i([3, 3, 0])),
    "two index tensors": lambda i: (i([0, 2]), i([1, 3])),
}


@pytest.mark.parametrize("name", sorted(KEYS))
def test_getitem_matches_torch(backend, name):
    key = KEYS[name]
    assert_matches_torch(
        lambda t: t[key(lambda v: vg.tensor(v, backend=backend))],
        lambda t: t[key(torch.tensor)],
        [_x(4, (3, 4))],
        backend,
    )


def test_getitem_gradients_by_central_differences(backend):
    check_gradients(lambda t: t[1:, vg.tensor([0, 0, 2])], [_x(5, (3, 4))], backend)
    check_gradients(lambda t: t[:, ::2].T, [_x(6, (2, 4))], backend, [(1, 0)])


def test_getitem_refuses_what_torch_refuses(backend):
    x = vg.zeros(2, 3, backend=backend)
    with pytest.raises(IndexError, match=r"getitem: index 5 is out of bounds .* shape \(2, 3\)"):
        x[5]
    with pytest.raises(ValueError, match="getitem: slice step must be positive"):
        x[::-1]
    with pytest.raises(IndexError, match="getitem: tensors used as indices .* float64 tensor$"):
        x[vg.tensor([0.5])]
    with pytest.raises(IndexError, match="getitem: tensors used as indices .* float32 tensor$"):
        x[vg.tensor([0, 1], dtype="float32")]
    with pytest.raises(TypeError, match="getitem: cannot index with str"):
        x["a"]


@pytest.mark.parametrize(
    ("pad", "value"),
    [((1, 2), 0.0), ((0, 1, 2, 0), -3.5), ((1, 1, 1, 1), float("-inf")), ((-1, 2, 1, -1), 2.0)],
)
def test_pad_matches_torchs_constant_pad(backend, pad, value):
    assert_matches_torch(
        lambda t: F.pad(t, pad, value=value),
        lambda t: torch.nn.functional.pad(t, pad, value=value),
        [_x(7, (2, 3))],
        backend,
    )
    if np.isfinite(value):  # an infinite pad makes every difference NaN
        check_gradients(lambda t: F.pad(t, pad, value=value), [_x(8, (2, 3))], backend)


def test_pad_refuses_odd_or_too_many_sizes(backend):
    x = vg.zeros(2, 3, backend=backend)
    with pytest.raises(ValueError, match="pad: expected pairs of sizes"):
        F.pad(x, (1,))
    with pytest.raises(ValueError, match="pad: expected pairs of sizes"):
        F.pad(x, (1, 1, 1, 1, 1, 1))
    with pytest.raises(ValueError, match="pad: only mode 'constant'"):
        F.pad(x, (1, 1), mode="reflect")


def test_a_comparison_indexes_as_a_boolean_mask_as_in_torch(backend):
    assert_matches_torch(lambda t: t[t > 0], lambda t: t[t > 0], [_x(9, (3, 4))], backend)
    assert_matches_torch(
        lambda t: t[:, (t[0] <= 0.5)], lambda t: t[:, t[0] <= 0.5], [_x(10, (3, 4))], backend
    )
    rows = np.array([True, False, True])
    assert_matches_torch(lambda t: t[rows], lambda t: t[torch.tensor(rows)], [_x(11)], backend)
    x = vg.tensor(_x(12), backend=backend)
    as_numbers = (x > 0) * 1.0  # arithmetic on a mask gives plain floats, which torch refuses
    assert type(as_numbers) is vg.Tensor
    with pytest.raises(IndexError, match="tensors used as indices must be integers"):
        x[as_numbers]
    with pytest.raises(IndexError, match="tensors used as indices must be integers"):
        x[x]


def test_a_tensor_iterates_over_its_rows_and_a_zero_dim_one_refuses(backend):
    x = vg.tensor(_x(13, (3, 2)), backend=backend)
    rows = list(x)
    assert len(rows) == 3 and all(r.shape == (2,) for r in rows)
    np.testing.assert_array_equal(rows[2].to_numpy(), x.to_numpy()[2])
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        list(vg.tensor(1.0, backend=backend))


MASK_KEYS = {
    "viewed": lambda t: (t > 0).view(12),
    "reshaped": lambda t: (t > 0).reshape(-1),
    "transposed": lambda t: (t.T > 0).T,
    "permuted": lambda t: (t.permute(1, 0) < 0.3).permute(1, 0),
    "detached": lambda t: (t > 0).detach(),
    "a row of a mask": lambda t: (slice(None), (t > 0)[1]),
    "and": lambda t: (t > -0.5) & (t < 0.5),
    "or": lambda t: (t < -0.5) | (t > 0.5),
    "xor": lambda t: (t > 0) ^ (t > 0.5),
    "not": lambda t: ~(t > 0),
}


@pytest.mark.parametrize("name", sorted(MASK_KEYS))
def test_a_mask_stays_a_mask_through_shape_and_logical_ops(backend, name):
    key = MASK_KEYS[name]
    flat = name in ("viewed", "reshaped")
    assert_matches_torch(
        lambda t: (t.view(12) if flat else t)[key(t)],
        lambda t: (t.view(12) if flat else t)[key(t)],
        [_x(14, (3, 4))],
        backend,
    )


def test_tensor_of_a_mask_bools_or_ints_keeps_how_it_indexes(backend):
    values = _x(15, (3, 4))
    x, t = vg.tensor(values, backend=backend), torch.tensor(values)
    picked = {
        "mask": (x[vg.tensor(x > 0)], t[t > 0]),
        "bools": (x[vg.tensor(values[:, 0] > 0)], t[torch.tensor(values[:, 0] > 0)]),
        "bool list": (x[[True, False, True]], t[[True, False, True]]),
        "ints": (x[vg.tensor([2, 0])], t[torch.tensor([2, 0])]),
        "argmax": (x[:, x.argmax(1)], t[:, t.argmax(1)]),
        "max indices": (x[x.max(0).indices], t[t.max(0).indices]),
        "gather argmax": (
            x.gather(1, x.argmax(1).unsqueeze(1)),
            t.gather(1, t.argmax(1).unsqueeze(1)),
        ),
    }
    for name, (ours, theirs) in picked.items():
        np.testing.assert_array_equal(ours.to_numpy(), theirs.numpy(), err_msg=name)
    assert type(vg.tensor(x > 0)) is Mask and type(vg.tensor([1, 2])) is Indices
    assert type(vg.tensor([1, 2], dtype="float64")) is vg.Tensor
    assert type(x.argmax(1)) is type(x.max(0).indices) is Indices


def test_a_mask_refuses_float_operands_and_gather_refuses_floats_and_masks(backend):
    x = vg.tensor(_x(16, (2, 3)), backend=backend)
    with pytest.raises(TypeError, match="&: a mask combines only with masks or booleans"):
        (x > 0) & x
    with pytest.raises(IndexError, match="gather: tensors used as indices .* float64 tensor$"):
        x.gather(1, vg.tensor([[0.0]]))
    with pytest.raises(IndexError, match="gather: boolean masks are not supported"):
        x.gather(1, x > 0)


def test_an_integer_for_every_dim_gives_a_zero_dim_tensor_as_in_torch(backend):
    values = _x(17, (3, 4))
    x, t = vg.tensor(values, backend=backend), torch.tensor(values)
    for key in [(1, 2), (-1, -2), (np.int64(1), 2)]:
        assert x[key].shape == tuple(t[key].shape) == ()
        assert x[key].item() == t[key].item()
    assert (x[0, 0] * vg.tensor(3.0, backend=backend)).shape == ()
    assert [r.shape for r in x[0]] == [tuple(r.shape) for r in t[0]] == [()] * 4
    assert x[1][2].shape == () and x[0][x[0].argmax()].shape == ()
    assert_matches_torch(
        lambda a: a[1, 2] * a[0, -1], lambda a: a[1, 2] * a[0, -1], [values], backend
    )

"""where, gelu, a tensor exponent, and max/min along a dim with their indices: values and
gradients against torch and against central differences, on every backend."""

from __future__ import annotations

import math

import numpy as np
import pytest

from visualgrad import engine as vg
from visualgrad.engine.nn import functional as F

from .checks import check_gradients
from .torch_reference import assert_matches_torch

torch = pytest.importorskip("torch")


def _x(seed: int = 0, shape=(3, 4), scale: float = 2.0) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, scale, size=shape)


def test_where_broadcasts_and_masks_each_sides_gradient(backend):
    cond = _x(1, (3, 1)) > 0
    assert_matches_torch(
        lambda a, b: vg.where(vg.tensor(cond * 1.0, backend=backend), a, b),
        lambda a, b: torch.where(torch.tensor(cond), a, b),
        [_x(2, (3, 4)), _x(3, (4,))],
        backend,
    )
    check_gradients(lambda a, b: vg.where(cond, a, b), [_x(2, (3, 4)), _x(3, (4,))], backend)


def test_where_picks_without_arithmetic_so_inf_and_nan_on_the_other_side_stay_out(backend):
    a = vg.tensor([1.0, -1.0, 4.0], requires_grad=True, backend=backend)
    picked = vg.where(a > 0, a.log(), a * 0.0 + math.inf)  # log(-1) is NaN, not picked
    np.testing.assert_array_equal(picked.to_numpy(), [0.0, math.inf, math.log(4.0)])
    vg.where(a > 0, a * 2.0, 0.0).sum().backward()
    np.testing.assert_array_equal(a.grad.to_numpy(), [2.0, 0.0, 2.0])


def test_where_takes_numbers_for_either_side(backend):
    a = vg.tensor([1.0, -2.0], backend=backend)
    np.testing.assert_array_equal(vg.where(a > 0, 5.0, a).to_numpy(), [5.0, -2.0])
    with pytest.raises(TypeError, match="where: input or other must be a Tensor"):
        vg.where([True], 1.0, 2.0)
    with pytest.raises(ValueError, match="where: shapes"):
        vg.where(np.ones(3), a, a)


def test_gelu_is_torchs_exact_gelu_with_its_gradient(backend):
    x = np.concatenate([_x(4, (12,), 3.0), [0.0, -1e-9, 1e-9, -8.0, 8.0, 30.0, -30.0]])
    assert_matches_torch(F.gelu, torch.nn.functional.gelu, [x], backend, rtol=2e-13, atol=1e-15)
    check_gradients(F.gelu, [_x(5, (2, 3), 2.0)], backend)


def test_gelu_keeps_nan_and_the_infinities_as_torch(backend):
    x = vg.tensor([math.nan, math.inf, -math.inf], backend=backend)
    want = torch.nn.functional.gelu(
        torch.tensor([math.nan, math.inf, -math.inf], dtype=torch.float64)
    )
    np.testing.assert_array_equal(F.gelu(x).to_numpy(), want.numpy())
    with pytest.raises(ValueError, match="gelu: only the exact form"):
        F.gelu(x, approximate="tanh")


def test_pow_with_a_tensor_exponent_matches_torch(backend):
    base, exponent = np.abs(_x(6)) + 0.1, _x(7, (4,), 1.0)
    assert_matches_torch(lambda a, b: a**b, lambda a, b: a**b, [base, exponent], backend)
    check_gradients(lambda a, b: a**b, [base, exponent], backend)
    assert_matches_torch(lambda b: 2.0**b, lambda b: 2.0**b, [exponent], backend)


def test_pow_gradients_at_a_zero_base_and_a_zero_exponent_are_torchs(backend):
    values = ([0.0, 0.0, 0.0, 2.0], [2.0, 0.0, -1.0, 0.0])
    assert_matches_torch(lambda a, b: a**b, lambda a, b: a**b, [np.array(v) for v in values],
                         backend)  # fmt: skip


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("name", ["max", "min"])
def test_max_and_min_along_a_dim_return_torchs_values_and_indices(backend, name, dim, keepdim):
    x = np.round(_x(8, (3, 4, 2)))  # rounded: ties, where torch picks the first
    ours = getattr(vg.tensor(x, backend=backend), name)(dim, keepdim)
    theirs = getattr(torch.tensor(x), name)(dim, keepdim)
    values, indices = ours
    np.testing.assert_array_equal(values.to_numpy(), theirs.values.numpy())
    np.testing.assert_array_equal(indices.to_numpy(), theirs.indices.numpy())
    assert ours.values is values and ours.indices is indices
    assert_matches_torch(
        lambda t: getattr(t, name)(dim, keepdim).values,
        lambda t: getattr(t, name)(dim, keepdim).values,
        [x],
        backend,
    )


def test_max_along_a_dim_has_a_central_difference_gradient(backend):
    check_gradients(lambda t: t.max(1).values, [_x(9)], backend)
    check_gradients(lambda t: t.min(0, keepdim=True).values, [_x(10)], backend)


def test_max_picks_nan_as_torch_and_refuses_empty_dims(backend):
    x = vg.tensor([[1.0, math.nan, 3.0], [4.0, 0.0, 4.0]], backend=backend)
    values, indices = x.max(1)
    assert math.isnan(values.to_numpy()[0]) and indices.to_numpy().tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match="max: dimension 2 is out of range"):
        x.max(2)
    with pytest.raises(ValueError, match="min: dimension 0 of shape"):
        vg.zeros(0, 2, backend=backend).min(0)


def test_max_of_a_zero_dim_tensor_is_itself_at_index_zero(backend):
    values, indices = vg.tensor(3.0, backend=backend).max(0)
    assert values.shape == indices.shape == () and values.item() == 3.0 and indices.item() == 0


@pytest.mark.parametrize("name", ["min", "amax", "amin"])
def test_whole_min_and_amax_amin_share_the_gradient_among_ties_as_torch(backend, name):
    x = np.array([[1.0, 3.0, 3.0], [-2.0, -2.0, 1.0]])
    assert_matches_torch(lambda t: getattr(t, name)(), lambda t: getattr(t, name)(), [x], backend)
    if name != "min":
        assert_matches_torch(
            lambda t: getattr(t, name)(1), lambda t: getattr(t, name)(1), [x], backend
        )


def test_argmin_matches_numpy(backend):
    x = _x(11)
    np.testing.assert_array_equal(vg.tensor(x, backend=backend).argmin(1).to_numpy(), x.argmin(1))


def test_max_along_a_dim_reads_permuted_tensors(backend):
    check_gradients(lambda t: t.max(0).values, [_x(12)], backend, [(1, 0)])


def test_the_new_ops_keep_float32(backend):
    x = vg.tensor(_x(13), backend=backend, dtype="float32")
    outs = [
        vg.where(x > 0, x, x * 2.0),
        F.gelu(x),
        x ** (x * 0.0 + 2.0),
        x.max(1).values,
        x.min(0).values,
        vg.cat([x, x], 1),
        x[:, 1:3],
        x.gather(1, [[0], [1], [2]]),
        F.pad(x, (1, 1)),
    ]
    assert all(out.dtype == np.float32 for out in outs), [out.dtype for out in outs]

"""LayerNorm and BatchNorm1d against torch: outputs, gradients, running statistics in train
and eval, and the state dict; on every backend."""

from __future__ import annotations

import numpy as np
import pytest

from visualgrad import engine as vg
from visualgrad.engine import nn
from visualgrad.engine.nn import functional as F

from .checks import check_gradients

torch = pytest.importorskip("torch")


def _x(seed: int, shape) -> np.ndarray:
    return np.random.default_rng(seed).normal(1.0, 2.0, size=shape)


def _same_parameters(ours: nn.Module, theirs, backend: str) -> None:
    """Give our module random weights, and torch's module the same ones."""
    rng = np.random.default_rng(5)
    for name, p in ours.named_parameters():
        values = rng.normal(size=p.shape)
        p.data = vg.tensor(values, backend=backend)
        getattr(theirs, name).data = torch.tensor(values)


def _compare(ours: nn.Module, theirs, x: np.ndarray, backend: str) -> None:
    """One forward and backward of a weighted sum: outputs, input and parameter gradients."""
    mine = vg.tensor(x, requires_grad=True, backend=backend)
    reference = torch.tensor(x, requires_grad=True)
    out, expected = ours(mine), theirs(reference)
    np.testing.assert_allclose(out.to_numpy(), expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    weights = np.random.default_rng(9).uniform(0.5, 1.5, size=out.shape)
    (out * vg.tensor(weights, backend=backend)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(mine.grad.to_numpy(), reference.grad.numpy(), rtol=1e-9, atol=1e-12)
    for name, p in ours.named_parameters():
        want = getattr(theirs, name).grad.numpy()
        np.testing.assert_allclose(p.grad.to_numpy(), want, rtol=1e-9, atol=1e-12, err_msg=name)


@pytest.mark.parametrize(("shape", "normalized"), [((3, 4), (4,)), ((2, 3, 4), (3, 4))])
def test_layer_norm_matches_torch(backend, shape, normalized):
    ours = nn.LayerNorm(normalized, eps=1e-3).to(backend)
    theirs = torch.nn.LayerNorm(normalized, eps=1e-3, dtype=torch.float64)
    _same_parameters(ours, theirs, backend)
    _compare(ours, theirs, _x(1, shape), backend)


def test_layer_norm_without_affine_has_no_parameters_and_central_differences(backend):
    ours = nn.LayerNorm(4, elementwise_affine=False)
    assert list(ours.parameters()) == []
    _compare(ours, torch.nn.LayerNorm(4, elementwise_affine=False), _x(2, (2, 4)), backend)
    check_gradients(lambda t: F.layer_norm(t, (3,)), [_x(3, (2, 3))], backend)


def test_layer_norm_refuses_a_shape_the_input_does_not_end_with():
    with pytest.raises(ValueError, match=r"layer_norm: input \(2, 3\) does not end with"):
        nn.LayerNorm(4)(vg.zeros(2, 3))


@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 2)])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_batch_norm_trains_and_evaluates_as_torch(backend, shape, momentum):
    ours = nn.BatchNorm1d(3, momentum=momentum).to(backend)
    theirs = torch.nn.BatchNorm1d(3, momentum=momentum, dtype=torch.float64)
    _same_parameters(ours, theirs, backend)
    for step in range(3):  # training: batch statistics, running ones updated
        _compare(ours, theirs, _x(10 + step, shape), backend)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(
            ours.state_dict()[key].to_numpy(), value.numpy(), rtol=1e-12, err_msg=key
        )
    ours.eval(), theirs.eval()
    _compare(ours, theirs, _x(20, shape), backend)


def test_batch_norm_state_dict_round_trips_into_torch(backend):
    ours = nn.BatchNorm1d(2).to(backend)
    ours(vg.tensor(_x(4, (6, 2)), backend=backend))
    state = ours.state_dict()
    assert list(state) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    theirs = torch.nn.BatchNorm1d(2, dtype=torch.float64)
    theirs.load_state_dict({k: torch.tensor(v.to_numpy()) for k, v in state.items()})
    assert theirs.num_batches_tracked.item() == 1
    fresh = nn.BatchNorm1d(2)
    fresh.load_state_dict(state)
    np.testing.assert_array_equal(fresh.running_var.to_numpy(), state["running_var"].to_numpy())


def test_batch_norm_gradient_by_central_differences(backend):
    check_gradients(
        lambda t: F.batch_norm(t, None, None, training=True), [_x(6, (4, 2, 2))], backend
    )


def test_batch_norm_refuses_bad_inputs():
    with pytest.raises(ValueError, match="BatchNorm1d: expected 3 channels"):
        nn.BatchNorm1d(3)(vg.zeros(4, 2))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(2)(vg.zeros(1, 2))
    with pytest.raises(ValueError, match=r"expected input \(N, C\) or \(N, C, L\)"):
        nn.BatchNorm1d(2)(vg.zeros(2))


def test_a_model_with_batch_norm_moves_its_buffers(backend):
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3)).to(backend)
    assert [k for k in model.state_dict()][-3:] == [
        "1.running_mean",
        "1.running_var",
        "1.num_batches_tracked",
    ]
    assert all(b.backend.name == backend for _, b in model.named_buffers())

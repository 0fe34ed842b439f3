"""Aliasing, in-place updates and threads: the ways numbers went wrong silently before."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from visualgrad import engine as vg
from visualgrad.engine import backends, nn


def test_gradients_own_their_storage(backend):
    a = vg.tensor(3.0, requires_grad=True, backend=backend)
    b = vg.tensor(4.0, requires_grad=True, backend=backend)
    (a + b).backward()
    assert a.grad._data.storage is not b.grad._data.storage
    with vg.no_grad():
        a.grad.add_(1.0)
    assert b.grad.item() == 1.0
    assert (vg.tensor(5.0, backend=backend) * 1.0).item() == 5.0  # shared constants untouched


def test_add_in_place_of_an_overlapping_view(backend):
    a = vg.tensor(np.arange(9.0).reshape(3, 3), backend=backend)
    a.add_(a.T)
    expected = np.arange(9.0).reshape(3, 3)
    np.testing.assert_array_equal(a.to_numpy(), expected + expected.T)


def test_module_to_keeps_the_parameters_an_optimizer_holds(backend):
    net = nn.Linear(2, 1)
    optimizer = vg.optim.SGD(net.parameters(), lr=0.1)
    net.to(backend)
    before = net.weight.to_numpy()
    net(vg.ones(1, 2, backend=backend)).sum().backward()
    optimizer.step()
    assert not np.array_equal(net.weight.to_numpy(), before)


def test_a_parameter_replaces_a_plain_attribute_of_the_same_name():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = None
            self.w = nn.Parameter(vg.ones(2))

    net = Net()
    assert isinstance(net.w, nn.Parameter)
    assert [name for name, _ in net.named_parameters()] == ["w"]


def test_out_of_range_dims_are_refused():
    t = vg.ones(2, 3)
    with pytest.raises(ValueError, match="out of range"):
        t.permute(0, 5)
    with pytest.raises(ValueError, match="out of range"):
        t.unsqueeze(5)


def test_mean_of_nothing_is_nan_and_argmax_defaults_to_the_flat_index():
    assert np.isnan(vg.zeros(0).mean().item())
    assert vg.tensor([[0.0, 5.0], [9.0, 1.0]]).argmax().item() == 2


def test_two_threads_asking_for_a_backend_get_the_same_one():
    got = []
    threads = [
        threading.Thread(target=lambda: got.append(backends.get("simple"))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(b is got[0] for b in got)


def test_fast_kernels_from_two_threads_at_once():
    x = vg.randn(400, 400, backend="fast")
    results, errors = [], []

    def work():
        try:
            for _ in range(20):
                results.append(((x * 2.0 + 1.0) @ x).sum().item())
        except Exception as error:  # noqa: BLE001 - any failure fails the test below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(np.round(results, 6))) == 1

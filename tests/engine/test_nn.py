"""Modules, parameters and state, and a tiny network that learns xor."""

from __future__ import annotations

import math

import numpy as np
import pytest

from visualgrad import engine as vg
from visualgrad.engine import datasets, nn
from visualgrad.engine.nn import functional as F


class TwoLayer(nn.Module):
    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.hidden = nn.Linear(2, hidden)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        return self.out(self.hidden(x).relu()).sigmoid()


def test_modules_register_parameters_by_dotted_name():
    model = TwoLayer(3)
    names = [name for name, _ in model.named_parameters()]
    assert names == ["hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    assert [p.shape for p in model.parameters()] == [(3, 2), (3,), (1, 3), (1,)]
    assert all(p.requires_grad for p in model.parameters())


def test_linear_uses_torch_default_initialisation_bounds():
    layer = nn.Linear(16, 200)
    bound = 1 / math.sqrt(16)
    weights = layer.weight.to_numpy()
    assert np.abs(weights).max() <= bound
    assert np.abs(weights).max() > 0.9 * bound
    assert np.abs(layer.bias.to_numpy()).max() <= bound
    assert nn.Linear(3, 2, bias=False).bias is None


def test_linear_names_the_shape_it_expected():
    with pytest.raises(ValueError, match=r"Linear: expects \(\*, 2\), got \(4, 3\)"):
        nn.Linear(2, 1)(vg.zeros(4, 3))


def test_train_and_eval_reach_every_submodule():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5), nn.Sequential(nn.ReLU()))
    model.eval()
    assert not any(m.training for m in model.modules())
    x = vg.ones(3, 2)
    np.testing.assert_array_equal(model(x).to_numpy(), model(x).to_numpy())
    model.train()
    assert all(m.training for m in model.modules())


def test_state_dict_round_trip_and_shape_check():
    a, b = TwoLayer(4), TwoLayer(4)
    b.load_state_dict(a.state_dict())
    x = vg.randn(5, 2)
    np.testing.assert_array_equal(a(x).to_numpy(), b(x).to_numpy())
    with pytest.raises(
        ValueError, match=r"'hidden.weight' has shape \(3, 2\) in the model but \(4, 2\)"
    ):
        TwoLayer(3).load_state_dict(a.state_dict())
    with pytest.raises(ValueError, match="missing keys"):
        a.load_state_dict({"hidden.weight": a.hidden.weight})


def test_sequential_layers_and_shapes():
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(4 * 4 * 4, 10),
        nn.LogSoftmax(dim=1),
    )
    out = model(vg.randn(2, 1, 8, 8))
    assert out.shape == (2, 10)
    np.testing.assert_allclose(np.exp(out.to_numpy()).sum(1), 1.0)
    assert len(model) == 6 and isinstance(model[0], nn.Conv2d)
    assert nn.Conv1d(2, 3, 3)(vg.randn(4, 2, 10)).shape == (4, 3, 8)
    assert nn.Embedding(10, 5)([[1, 2, 3]]).shape == (1, 3, 5)
    assert nn.AvgPool2d(2)(vg.randn(1, 1, 4, 4)).shape == (1, 1, 2, 2)


def test_loss_modules_match_functional():
    logits, target = vg.randn(4, 3), [0, 2, 1, 1]
    assert nn.CrossEntropyLoss()(logits, target).item() == F.cross_entropy(logits, target).item()
    assert nn.MSELoss(reduction="sum")(logits, logits * 2).item() == pytest.approx(
        (logits.to_numpy() ** 2).sum()
    )


def test_mlp_learns_xor_to_full_training_accuracy(not_simulated):
    backend = not_simulated
    data = datasets.xor(n=100, seed=0, val_fraction=0.0)
    vg.manual_seed(0)
    model = TwoLayer(16).to(backend)
    optimizer = vg.optim.Adam(model.parameters(), lr=0.05)
    x, y = vg.tensor(data.x, backend=backend), vg.tensor(data.y, backend=backend)
    for _ in range(400):
        optimizer.zero_grad()
        loss = F.binary_cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
    accuracy = ((model(x).to_numpy() > 0.5) == (data.y > 0.5)).mean()
    assert accuracy == 1.0
    assert loss.item() < 0.1


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

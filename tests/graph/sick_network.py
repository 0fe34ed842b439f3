"""A small network made sick on purpose, and its gradient health computed again in torch."""

from __future__ import annotations

import numpy as np
import torch

from visualgrad.graph.data import batches
from visualgrad.graph.graph import Graph

LR = 0.5


def sick_network() -> Graph:
    """x -> h1 -> ReLU -> h2 -> Tanh -> out -> Sigmoid -> BCE, with two ReLUs dead by their
    bias and h2's weights so large that most tanh inputs lie beyond +-4."""
    g = Graph()
    g.add_node("Input", "x")
    g.add_node("Target", "t")
    g.add_node("Linear", "h1", {"in_features": 2, "out_features": 6})
    g.add_node("ReLU", "relu")
    g.add_node("Linear", "h2", {"in_features": 6, "out_features": 4})
    g.add_node("Tanh", "tanh")
    g.add_node("Linear", "out", {"in_features": 4, "out_features": 1})
    g.add_node("Sigmoid", "prob")
    g.add_node("BCELoss", "bce")
    g.add_node("Loss", "loss")
    for edge in (
        "x.x h1.x",
        "h1.y relu.x",
        "relu.y h2.x",
        "h2.y tanh.x",
        "tanh.y out.x",
        "out.y prob.x",
        "prob.y bce.input",
        "t.y bce.target",
        "bce.loss loss.loss",
    ):
        (s, sp), (t, tp) = (end.split(".") for end in edge.split())
        g.connect(s, sp, t, tp)
    g.set_training(
        dataset="xor", dataset_size=80, optimizer="sgd", learning_rate=LR, batch_size=16, epochs=1
    )
    rng = np.random.default_rng(3)
    g.set_weights(
        "h1",
        {
            "weight": rng.uniform(-0.7, 0.7, (6, 2)),
            "bias": np.array([-10.0, -10.0, 0.1, 0.2, 0.3, 0.4]),
        },
    )
    g.set_weights("h2", {"weight": rng.uniform(-60, 60, (4, 6)), "bias": np.zeros(4)})
    g.set_weights("out", {"weight": rng.uniform(-1, 1, (1, 4)), "bias": np.zeros(1)})
    return g


def torch_health(graph: Graph) -> list[dict[str, dict[str, float]]]:
    """Each step of one epoch of plain SGD done again in torch, with the four figures."""
    w = {
        n: {k: torch.tensor(v, requires_grad=True) for k, v in graph.nodes[n].weights.items()}
        for n in ("h1", "h2", "out")
    }
    found = []
    for batch in batches(graph.training, 0, "simple"):
        x = torch.tensor(batch["x"].to_numpy())
        y = torch.tensor(batch["y"].to_numpy())
        z1 = x @ w["h1"]["weight"].T + w["h1"]["bias"]
        a1 = torch.relu(z1)
        z2 = a1 @ w["h2"]["weight"].T + w["h2"]["bias"]
        a2 = torch.tanh(z2)
        z3 = a2 @ w["out"]["weight"].T + w["out"]["bias"]
        p = torch.sigmoid(z3)
        torch.nn.functional.binary_cross_entropy(p, y).backward()
        figures = {"grad_norm": {}, "update_ratio": {}}
        for n, tensors in w.items():
            grads = torch.cat([t.grad.reshape(-1) for t in tensors.values()])
            before = torch.cat([t.detach().reshape(-1) for t in tensors.values()])
            figures["grad_norm"][n] = float(grads.norm())
            figures["update_ratio"][n] = float((LR * grads).norm() / before.norm())
            with torch.no_grad():
                for t in tensors.values():
                    t -= LR * t.grad
                    t.grad = None
        figures["dead"] = {"relu": float((a1 == 0).all(dim=0).double().mean())}
        figures["saturated"] = {
            "tanh": float((z2.abs() > 4).double().mean()),
            "prob": float((z3.abs() > 4).double().mean()),
        }
        found.append(figures)
    return found

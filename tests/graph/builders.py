"""Small graphs built by hand for the graph tests."""

from __future__ import annotations

from visualgrad.graph.graph import Graph


def chain_rule() -> Graph:
    """e = (a + b) * (b + 1) with a = 2, b = 1: the course's worked example."""
    g = Graph()
    g.add_node("Scalar", "a", {"value": 2.0})
    g.add_node("Scalar", "b", {"value": 1.0})
    g.add_node("Scalar", "one", {"value": 1.0})
    g.add_node("Add", "c")
    g.add_node("Add", "d")
    g.add_node("Multiply", "e")
    g.add_node("Loss", "loss")
    for edge in (
        "a.y c.a",
        "b.y c.b",
        "b.y d.a",
        "one.y d.b",
        "c.y e.a",
        "d.y e.b",
        "e.y loss.loss",
    ):
        source, target = (part.split(".") for part in edge.split())
        g.connect(source[0], source[1], target[0], target[1])
    return g


def mlp(dataset: str = "xor", hidden: int = 10) -> Graph:
    """Input -> Linear -> ReLU -> Linear -> Sigmoid -> BCELoss -> Loss."""
    g = Graph()
    g.add_node("Input", "x")
    g.add_node("Target", "t")
    g.add_node("Linear", "hidden", {"in_features": 2, "out_features": hidden})
    g.add_node("ReLU", "relu")
    g.add_node("Linear", "out", {"in_features": hidden, "out_features": 1})
    g.add_node("Sigmoid", "prob")
    g.add_node("BCELoss", "bce")
    g.add_node("Loss", "loss")
    for s, sp, t, tp in [
        ("x", "x", "hidden", "x"),
        ("hidden", "y", "relu", "x"),
        ("relu", "y", "out", "x"),
        ("out", "y", "prob", "x"),
        ("prob", "y", "bce", "input"),
        ("t", "y", "bce", "target"),
        ("bce", "loss", "loss", "loss"),
    ]:
        g.connect(s, sp, t, tp)
    g.set_training(
        dataset=dataset,
        dataset_size=200,
        optimizer="adam",
        learning_rate=0.05,
        batch_size=32,
        epochs=60,
    )
    return g

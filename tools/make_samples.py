"""Write visualgrad/samples/*.vgraph: the sample projects a user opens from the program.

Each sample is built with the document's own checked edits (``Graph.add_node``,
``Graph.connect``, ``Graph.set_training``) and saved with a one-paragraph
description. Nodes are placed by the program's auto-layout (``layered_positions``) for the
canvas of a 1440x900 window, wrapped so that fit-to-view shows them at a readable zoom
(each sample's hand-written columns only order them). Nothing is random: the same
script always writes the same bytes (learned weights are not saved, so a
sample's layers draw theirs from its training seed when it is opened)::

    python tools/make_samples.py [OUT_DIR]    # default: visualgrad/samples/ (samples/ links there)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from visualgrad.engine import datasets  # noqa: E402
from visualgrad.engine.random import seeded  # noqa: E402
from visualgrad.graph import fileformat  # noqa: E402
from visualgrad.graph.graph import Graph  # noqa: E402
from visualgrad.graph.layout import layered_positions  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sample_lessons import LESSONS  # noqa: E402

COLUMN, ROW = 220.0, 110.0  # px between layers, and between nodes of one layer
SAMPLES_DIR = Path(__file__).resolve().parents[1] / "visualgrad" / "samples"
CANVAS = (922.0, 683.0)  # the canvas of a 1440x900 window, in pixels


class Layout:
    """A graph being built, with each node placed at (column, row) of the layer grid."""

    def __init__(self) -> None:
        self.graph = Graph()

    def add(
        self, column: float, row: float, type_name: str, node_id: str, **params: object
    ) -> None:
        self.graph.add_node(type_name, node_id, params, (column * COLUMN, row * ROW))

    def wire(self, *edges: str) -> None:
        """Connect edges written ``"source.port target.port"``."""
        for edge in edges:
            source, target = (end.split(".") for end in edge.split())
            self.graph.connect(source[0], source[1], target[0], target[1])


def scalar_parameter(value: float) -> dict[str, object]:
    """The parameters of a learnable 0-d Parameter that starts at ``value``."""
    return {"shape": [], "init": "value", "scale": value}


# ---- worked examples of the chain rule ----------------------------------------------------
def chain_rule() -> tuple[Graph, str]:
    s = Layout()
    s.add(0, 0, "Parameter", "a", **scalar_parameter(2.0))
    s.add(0, 1, "Parameter", "b", **scalar_parameter(1.0))
    s.add(0, 2, "Scalar", "one", value=1.0)
    s.add(1, 0.5, "Add", "c")
    s.add(1, 1.5, "Add", "d")
    s.add(2, 1, "Multiply", "e")
    s.add(3, 1, "Loss", "loss")
    s.wire("a.y c.a", "b.y c.b", "b.y d.a", "one.y d.b", "c.y e.a", "d.y e.b", "e.y loss.loss")
    # No dataset is read: each batch is one gradient step on e.
    s.graph.set_training(
        dataset="simple",
        dataset_size=10,
        val_fraction=0.2,
        batch_size=8,
        optimizer="sgd",
        learning_rate=0.01,
        epochs=10,
    )
    return s.graph, (
        "The chain rule by hand: e = (a + b) * (b + 1) with a = 2 and b = 1, so "
        "c = a + b = 3, d = b + 1 = 2 and e = c * d = 6. Stepping backward gives de/dc = d = 2 "
        "and de/dd = c = 3, then de/da = 2 * 1 = 2; b feeds both c and d, so its gradient is "
        "the sum of two paths, de/db = 2 * 1 + 3 * 1 = 5. a and b are learnable Parameters: "
        "training takes a few small gradient steps that lower e."
    )


def inverse_square() -> tuple[Graph, str]:
    s = Layout()
    s.add(0, 0, "Parameter", "x", **scalar_parameter(2.0))
    s.add(0, 1, "Scalar", "one", value=1.0)
    s.add(1, 0, "Power", "x_squared", exponent=2.0)
    s.add(2, 0.5, "Divide", "y")
    s.add(3, 0.5, "Loss", "loss")
    s.wire("x.y x_squared.x", "one.y y.a", "x_squared.y y.b", "y.y loss.loss")
    s.graph.set_training(
        dataset="simple",
        dataset_size=10,
        val_fraction=0.2,
        batch_size=8,
        optimizer="sgd",
        learning_rate=1.0,
        epochs=20,
    )
    return s.graph, (
        "y = 1 / x^2 at x = 2, built from a square and a division so each local derivative "
        "is simple: dy/d(x^2) = -1 / (x^2)^2 = -1/16 and d(x^2)/dx = 2x = 4, whose product is "
        "dy/dx = -2 / x^3 = -0.25. Training moves x outward, where 1 / x^2 is smaller and the "
        "slope flatter, so each step changes it less."
    )


def quadratic_form() -> tuple[Graph, str]:
    s = Layout()
    a = [2.0, -1.0, 0.0, -1.0, 2.0, -1.0, 0.0, -1.0, 2.0]
    s.add(0, 0, "Constant", "A", values=a, shape=[3, 3])
    s.add(0, 1, "Parameter", "x", shape=[3], init="value", scale=1.0)
    s.add(1, 0.5, "MatMul", "Ax")
    s.add(2, 1, "MatMul", "xAx")
    s.add(3, 1, "Loss", "loss")
    s.wire("A.y Ax.a", "x.y Ax.b", "x.y xAx.a", "Ax.y xAx.b", "xAx.y loss.loss")
    s.graph.set_training(
        dataset="simple",
        dataset_size=10,
        val_fraction=0.2,
        batch_size=8,
        optimizer="sgd",
        learning_rate=0.1,
        epochs=50,
    )
    return s.graph, (
        "The quadratic form x^T A x with A the symmetric positive-definite matrix "
        "[[2, -1, 0], [-1, 2, -1], [0, -1, 2]] and x = (1, 1, 1), which gives 2. x is used "
        "twice, as the right factor of A x and as the left factor of x^T (A x), so its "
        "gradient is the sum of two paths, A^T x + A x = 2 A x = (2, 0, 2). Since A is "
        "positive definite the form has its only minimum, 0, at x = 0, and gradient descent "
        "walks x there."
    )


# ---- regression ------------------------------------------------------------------------------
def polynomial_sin() -> tuple[Graph, str]:
    s = Layout()
    s.add(0, 1.5, "Input", "x")
    for row, name in enumerate("abcd"):
        s.add(1, row * 2, "Parameter", name, **scalar_parameter(0.0))
    s.add(1, 3, "Power", "x2", exponent=2.0)
    s.add(1, 5, "Power", "x3", exponent=3.0)
    s.add(2, 1.5, "Multiply", "bx")
    s.add(2, 3.5, "Multiply", "cx2")
    s.add(2, 5.5, "Multiply", "dx3")
    s.add(3, 1, "Add", "sum1")
    s.add(4, 2, "Add", "sum2")
    s.add(5, 3, "Add", "fit")
    s.add(5, 4, "Target", "sin_x")
    s.add(6, 3.5, "MSELoss", "mse")
    s.add(7, 3.5, "Loss", "loss")
    s.wire(
        "x.x x2.x",
        "x.x x3.x",
        "b.y bx.a",
        "x.x bx.b",
        "c.y cx2.a",
        "x2.y cx2.b",
        "d.y dx3.a",
        "x3.y dx3.b",
        "a.y sum1.a",
        "bx.y sum1.b",
        "sum1.y sum2.a",
        "cx2.y sum2.b",
        "sum2.y fit.a",
        "dx3.y fit.b",
        "fit.y mse.input",
        "sin_x.y mse.target",
        "mse.loss loss.loss",
    )
    s.graph.set_training(
        dataset="sin_regression",
        dataset_size=200,
        optimizer="adam",
        learning_rate=0.01,
        batch_size=32,
        epochs=100,
    )
    return s.graph, (
        "Polynomial regression: a + b x + c x^2 + d x^3 fitted to sin(x) on [-pi, pi] by "
        "minimising the mean squared error. The four coefficients start at 0 and are "
        "Parameter nodes; the powers of x are computed once and shared. Adam copes with the "
        "very different scales of x and x^3; the fit ends near b = 0.85, d = -0.09 with a "
        "and c near 0, the odd cubic closest to the sine."
    )


# ---- classifiers ------------------------------------------------------------------------------
def two_layer(dataset: str, hidden: int = 16) -> Graph:
    """The course's network: Input -> Linear -> ReLU -> Linear -> Sigmoid -> BCELoss -> Loss."""
    s = Layout()
    s.add(0, 0, "Input", "x")
    s.add(1, 0, "Linear", "hidden", in_features=2, out_features=hidden)
    s.add(2, 0, "ReLU", "relu")
    s.add(3, 0, "Linear", "out", in_features=hidden, out_features=1)
    s.add(4, 0, "Sigmoid", "prob")
    s.add(4, 1, "Target", "label")
    s.add(5, 0.5, "BCELoss", "bce")
    s.add(6, 0.5, "Loss", "loss")
    s.wire(
        "x.x hidden.x",
        "hidden.y relu.x",
        "relu.y out.x",
        "out.y prob.x",
        "prob.y bce.input",
        "label.y bce.target",
        "bce.loss loss.loss",
    )
    s.graph.set_training(
        dataset=dataset,
        dataset_size=200,
        optimizer="adam",
        learning_rate=0.02,
        batch_size=32,
        epochs=100,
    )
    return s.graph


def split() -> tuple[Graph, str]:
    graph = two_layer("split")
    return graph, (
        "The two-input ReLU network of the course on the split dataset: points in the unit "
        "square are labelled 1 when x1 < 0.2 or x1 > 0.8. No single line separates the two "
        "bands from the middle, so a hidden layer of ReLUs bends the boundary; a sigmoid turns "
        "the output into a probability and binary cross-entropy scores it."
    )


def xor() -> tuple[Graph, str]:
    graph = two_layer("xor")
    return graph, (
        "The classic non-linear problem: a point is labelled 1 when exactly one of x1 and x2 "
        "is above 0.5. The two-input ReLU network (Linear, ReLU, Linear, Sigmoid) learns the "
        "four quadrants that a single neuron cannot separate; watch the decision boundary "
        "fold while the binary cross-entropy falls."
    )


def spiral() -> tuple[Graph, str]:
    s = Layout()
    s.add(0, 0, "Input", "x")
    s.add(1, 0, "Linear", "hidden1", in_features=2, out_features=64)
    s.add(2, 0, "ReLU", "relu1")
    s.add(3, 0, "Linear", "hidden2", in_features=64, out_features=64)
    s.add(4, 0, "ReLU", "relu2")
    s.add(5, 0, "Linear", "out", in_features=64, out_features=1)
    s.add(6, 0, "Sigmoid", "prob")
    s.add(6, 1, "Target", "label")
    s.add(7, 0.5, "BCELoss", "bce")
    s.add(8, 0.5, "Loss", "loss")
    s.wire(
        "x.x hidden1.x",
        "hidden1.y relu1.x",
        "relu1.y hidden2.x",
        "hidden2.y relu2.x",
        "relu2.y out.x",
        "out.y prob.x",
        "prob.y bce.input",
        "label.y bce.target",
        "bce.loss loss.loss",
    )
    s.graph.set_training(
        dataset="spiral",
        dataset_size=300,
        optimizer="adam",
        learning_rate=0.01,
        batch_size=32,
        epochs=200,
    )
    return s.graph, (
        "Two interleaved spiral arms, each turning about one and a half times around the "
        "centre. One hidden layer is not enough to wind the boundary between them, so this "
        "network has two hidden layers of 64 ReLUs each, trained with Adam. Watch the decision "
        "boundary curl after the arms as the epochs go by."
    )


def softmax_classifier() -> tuple[Graph, str]:
    s = Layout()
    s.add(0, 0, "Input", "x")
    s.add(1, 0, "Linear", "scores", in_features=2, out_features=3)
    s.add(1, 1, "Target", "label")
    s.add(2, 0.5, "CrossEntropyLoss", "cross_entropy")
    s.add(3, 0.5, "Loss", "loss")
    s.wire(
        "x.x scores.x",
        "scores.y cross_entropy.input",
        "label.y cross_entropy.target",
        "cross_entropy.loss loss.loss",
    )
    s.graph.set_training(
        dataset="blobs",
        dataset_size=300,
        optimizer="sgd",
        learning_rate=0.5,
        momentum=0.9,
        batch_size=32,
        epochs=20,
    )
    return s.graph, (
        "Softmax regression on three gaussian blobs: a single Linear layer gives each point a "
        "score per class, and the cross-entropy loss applies a softmax to turn the scores into "
        "probabilities and penalises the log-probability of the true class. Its gradient with "
        "respect to the scores is softmax minus one-hot, so the class boundaries are straight "
        "lines that training turns into place."
    )


def sentiment() -> tuple[Graph, str]:
    settings = {
        "dataset": "sentiment",
        "dataset_size": 1200,
        "val_fraction": 0.2,
        "optimizer": "adam",
        "learning_rate": 0.05,
        "batch_size": 32,
        "epochs": 15,
    }
    vocab = datasets.load(
        "sentiment", n=settings["dataset_size"], val_fraction=settings["val_fraction"]
    ).vocab
    s = Layout()
    s.add(0, 0, "Input", "words")
    s.add(1, 0, "Embedding", "embedding", num_embeddings=len(vocab), embedding_dim=16)
    s.add(2, 0, "Mean", "sentence", dim=1)
    s.add(3, 0, "Linear", "score", in_features=16, out_features=1)
    s.add(4, 0, "Sigmoid", "prob")
    s.add(4, 1, "Target", "label")
    s.add(5, 0.5, "BCELoss", "bce")
    s.add(6, 0.5, "Loss", "loss")
    s.wire(
        "words.x embedding.ids",
        "embedding.y sentence.x",
        "sentence.y score.x",
        "score.y prob.x",
        "prob.y bce.input",
        "label.y bce.target",
        "bce.loss loss.loss",
    )
    s.graph.set_training(**settings)
    return s.graph, (
        "A bag-of-words sentiment classifier for short reviews. Each sentence arrives as word "
        "ids (padded with 0); the Embedding layer looks up a learned 16-number vector for each "
        f"of the {len(vocab)} words of the vocabulary, Mean averages them over the sentence, "
        "and a Linear layer with a sigmoid reads positive or negative from that average. Only "
        "the rows of the words in a batch receive a gradient."
    )


def digits_cnn() -> tuple[Graph, str]:
    s = Layout()
    s.add(0, 0, "Input", "image")
    s.add(1, 0, "Conv2d", "conv", in_channels=1, out_channels=8, kernel_size=3)
    s.add(2, 0, "ReLU", "relu")
    s.add(3, 0, "MaxPool2d", "pool", kernel_size=2)
    s.add(4, 0, "Flatten", "flatten")
    s.add(5, 0, "Linear", "scores", in_features=8 * 3 * 3, out_features=10)
    s.add(5, 1, "Target", "label")
    s.add(6, 0.5, "CrossEntropyLoss", "cross_entropy")
    s.add(7, 0.5, "Loss", "loss")
    s.wire(
        "image.x conv.x",
        "conv.y relu.x",
        "relu.y pool.x",
        "pool.y flatten.x",
        "flatten.y scores.x",
        "scores.y cross_entropy.input",
        "label.y cross_entropy.target",
        "cross_entropy.loss loss.loss",
    )
    s.graph.set_training(
        dataset="digits",
        dataset_size=1797,
        val_fraction=0.2,
        optimizer="adam",
        learning_rate=0.01,
        batch_size=32,
        epochs=8,
    )
    return s.graph, (
        "A small convolutional network on the 8x8 handwritten digits: eight 3x3 filters "
        "slide over each image (1x8x8 becomes 8x6x6), a ReLU keeps the positive responses, "
        "2x2 max pooling keeps the strongest of each window (8x3x3), and a Linear layer turns "
        "the 72 features into a score for each of the ten digits, trained with cross-entropy."
    )


# ---- why deep sigmoid networks stop learning -------------------------------------------------
DEPTH = 8  # Linear layers in each of the two stacks
WIDTH = 16


def _stack_cells(first_row: int, step: int) -> list[tuple[int, int]]:
    """Where a stack's 16 nodes sit: 6, 7 then 3 columns of three rows, going ``step`` rows
    on from ``first_row`` (the sigmoid stack down from the top, the ReLU one up from the
    bottom), so both end beside the middle row's Target."""
    rows = [
        (first_row, range(1, 7)),
        (first_row + step, range(7)),
        (first_row + 2 * step, range(3)),
    ]
    return [(column, row) for row, columns in rows for column in columns]


def _stack(s: Layout, tag: str, activation: str, cells: list[tuple[int, int]]) -> None:
    """x -> DEPTH - 1 times (Linear, activation) -> Linear -> MSELoss, named after ``tag``."""
    places = iter(cells)
    previous = "x.x"
    for i in range(1, DEPTH):
        linear, unit = f"{tag}_linear{i}", f"{activation.lower()}{i}"
        s.add(
            *next(places), "Linear", linear, in_features=2 if i == 1 else WIDTH, out_features=WIDTH
        )
        s.add(*next(places), activation, unit)
        s.wire(f"{previous} {linear}.x", f"{linear}.y {unit}.x")
        previous = f"{unit}.y"
    s.add(*next(places), "Linear", f"{tag}_out", in_features=WIDTH, out_features=1)
    s.add(*next(places), "MSELoss", f"{tag}_mse")
    s.wire(f"{previous} {tag}_out.x", f"{tag}_out.y {tag}_mse.input", f"label.y {tag}_mse.target")


def vanishing_gradients() -> tuple[Graph, str]:
    s = Layout()
    s.add(0, 3, "Input", "x")
    s.add(1, 3, "Target", "label")
    _stack(s, "sig", "Sigmoid", _stack_cells(0, 1))
    _stack(s, "relu", "ReLU", _stack_cells(6, -1))
    s.add(3, 3, "Add", "total")
    s.add(4, 3, "Loss", "loss")
    s.wire("sig_mse.loss total.a", "relu_mse.loss total.b", "total.y loss.loss")
    s.graph.set_training(
        dataset="xor",
        dataset_size=300,
        optimizer="adam",
        learning_rate=0.01,
        batch_size=32,
        epochs=60,
    )
    return s.graph, (
        "Why deep sigmoid networks stop learning: two stacks of eight Linear layers of the "
        "same size learn xor side by side, their two mean squared errors summed into one loss. "
        "The stack with sigmoids stalls at 0.25, the loss of always answering 0.5, while the "
        "stack with ReLUs learns. Open the gradient-health panel during training: each sigmoid "
        "passes back at most a quarter of the gradient, so the sigmoid stack's gradient norms "
        "fall by orders of magnitude from the output toward the input."
    )


# ---- written for lessons: the perceptron, and broadcasting --------------------------------
def perceptron() -> tuple[Graph, str]:
    s = Layout()
    linear = {"in_features": 2, "out_features": 3}
    s.add(0, 0.5, "Input", "x")
    s.add(0, 1.5, "Target", "label")
    s.add(1, 0, "Linear", "perceptron_scores", **linear)
    s.add(1, 2, "Linear", "softmax_scores", **linear)
    s.add(2, 0, "PerceptronLoss", "perceptron")
    s.add(2, 2, "CrossEntropyLoss", "cross_entropy")
    s.add(3, 1, "Add", "total")
    s.add(4, 1, "Loss", "loss")
    s.wire(
        "x.x perceptron_scores.x",
        "x.x softmax_scores.x",
        "perceptron_scores.y perceptron.input",
        "label.y perceptron.target",
        "softmax_scores.y cross_entropy.input",
        "label.y cross_entropy.target",
        "perceptron.loss total.a",
        "cross_entropy.loss total.b",
        "total.y loss.loss",
    )
    graph = s.graph
    start = graph.nodes["perceptron_scores"]
    with seeded(0):  # one start for both layers, so that they compare
        weights = start.spec.init(start.params)
    for node_id in ("perceptron_scores", "softmax_scores"):
        graph.set_weights(node_id, {name: value.copy() for name, value in weights.items()})
    graph.set_training(
        dataset="blobs",
        dataset_size=300,
        optimizer="sgd",
        learning_rate=0.1,
        batch_size=32,
        epochs=20,
    )
    return graph, (
        "The multi-class perceptron beside softmax regression, on the same three blobs and "
        "from the same starting weights. The perceptron's loss is mean(max_c s_c - s_y), the "
        "top score minus the true class's: its gradient with respect to the scores is "
        "onehot(argmax) - onehot(y), the perceptron update, which is zero for every point "
        "already classified right. Softmax and cross-entropy give p - y instead, the same "
        "update made smooth. Both are trained together through the sum of their losses, and "
        "each Linear layer only feels its own."
    )


def broadcasting() -> tuple[Graph, str]:
    s = Layout()
    s.add(0, 0, "Input", "x")
    s.add(0, 1, "Parameter", "W", shape=[2, 3], init="uniform", scale=0.5)
    s.add(1, 0.5, "MatMul", "xW")
    s.add(1, 1.5, "Parameter", "bias", shape=[3], init="value", scale=0.0)
    s.add(2, 1, "Add", "z")
    s.add(2, 2, "Target", "label")
    s.add(3, 1.5, "CrossEntropyLoss", "cross_entropy")
    s.add(4, 1.5, "Loss", "loss")
    s.wire(
        "x.x xW.a",
        "W.y xW.b",
        "xW.y z.a",
        "bias.y z.b",
        "z.y cross_entropy.input",
        "label.y cross_entropy.target",
        "cross_entropy.loss loss.loss",
    )
    s.graph.set_training(
        dataset="blobs",
        dataset_size=300,
        optimizer="sgd",
        learning_rate=0.1,
        batch_size=4,
        epochs=5,
    )
    return s.graph, (
        "Broadcasting and its gradient: a Linear layer written out as z = x W + bias, on "
        "batches of 4 points from three blobs. The bias has one number per class, and the Add "
        "broadcasts it over the batch, adding the same row to every point. Backward, the "
        "copies' gradients are added up: dL/dbias is dL/dz summed over the batch, and "
        "dL/dW = x^T dL/dz sums over it too. Batches of 4 keep every tensor small enough to "
        "predict by hand."
    )


SAMPLES: dict[str, Callable[[], tuple[Graph, str]]] = {
    "chain_rule": chain_rule,
    "inverse_square": inverse_square,
    "quadratic_form": quadratic_form,
    "polynomial_sin": polynomial_sin,
    "split": split,
    "xor": xor,
    "spiral": spiral,
    "softmax_classifier": softmax_classifier,
    "sentiment": sentiment,
    "digits_cnn": digits_cnn,
    "vanishing_gradients": vanishing_gradients,
    "perceptron": perceptron,
    "broadcasting": broadcasting,
}


def write_samples(out_dir: Path) -> list[Path]:
    """Build every sample and save it as ``out_dir/NAME.vgraph``; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, build in SAMPLES.items():
        graph, description = build()
        for node_id, position in layered_positions(graph, CANVAS).items():
            graph.move_node(node_id, position)
        graph.set_lesson(LESSONS.get(name))
        path = out_dir / f"{name}.vgraph"
        fileformat.save(graph, path, description=description)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", type=Path, default=SAMPLES_DIR)
    args = parser.parse_args(argv)
    for path in write_samples(args.out_dir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

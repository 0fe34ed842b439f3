"""The guided lessons of the sample projects, one per sample that has one.

``make_samples.py`` gives each sample the lesson of its name here before saving it. A
lesson is data (lessons.py): each step's text, what it highlights, and the action it
waits for.
"""

from __future__ import annotations

from visualgrad.graph.graph import Edge
from visualgrad.graph.lessons import Action, Lesson, LessonStep


def edge(text: str) -> Edge:
    """``"b.y d.a"`` as the Edge from b's output y into d's input a."""
    source, target = (end.split(".") for end in text.split())
    return Edge(source[0], source[1], target[0], target[1])


def step(text: str, highlight: str | None = None, kind: str = "read", **what) -> LessonStep:
    """One lesson step; ``highlight`` names a node, or an edge as ``"b.y d.a"``."""
    target = edge(highlight) if highlight and " " in highlight else highlight
    if "edge" in what:
        what["edge"] = edge(what["edge"])
    return LessonStep(text, target, Action(kind, **what))


LESSONS: dict[str, Lesson] = {
    "chain_rule": Lesson(
        (
            step(
                "This graph computes e = (a + b) * (b + 1) at a = 2 and b = 1. "
                "Press Forward in Step through until e is computed.",
                "e",
                "step_forward",
                node="e",
            ),
            step(
                "Now turn on Predict and press Backward: each step asks you first. "
                "Predict dL/dc, the gradient that flows from e back into c.",
                "c.y e.a",
                "predict",
                node="c",
            ),
            step(
                "b feeds two nodes, c and d, so a gradient reaches it along two edges. "
                "Keep pressing Backward until a gradient arrives at b.",
                "b",
                "step_backward",
                node="b",
            ),
            step(
                "Where a value fans out, the chain rule adds the gradients of all its paths. "
                "Predict dL/db, the total at b.",
                "b",
                "predict",
                node="b",
            ),
            step(
                "Training follows these gradients downhill. "
                "Open Training and train until the loss is below 5.",
                None,
                "train",
                loss_below=5.0,
            ),
            step(
                "Those are the two rules of backpropagation: multiply along a path, "
                "and add where paths meet.",
            ),
        ),
        "The fan-out sum",
    ),
    "inverse_square": Lesson(
        (
            step(
                "y = 1 / x^2 is built from two simple pieces, a square and a division. "
                "Step forward until y is computed at x = 2.",
                "y",
                "step_forward",
                node="y",
            ),
            step(
                "Turn on Predict and step backward. For y = a / b the local derivative "
                "by the divisor is -a / b^2: predict dL/dx_squared.",
                "x_squared.y y.b",
                "predict",
                node="x_squared",
            ),
            step(
                "A power brings its exponent down: d(x^2)/dx = 2x. "
                "Predict dL/dx, the product of the two local derivatives.",
                "x",
                "predict",
                node="x",
            ),
            step(
                "Training moves x outward, where 1 / x^2 is smaller and flatter. "
                "Train until the loss is below 0.1.",
                "x",
                "train",
                loss_below=0.1,
            ),
            step(
                "The chain rule multiplied two easy derivatives, -1 / x^4 and 2x, "
                "into dy/dx = -2 / x^3.",
            ),
        ),
        "Local derivatives of powers",
    ),
    "quadratic_form": Lesson(
        (
            step(
                "x^T A x is two matrix products: first A x, then x^T (A x). "
                "Turn on Predict and forward too, then step forward and predict A x.",
                "Ax",
                "predict_value",
                node="Ax",
            ),
            step(
                "Now step backward. A product sends back to its left factor the other factor: "
                "predict the gradient that flows along this edge into x.",
                "x.y xAx.a",
                "predict",
                edge="x.y xAx.a",
            ),
            step(
                "x is used twice, so its gradient adds two paths: A x from the left factor "
                "and A^T x from the right one. Predict dL/dx.",
                "x",
                "predict",
                node="x",
            ),
            step(
                "Click x to open the inspector on it. "
                "Its gradient 2 A x points away from the minimum.",
                "x",
                "inspect",
                node="x",
            ),
            step(
                "A is positive definite, so x^T A x has its only minimum, 0, at x = 0. "
                "Train until the loss is below 0.05.",
                None,
                "train",
                loss_below=0.05,
            ),
        ),
        "The gradient of x^T A x",
    ),
    "xor": Lesson(
        (
            step(
                "A point is labelled 1 when exactly one of x1 and x2 is above 0.5. "
                "One Linear layer draws one straight line, and no line puts the two "
                "1-corners on one side and the two 0-corners on the other.",
                "x",
            ),
            step(
                "Without a bend, out after hidden is a Linear of a Linear, which is again a "
                "single line. Click relu to open the inspector on the bend that breaks it.",
                "relu",
                "inspect",
                node="relu",
            ),
            step(
                "Each hidden unit is a line, and the ReLU keeps only its positive side. "
                "Step backward until the gradient reaches relu: units at 0 pass none back.",
                "relu.y out.x",
                "step_backward",
                node="relu",
            ),
            step(
                "Train until the loss is below 0.3, "
                "and watch the decision boundary fold around the corners.",
                None,
                "train",
                loss_below=0.3,
            ),
            step(
                "Sixteen bent lines, added up by out, separate the four corners "
                "that a single neuron never could.",
            ),
        ),
        "Why one linear layer cannot learn xor",
    ),
    "softmax_classifier": Lesson(
        (
            step(
                "A Linear layer gives each point a score per class, and the cross-entropy "
                "turns the scores into probabilities with a softmax. "
                "Step forward until the loss is computed.",
                "scores",
                "step_forward",
                node="loss",
            ),
            step(
                "Softmax and cross-entropy together have a simple gradient: p - y, the "
                "probabilities minus the one-hot labels, over the batch size. "
                "Step backward until it reaches scores.",
                "scores.y cross_entropy.input",
                "step_backward",
                node="scores",
            ),
            step(
                "Click scores to open the inspector on it. In each row the true class gets a "
                "negative gradient and every other class a positive one, and the row sums to 0.",
                "scores",
                "inspect",
                node="scores",
            ),
            step(
                "Train until the loss is below 0.1: "
                "p - y shrinks as the probabilities approach the labels.",
                None,
                "train",
                loss_below=0.1,
            ),
        ),
        "Softmax and cross-entropy: p - y",
    ),
    "perceptron": Lesson(
        (
            step(
                "Two classifiers read the same blobs: above, a multi-class perceptron; "
                "below, softmax regression. Each is one Linear layer with a score per class, "
                "from the same starting weights, and only their losses differ.",
                "perceptron_scores",
            ),
            step(
                "The perceptron's loss is the top score minus the true class's score, "
                "which is 0 when the argmax is right. "
                "Step forward until total, the sum of both losses, is computed.",
                "perceptron",
                "step_forward",
                node="total",
            ),
            step(
                "Step backward until the gradient reaches perceptron_scores. "
                "It is onehot(argmax) - onehot(y) over the batch: the perceptron update.",
                "perceptron_scores.y perceptron.input",
                "step_backward",
                node="perceptron_scores",
            ),
            step(
                "Click perceptron_scores to open the inspector: a point already classified "
                "right gets a row of zeros, so the perceptron stops learning from it.",
                "perceptron_scores",
                "inspect",
                node="perceptron_scores",
            ),
            step(
                "Now click softmax_scores. Its gradient is p - y, never exactly 0, so softmax "
                "keeps pushing the boundary even for points it gets right.",
                "softmax_scores",
                "inspect",
                node="softmax_scores",
            ),
            step(
                "Both train at once, each through its own loss. "
                "Train until the total loss is below 0.5.",
                None,
                "train",
                loss_below=0.5,
            ),
            step(
                "Softmax with cross-entropy is the perceptron made smooth: argmax becomes "
                "softmax, and the update onehot(argmax) - y becomes p - y.",
            ),
        ),
        "The perceptron update beside softmax",
    ),
    "broadcasting": Lesson(
        (
            step(
                "A Linear layer written out: z = x W + bias, for a batch of 4 points and "
                "3 classes. The bias holds one number per class, and the Add broadcasts "
                "it: the same row is added to every point.",
                "bias",
            ),
            step(
                "Step backward until the gradient reaches z. "
                "It has one row per point of the batch, p - y for each.",
                "z.y cross_entropy.input",
                "step_backward",
                node="z",
            ),
            step(
                "Click z to open the inspector and read dL/dz, four rows of three numbers.",
                "z",
                "inspect",
                node="z",
            ),
            step(
                "Turn on Predict and step backward. The bias was copied to all four rows, "
                "so its gradient adds up what came back to each copy: predict dL/dbias.",
                "bias.y z.b",
                "predict",
                node="bias",
            ),
            step(
                "The weights are shared by the batch too: dL/dW = x^T dL/d(xW) also sums "
                "over the four points. Step backward to W.",
                "W",
                "step_backward",
                node="W",
            ),
            step(
                "Train until the loss is below 0.3; every step moves the bias by its "
                "gradient summed over the batch.",
                None,
                "train",
                loss_below=0.3,
            ),
            step(
                "Wherever a value is broadcast forward, its gradient is summed backward "
                "over the copies. That is why a bias's gradient is dL/dy summed over the "
                "batch.",
            ),
        ),
        "Broadcasting: the bias gradient is a sum",
    ),
    "vanishing_gradients": Lesson(
        (
            step(
                "Two stacks of eight Linear layers learn xor side by side, one with sigmoids "
                "and one with ReLUs. Their two errors are summed into one loss, so each "
                "stack trains on its own error.",
                "total",
            ),
            step(
                "Step backward until the gradient reaches sig_linear1, the sigmoid stack's "
                "first layer. Each sigmoid on the way multiplies it by y (1 - y), "
                "which is at most 0.25.",
                "sig_linear1",
                "step_backward",
                node="sig_linear1",
            ),
            step(
                "Click sig_linear1 to open the inspector on it. "
                "After seven sigmoids its gradient is orders of magnitude smaller than at "
                "sig_out.",
                "sig_linear1",
                "inspect",
                node="sig_linear1",
            ),
            step(
                "Now click relu_linear1. A ReLU passes the gradient on unchanged wherever "
                "its unit is active, so the depth does not shrink it.",
                "relu_linear1",
                "inspect",
                node="relu_linear1",
            ),
            step(
                "Train until the loss is below 0.4, with the gradient-health panel open. "
                "The sigmoid stack stalls at 0.25 while the ReLU stack learns.",
                None,
                "train",
                loss_below=0.4,
            ),
            step(
                "The chain rule multiplies one factor per layer: below 1 they vanish, "
                "and ReLUs keep them at 1.",
            ),
        ),
        "Vanishing gradients",
    ),
}

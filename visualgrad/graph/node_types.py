"""The entries of the catalog: every node type a graph can hold, each written once."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .. import engine as vg
from ..engine import nn
from ..engine.nn import functional as F
from .catalog import ANY, INDEX, NodeContext, NodeType, Param, Port, register

X, Y, AB = (Port("x"),), (Port("y"),), (Port("a"), Port("b"))
LOSS_INPUTS = (Port("input"), Port("target", ANY))
LOSS_OUT = (Port("loss"),)


def _x(c: NodeContext):
    return c.inputs["x"]


def _weights(module: nn.Module) -> dict[str, np.ndarray]:
    """A freshly initialised engine layer's parameters: the catalog reuses torch's init."""
    return {name: p.to_numpy() for name, p in module.named_parameters()}


def node(
    name, category, description, inputs, outputs, params, forward, derivative, compute, **extra
) -> NodeType:
    """Register a node type; ``extra`` holds init, weight_shapes and role where they apply."""
    return register(
        NodeType(
            name,
            category,
            description,
            tuple(inputs),
            tuple(outputs),
            tuple(params),
            forward,
            derivative,
            compute,
            **extra,
        )
    )


def _with_bias(shapes: dict, p, size: int) -> dict:
    return {**shapes, "bias": (size,)} if p.get("bias", True) else shapes


def unary(
    name: str,
    category: str,
    description: str,
    forward: str,
    derivative: str,
    fn: Callable,
    params=(),
    torch: str | None = None,
) -> NodeType:
    return node(
        name,
        category,
        description,
        X,
        Y,
        params,
        forward,
        derivative,
        lambda c: fn(_x(c), c.params),
        torch=torch,
    )


# ---- sources ---------------------------------------------------------------------------
node(
    "Input",
    "Sources",
    "The inputs of the current batch of the training dataset.",
    (),
    (Port("x", ANY),),
    (),
    "x = batch inputs",
    "(a source: its gradient is dL/dx)",
    lambda c: c.batch["x"],
    role="source",
    batch="x",
    torch="inputs",
)
node(
    "Target",
    "Sources",
    "The targets (labels or values) of the current batch.",
    (),
    (Port("y", ANY),),
    (),
    "y = batch targets",
    "(a source: no gradient flows into it)",
    lambda c: c.batch["y"],
    role="source",
    batch="y",
    torch="targets",
)
node(
    "Scalar",
    "Sources",
    "A single number you set; its gradient is shown after backward.",
    (),
    Y,
    (Param("value", "float", 1.0),),
    "y = value",
    "dL/dy is this number's gradient",
    lambda c: vg.tensor(c.params["value"], backend=c.backend),
    role="source",
    torch="torch.tensor({value})",
)


def _constant(c: NodeContext):
    values, shape = np.array(c.params["values"], dtype=float), tuple(c.params["shape"])
    if values.size != math.prod(shape):
        raise ValueError(f"{values.size} values do not fill shape {shape}")
    return vg.tensor(values.reshape(shape), backend=c.backend)


node(
    "Constant",
    "Sources",
    "A fixed tensor typed in by hand.",
    (),
    Y,
    (Param("values", "floats", [1.0]), Param("shape", "ints", [1])),
    "y = the values",
    "(a constant: its gradient is shown, nothing changes it)",
    _constant,
    role="source",
    torch="torch.tensor({values}).reshape({shape})",
)


def _parameter_init(p) -> dict[str, np.ndarray]:
    shape, scale, how = tuple(p["shape"]), p["scale"], p["init"]
    if how == "value":
        return {"value": np.full(shape, scale)}
    if how == "normal":
        return {"value": vg.randn(*shape).to_numpy() * scale}
    return {"value": (vg.rand(*shape).to_numpy() * 2 - 1) * scale}


node(
    "Parameter",
    "Sources",
    "A learnable tensor the optimizer updates.",
    (),
    Y,
    (
        Param("shape", "ints", [1]),
        Param("init", "choice", "normal", choices=("normal", "uniform", "value")),
        Param("scale", "float", 1.0, doc="standard deviation, bound, or the value itself"),
    ),
    "y = W (learned)",
    "dL/dW is what the optimizer follows",
    lambda c: c.weights["value"],
    init=_parameter_init,
    role="source",
    weight_shapes=lambda p: {"value": tuple(p["shape"])},
    torch="nn.Parameter(torch.empty({shape}))",
)

# ---- elementwise ----------------------------------------------------------------------
ELEMENTWISE = "Elementwise"
node(
    "Add",
    ELEMENTWISE,
    "Sum of two tensors, broadcasting like numpy.",
    AB,
    Y,
    (),
    "y = a + b",
    "dy/da = 1, dy/db = 1",
    lambda c: c.inputs["a"] + c.inputs["b"],
    torch="{a} + {b}",
)
node(
    "Subtract",
    ELEMENTWISE,
    "Difference of two tensors.",
    AB,
    Y,
    (),
    "y = a - b",
    "dy/da = 1, dy/db = -1",
    lambda c: c.inputs["a"] - c.inputs["b"],
    torch="{a} - {b}",
)
node(
    "Multiply",
    ELEMENTWISE,
    "Elementwise product.",
    AB,
    Y,
    (),
    "y = a * b",
    "dy/da = b, dy/db = a",
    lambda c: c.inputs["a"] * c.inputs["b"],
    torch="{a} * {b}",
)
node(
    "Divide",
    ELEMENTWISE,
    "Elementwise quotient.",
    AB,
    Y,
    (),
    "y = a / b",
    "dy/da = 1 / b, dy/db = -a / b^2",
    lambda c: c.inputs["a"] / c.inputs["b"],
    torch="{a} / {b}",
)
unary(
    "Power",
    ELEMENTWISE,
    "x raised to a fixed exponent.",
    "y = x^p",
    "dy/dx = p x^(p-1)",
    lambda x, p: x ** p["exponent"],
    (Param("exponent", "float", 2.0),),
    torch="{x}**{exponent}",
)
unary("Negate", ELEMENTWISE, "Minus x.", "y = -x", "dy/dx = -1", lambda x, p: -x, torch="-{x}")
unary(
    "Exp",
    ELEMENTWISE,
    "e to the power x.",
    "y = e^x",
    "dy/dx = e^x = y",
    lambda x, p: x.exp(),
    torch="torch.exp({x})",
)
unary(
    "Log",
    ELEMENTWISE,
    "Natural logarithm.",
    "y = ln x",
    "dy/dx = 1 / x",
    lambda x, p: x.log(),
    torch="torch.log({x})",
)
unary(
    "Sqrt",
    ELEMENTWISE,
    "Square root.",
    "y = sqrt(x)",
    "dy/dx = 1 / (2 sqrt(x))",
    lambda x, p: x.sqrt(),
    torch="torch.sqrt({x})",
)
unary(
    "Abs",
    ELEMENTWISE,
    "Absolute value.",
    "y = |x|",
    "dy/dx = sign(x)",
    lambda x, p: x.abs(),
    torch="torch.abs({x})",
)

# ---- activations ------------------------------------------------------------------------
ACTIVATIONS = "Activations"
unary(
    "ReLU",
    ACTIVATIONS,
    "Rectified linear unit: negatives become 0.",
    "y = max(0, x)",
    "dy/dx = 1 where x > 0, else 0",
    lambda x, p: x.relu(),
    torch="torch.relu({x})",
)
unary(
    "Sigmoid",
    ACTIVATIONS,
    "Squashes x into (0, 1).",
    "y = 1 / (1 + e^-x)",
    "dy/dx = y (1 - y)",
    lambda x, p: x.sigmoid(),
    torch="torch.sigmoid({x})",
)
unary(
    "Tanh",
    ACTIVATIONS,
    "Squashes x into (-1, 1).",
    "y = tanh x",
    "dy/dx = 1 - y^2",
    lambda x, p: x.tanh(),
    torch="torch.tanh({x})",
)
DIM = Param("dim", "int", -1, doc="the dimension that sums to 1")
unary(
    "Softmax",
    ACTIVATIONS,
    "Turns scores into probabilities along a dimension.",
    "y_i = e^x_i / sum_j e^x_j",
    "dy_i/dx_j = y_i (delta_ij - y_j)",
    lambda x, p: F.softmax(x, p["dim"]),
    (DIM,),
    torch="torch.softmax({x}, {dim})",
)
unary(
    "LogSoftmax",
    ACTIVATIONS,
    "Log of softmax, computed stably.",
    "y_i = x_i - log sum_j e^x_j",
    "dy_i/dx_j = delta_ij - softmax(x)_j",
    lambda x, p: F.log_softmax(x, p["dim"]),
    (DIM,),
    torch="torch.log_softmax({x}, {dim})",
)

# ---- reductions ---------------------------------------------------------------------------
REDUCTIONS = "Reductions"
REDUCE_PARAMS = (
    Param("dim", "dim", None, doc="empty: over every element"),
    Param("keepdim", "bool", False),
)
unary(
    "Sum",
    REDUCTIONS,
    "Adds up elements, over one dimension or all.",
    "y = sum_i x_i",
    "dy/dx_i = 1",
    lambda x, p: x.sum(p["dim"], p["keepdim"]),
    REDUCE_PARAMS,
    torch="{x}.sum(dim={dim}, keepdim={keepdim})",
)
unary(
    "Mean",
    REDUCTIONS,
    "Average of elements, over one dimension or all.",
    "y = (1/n) sum_i x_i",
    "dy/dx_i = 1/n",
    lambda x, p: x.mean(p["dim"], p["keepdim"]),
    REDUCE_PARAMS,
    torch="{x}.mean(dim={dim}, keepdim={keepdim})",
)
unary(
    "Max",
    REDUCTIONS,
    "Largest element, over one dimension or all.",
    "y = max_i x_i",
    "dy/dx_i = 1 for the largest x_i (shared on ties), else 0",
    lambda x, p: x.max(p["dim"], p["keepdim"]),
    REDUCE_PARAMS,
    torch="torch.amax({x}, dim={dim}, keepdim={keepdim})",
)

# ---- shapes ---------------------------------------------------------------------------------
SHAPES = "Shape"
unary(
    "Reshape",
    SHAPES,
    "The same values in another shape (one size may be -1).",
    "y = x viewed as shape",
    "dy/dx = 1 (the gradient is reshaped back)",
    lambda x, p: x.reshape(*p["shape"]),
    (Param("shape", "ints", [-1]),),
    torch="{x}.reshape({shape})",
)
unary(
    "Transpose",
    SHAPES,
    "Swaps two dimensions.",
    "y = x with dims swapped",
    "dy/dx = 1 (the gradient is swapped back)",
    lambda x, p: x.transpose(p["dim0"], p["dim1"]),
    (Param("dim0", "int", -2), Param("dim1", "int", -1)),
    torch="{x}.transpose({dim0}, {dim1})",
)
unary(
    "Flatten",
    SHAPES,
    "Flattens every dimension from start_dim on into one.",
    "y = x as (batch, -1)",
    "dy/dx = 1 (the gradient is reshaped back)",
    lambda x, p: nn.Flatten(p["start_dim"])(x),
    (Param("start_dim", "int", 1, low=0),),
    torch="torch.flatten({x}, {start_dim})",
)
node(
    "MatMul",
    "Linear algebra",
    "Matrix product, batched and broadcasting like torch.",
    AB,
    Y,
    (),
    "y = a @ b",
    "dL/da = dL/dy @ b^T, dL/db = a^T @ dL/dy",
    lambda c: c.inputs["a"] @ c.inputs["b"],
    torch="{a} @ {b}",
)

# ---- layers ----------------------------------------------------------------------------------
LAYERS = "Layers"


def _linear(c: NodeContext):
    x, w = _x(c), c.weights["weight"]
    if x.dims == 0 or x.shape[-1] != w.shape[1]:
        raise ValueError(f"expects (*, {w.shape[1]}), got {x.shape}")
    return F.linear(x, w, c.weights.get("bias"))


SIZE = {"low": 1, "high": 100_000}
node(
    "Linear",
    LAYERS,
    "Fully connected layer: a matrix product plus a bias.",
    X,
    Y,
    (
        Param("in_features", "int", 2, **SIZE),
        Param("out_features", "int", 1, **SIZE),
        Param("bias", "bool", True),
    ),
    "y = x W^T + b",
    "dy/dx = W, dy/dW = x, dy/db = 1",
    _linear,
    init=lambda p: _weights(nn.Linear(p["in_features"], p["out_features"], p["bias"])),
    weight_shapes=lambda p: _with_bias(
        {"weight": (p["out_features"], p["in_features"])}, p, p["out_features"]
    ),
    torch="nn.Linear({in_features}, {out_features}, bias={bias})",
)


CONV = (
    Param("in_channels", "int", 1, **SIZE),
    Param("out_channels", "int", 1, **SIZE),
    Param("kernel_size", "int", 3, low=1, high=64),
    Param("stride", "int", 1, low=1, high=64),
    Param("padding", "int", 0, low=0, high=64),
)
CONV_OPTIONS = "stride={stride}, padding={padding})"
node(
    "Conv1d",
    LAYERS,
    "1-D convolution over sequences (N, C, L).",
    X,
    Y,
    CONV,
    "y[o, t] = b[o] + sum_c,k W[o, c, k] x[c, t s + k]",
    "dy/dx = W (slid), dy/dW = x (slid)",
    lambda c: F.conv1d(
        _x(c), c.weights["weight"], c.weights["bias"], c.params["stride"], c.params["padding"]
    ),
    init=lambda p: _weights(nn.Conv1d(p["in_channels"], p["out_channels"], p["kernel_size"])),
    weight_shapes=lambda p: {
        "weight": (p["out_channels"], p["in_channels"], p["kernel_size"]),
        "bias": (p["out_channels"],),
    },
    torch="nn.Conv1d({in_channels}, {out_channels}, {kernel_size}, " + CONV_OPTIONS,
)
node(
    "Conv2d",
    LAYERS,
    "2-D convolution over images (N, C, H, W).",
    X,
    Y,
    CONV,
    "y[o, i, j] = b[o] + sum_c,u,v W[o, c, u, v] x[c, i s + u, j s + v]",
    "dy/dx = W (slid), dy/dW = x (slid)",
    lambda c: F.conv2d(
        _x(c), c.weights["weight"], c.weights["bias"], c.params["stride"], c.params["padding"]
    ),
    init=lambda p: _weights(nn.Conv2d(p["in_channels"], p["out_channels"], p["kernel_size"])),
    weight_shapes=lambda p: {
        "weight": (p["out_channels"], p["in_channels"], p["kernel_size"], p["kernel_size"]),
        "bias": (p["out_channels"],),
    },
    torch="nn.Conv2d({in_channels}, {out_channels}, {kernel_size}, " + CONV_OPTIONS,
)


def _pool(kind: str) -> Callable[[dict], str]:
    """The PyTorch form of a pooling node: a stride of 0 is torch's default, the kernel size."""
    return lambda p: (
        f"F.{kind}_pool2d({{x}}, {{kernel_size}}" + (", {stride})" if p["stride"] else ")")
    )


POOL = (
    Param("kernel_size", "int", 2, low=1, high=64),
    Param("stride", "int", 0, low=0, high=64, doc="0: the kernel size"),
)
node(
    "MaxPool2d",
    LAYERS,
    "Largest value of each window.",
    X,
    Y,
    POOL,
    "y = max over window",
    "dy/dx = 1 at each window's maximum, else 0",
    lambda c: F.max_pool2d(_x(c), c.params["kernel_size"], c.params["stride"] or None),
    torch=_pool("max"),
)
node(
    "AvgPool2d",
    LAYERS,
    "Average of each window.",
    X,
    Y,
    POOL,
    "y = mean over window",
    "dy/dx = 1 / (window size)",
    lambda c: F.avg_pool2d(_x(c), c.params["kernel_size"], c.params["stride"] or None),
    torch=_pool("avg"),
)
node(
    "Embedding",
    LAYERS,
    "Looks up a learned vector for each token id.",
    (Port("ids", INDEX),),
    Y,
    (Param("num_embeddings", "int", 10, **SIZE), Param("embedding_dim", "int", 4, **SIZE)),
    "y = E[ids]",
    "dy/dE[id] = 1 for each row used (added up per id)",
    lambda c: F.embedding(c.inputs["ids"], c.weights["weight"]),
    init=lambda p: _weights(nn.Embedding(p["num_embeddings"], p["embedding_dim"])),
    weight_shapes=lambda p: {"weight": (p["num_embeddings"], p["embedding_dim"])},
    torch="nn.Embedding({num_embeddings}, {embedding_dim})",
)
node(
    "Dropout",
    LAYERS,
    "While training, zeroes each value with probability p.",
    X,
    Y,
    (Param("p", "float", 0.5, low=0.0, high=1.0),),
    "y = x * mask / (1 - p)",
    "dy/dx = mask / (1 - p)",
    lambda c: F.dropout(_x(c), c.params["p"], c.training),
    torch="F.dropout({x}, {p}, self.training)",
)

# ---- losses ------------------------------------------------------------------------------------
LOSSES = "Losses"


def loss(
    name: str,
    description: str,
    forward: str,
    derivative: str,
    fn: Callable,
    accuracy: str | None = None,
    torch: str | None = None,
) -> NodeType:
    return node(
        name,
        LOSSES,
        description,
        LOSS_INPUTS,
        LOSS_OUT,
        (),
        forward,
        derivative,
        lambda c: fn(c.inputs["input"], c.inputs["target"]),
        accuracy=accuracy,
        torch=torch,
    )


loss(
    "MSELoss",
    "Mean squared error, for regression.",
    "L = mean((x - t)^2)",
    "dL/dx = 2 (x - t) / n",
    F.mse_loss,
    torch="F.mse_loss({input}, {target})",
)
loss(
    "BCELoss",
    "Binary cross-entropy of probabilities against 0/1 targets.",
    "L = -mean(t log p + (1 - t) log(1 - p))",
    "dL/dp = (p - t) / (p (1 - p) n)",
    F.binary_cross_entropy,
    accuracy="binary",
    torch="F.binary_cross_entropy({input}, {target})",
)
loss(
    "CrossEntropyLoss",
    "Softmax cross-entropy of scores against class indices.",
    "L = -mean(log softmax(x)[t])",
    "dL/dx = (softmax(x) - onehot(t)) / n",
    F.cross_entropy,
    accuracy="classes",
    torch="F.cross_entropy({input}, {target}.long())",
)
loss(
    "NLLLoss",
    "Negative log-likelihood of log-probabilities against class indices.",
    "L = -mean(x[t])",
    "dL/dx = -onehot(t) / n",
    F.nll_loss,
    accuracy="classes",
    torch="F.nll_loss({input}, {target}.long())",
)


def _loss_output(c: NodeContext):
    value = c.inputs["loss"]
    if value.size != 1:
        raise ValueError(f"expects a single number, got shape {value.shape}")
    return value


node(
    "Loss",
    "Output",
    "The number to minimise; the backward pass starts here.",
    (Port("loss"),),
    (),
    (),
    "L",
    "dL/dL = 1",
    _loss_output,
    role="output",
    torch="{loss}",
)

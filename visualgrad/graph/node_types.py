"""The entries of the catalog: every node type a graph can hold, each written once."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

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


def node(name: str, **spec: Any) -> NodeType:
    """Register the node type ``name``; ``spec`` holds its fields by name (see NodeType)."""
    return register(NodeType(name=name, **spec))


def _with_bias(shapes: dict, p, size: int) -> dict:
    return {**shapes, "bias": (size,)} if p.get("bias", True) else shapes


def unary(name: str, apply: Callable, **spec: Any) -> NodeType:
    """A node type from ``x`` to ``y``: ``apply(x, params)`` computes it."""
    return node(name, inputs=X, outputs=Y, compute=lambda c: apply(_x(c), c.params), **spec)


# ---- sources ---------------------------------------------------------------------------
node(
    "Input",
    category="Sources",
    description="The inputs of the current batch of the training dataset.",
    outputs=(Port("x", ANY),),
    forward="x = batch inputs",
    derivative="(a source: its gradient is dL/dx)",
    compute=lambda c: c.batch["x"],
    role="source",
    batch="x",
    torch="inputs",
)
node(
    "Target",
    category="Sources",
    description="The targets (labels or values) of the current batch.",
    outputs=(Port("y", ANY),),
    forward="y = batch targets",
    derivative="(a source: no gradient flows into it)",
    compute=lambda c: c.batch["y"],
    role="source",
    batch="y",
    torch="targets",
)
node(
    "Scalar",
    category="Sources",
    description="A single number you set; its gradient is shown after backward.",
    outputs=Y,
    params=(Param("value", "float", 1.0),),
    forward="y = value",
    derivative="dL/dy is this number's gradient",
    compute=lambda c: vg.tensor(c.params["value"], backend=c.backend, dtype=c.dtype),
    role="source",
    torch="torch.tensor({value})",
)


def _constant(c: NodeContext):
    values, shape = np.array(c.params["values"], dtype=float), tuple(c.params["shape"])
    if values.size != math.prod(shape):
        raise ValueError(f"{values.size} values do not fill shape {shape}")
    return vg.tensor(values.reshape(shape), backend=c.backend, dtype=c.dtype)


node(
    "Constant",
    category="Sources",
    description="A fixed tensor typed in by hand.",
    outputs=Y,
    params=(Param("values", "floats", [1.0]), Param("shape", "ints", [1])),
    forward="y = the values",
    derivative="(a constant: its gradient is shown, nothing changes it)",
    compute=_constant,
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
    category="Sources",
    description="A learnable tensor the optimizer updates.",
    outputs=Y,
    params=(
        Param("shape", "ints", [1]),
        Param("init", "choice", "normal", choices=("normal", "uniform", "value")),
        Param("scale", "float", 1.0, doc="standard deviation, bound, or the value itself"),
    ),
    forward="y = W (learned)",
    derivative="dL/dW is what the optimizer follows",
    compute=lambda c: c.weights["value"],
    init=_parameter_init,
    role="source",
    weight_shapes=lambda p: {"value": tuple(p["shape"])},
    torch="nn.Parameter(torch.empty({shape}))",
)

# ---- elementwise ----------------------------------------------------------------------
ELEMENTWISE = "Elementwise"
node(
    "Add",
    category=ELEMENTWISE,
    description="Sum of two tensors, broadcasting like numpy.",
    inputs=AB,
    outputs=Y,
    forward="y = a + b",
    derivative="dy/da = 1, dy/db = 1",
    compute=lambda c: c.inputs["a"] + c.inputs["b"],
    torch="{a} + {b}",
)
node(
    "Subtract",
    category=ELEMENTWISE,
    description="Difference of two tensors.",
    inputs=AB,
    outputs=Y,
    forward="y = a - b",
    derivative="dy/da = 1, dy/db = -1",
    compute=lambda c: c.inputs["a"] - c.inputs["b"],
    torch="{a} - {b}",
)
node(
    "Multiply",
    category=ELEMENTWISE,
    description="Elementwise product.",
    inputs=AB,
    outputs=Y,
    forward="y = a * b",
    derivative="dy/da = b, dy/db = a",
    compute=lambda c: c.inputs["a"] * c.inputs["b"],
    torch="{a} * {b}",
)
node(
    "Divide",
    category=ELEMENTWISE,
    description="Elementwise quotient.",
    inputs=AB,
    outputs=Y,
    forward="y = a / b",
    derivative="dy/da = 1 / b, dy/db = -a / b^2",
    compute=lambda c: c.inputs["a"] / c.inputs["b"],
    torch="{a} / {b}",
)
unary(
    "Power",
    category=ELEMENTWISE,
    description="x raised to a fixed exponent.",
    forward="y = x^p",
    derivative="dy/dx = p x^(p-1)",
    apply=lambda x, p: x ** p["exponent"],
    params=(Param("exponent", "float", 2.0),),
    torch="{x}**{exponent}",
)
unary(
    "Negate",
    category=ELEMENTWISE,
    description="Minus x.",
    forward="y = -x",
    derivative="dy/dx = -1",
    apply=lambda x, p: -x,
    torch="-{x}",
)
unary(
    "Exp",
    category=ELEMENTWISE,
    description="e to the power x.",
    forward="y = e^x",
    derivative="dy/dx = e^x = y",
    apply=lambda x, p: x.exp(),
    torch="torch.exp({x})",
)
unary(
    "Log",
    category=ELEMENTWISE,
    description="Natural logarithm.",
    forward="y = ln x",
    derivative="dy/dx = 1 / x",
    apply=lambda x, p: x.log(),
    torch="torch.log({x})",
)
unary(
    "Sqrt",
    category=ELEMENTWISE,
    description="Square root.",
    forward="y = sqrt(x)",
    derivative="dy/dx = 1 / (2 sqrt(x))",
    apply=lambda x, p: x.sqrt(),
    torch="torch.sqrt({x})",
)
unary(
    "Abs",
    category=ELEMENTWISE,
    description="Absolute value.",
    forward="y = |x|",
    derivative="dy/dx = sign(x)",
    apply=lambda x, p: x.abs(),
    torch="torch.abs({x})",
)

# ---- activations ------------------------------------------------------------------------
ACTIVATIONS = "Activations"
unary(
    "ReLU",
    category=ACTIVATIONS,
    description="Rectified linear unit: negatives become 0.",
    forward="y = max(0, x)",
    derivative="dy/dx = 1 where x > 0, else 0",
    apply=lambda x, p: x.relu(),
    torch="torch.relu({x})",
)
unary(
    "Sigmoid",
    category=ACTIVATIONS,
    description="Squashes x into (0, 1).",
    forward="y = 1 / (1 + e^-x)",
    derivative="dy/dx = y (1 - y)",
    apply=lambda x, p: x.sigmoid(),
    torch="torch.sigmoid({x})",
)
unary(
    "Tanh",
    category=ACTIVATIONS,
    description="Squashes x into (-1, 1).",
    forward="y = tanh x",
    derivative="dy/dx = 1 - y^2",
    apply=lambda x, p: x.tanh(),
    torch="torch.tanh({x})",
)
unary(
    "LeakyReLU",
    category=ACTIVATIONS,
    description="Like ReLU, but negatives keep a small slope, so their gradient never dies.",
    forward="y = x where x > 0, else slope * x",
    derivative="dy/dx = 1 where x > 0, else slope",
    apply=lambda x, p: F.leaky_relu(x, p["negative_slope"]),
    params=(Param("negative_slope", "float", 0.01, low=0.0, high=1.0),),
    torch="F.leaky_relu({x}, {negative_slope})",
)
unary(
    "Softplus",
    category=ACTIVATIONS,
    description="A smooth ReLU: log(1 + e^x).",
    forward="y = log(1 + e^x)",
    derivative="dy/dx = sigmoid(x)",
    apply=lambda x, p: F.softplus(x),
    torch="F.softplus({x})",
)
unary(
    "Clamp",
    category=ACTIVATIONS,
    description="Holds each value between min and max.",
    forward="y = min(max(x, min), max)",
    derivative="dy/dx = 1 where min <= x <= max, else 0",
    apply=lambda x, p: x.clamp(p["min"], p["max"]),
    params=(Param("min", "float", -1.0), Param("max", "float", 1.0)),
    torch="torch.clamp({x}, {min}, {max})",
)
DIM = Param("dim", "int", -1, doc="the dimension that sums to 1")
unary(
    "Softmax",
    category=ACTIVATIONS,
    description="Turns scores into probabilities along a dimension.",
    forward="y_i = e^x_i / sum_j e^x_j",
    derivative="dy_i/dx_j = y_i (delta_ij - y_j)",
    apply=lambda x, p: F.softmax(x, p["dim"]),
    params=(DIM,),
    torch="torch.softmax({x}, {dim})",
)
unary(
    "LogSoftmax",
    category=ACTIVATIONS,
    description="Log of softmax, computed stably.",
    forward="y_i = x_i - log sum_j e^x_j",
    derivative="dy_i/dx_j = delta_ij - softmax(x)_j",
    apply=lambda x, p: F.log_softmax(x, p["dim"]),
    params=(DIM,),
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
    category=REDUCTIONS,
    description="Adds up elements, over one dimension or all.",
    forward="y = sum_i x_i",
    derivative="dy/dx_i = 1",
    apply=lambda x, p: x.sum(p["dim"], p["keepdim"]),
    params=REDUCE_PARAMS,
    torch="{x}.sum(dim={dim}, keepdim={keepdim})",
)
unary(
    "Mean",
    category=REDUCTIONS,
    description="Average of elements, over one dimension or all.",
    forward="y = (1/n) sum_i x_i",
    derivative="dy/dx_i = 1/n",
    apply=lambda x, p: x.mean(p["dim"], p["keepdim"]),
    params=REDUCE_PARAMS,
    torch="{x}.mean(dim={dim}, keepdim={keepdim})",
)
unary(
    "Max",
    category=REDUCTIONS,
    description="Largest element, over one dimension or all.",
    forward="y = max_i x_i",
    derivative="dy/dx_i = 1 for the largest x_i (shared on ties), else 0",
    apply=lambda x, p: x.amax(p["dim"], p["keepdim"]),
    params=REDUCE_PARAMS,
    torch="torch.amax({x}, dim={dim}, keepdim={keepdim})",
)


def _pick(c: NodeContext):
    x, index = c.inputs["x"], c.inputs["index"]
    if x.dims != 2 or index.shape != (x.shape[0],):
        raise ValueError(f"expects x (N, C) and index (N,), got {x.shape} and {index.shape}")
    return (x * F.one_hot(index, x.shape[1], backend=x.backend).to(x.dtype)).sum(1)


node(
    "Pick",
    category=REDUCTIONS,
    description="One element of each row: the one its index (a class label) names.",
    inputs=(Port("x"), Port("index", ANY)),
    outputs=Y,
    forward="y_i = x[i, t_i]",
    derivative="dy_i/dx_ij = 1 where j = t_i, else 0",
    compute=_pick,
    torch="{x}.gather(1, {index}.long().unsqueeze(1)).squeeze(1)",
)

# ---- shapes ---------------------------------------------------------------------------------
SHAPES = "Shape"
unary(
    "Reshape",
    category=SHAPES,
    description="The same values in another shape (one size may be -1).",
    forward="y = x viewed as shape",
    derivative="dy/dx = 1 (the gradient is reshaped back)",
    apply=lambda x, p: x.reshape(*p["shape"]),
    params=(Param("shape", "ints", [-1]),),
    torch="{x}.reshape({shape})",
)
unary(
    "Transpose",
    category=SHAPES,
    description="Swaps two dimensions.",
    forward="y = x with dims swapped",
    derivative="dy/dx = 1 (the gradient is swapped back)",
    apply=lambda x, p: x.transpose(p["dim0"], p["dim1"]),
    params=(Param("dim0", "int", -2), Param("dim1", "int", -1)),
    torch="{x}.transpose({dim0}, {dim1})",
)
unary(
    "Flatten",
    category=SHAPES,
    description="Flattens every dimension from start_dim on into one.",
    forward="y = x as (batch, -1)",
    derivative="dy/dx = 1 (the gradient is reshaped back)",
    apply=lambda x, p: nn.Flatten(p["start_dim"])(x),
    params=(Param("start_dim", "int", 1, low=0),),
    torch="torch.flatten({x}, {start_dim})",
)
node(
    "MatMul",
    category="Linear algebra",
    description="Matrix product, batched and broadcasting like torch.",
    inputs=AB,
    outputs=Y,
    forward="y = a @ b",
    derivative="dL/da = dL/dy @ b^T, dL/db = a^T @ dL/dy",
    compute=lambda c: c.inputs["a"] @ c.inputs["b"],
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
    category=LAYERS,
    description="Fully connected layer: a matrix product plus a bias.",
    inputs=X,
    outputs=Y,
    params=(
        Param("in_features", "int", 2, **SIZE),
        Param("out_features", "int", 1, **SIZE),
        Param("bias", "bool", True),
    ),
    forward="y = x W^T + b",
    derivative="dy/dx = W, dy/dW = x, dy/db = 1",
    compute=_linear,
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
    category=LAYERS,
    description="1-D convolution over sequences (N, C, L).",
    inputs=X,
    outputs=Y,
    params=CONV,
    forward="y[o, t] = b[o] + sum_c,k W[o, c, k] x[c, t s + k]",
    derivative="dy/dx = W (slid), dy/dW = x (slid)",
    compute=lambda c: F.conv1d(
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
    category=LAYERS,
    description="2-D convolution over images (N, C, H, W).",
    inputs=X,
    outputs=Y,
    params=CONV,
    forward="y[o, i, j] = b[o] + sum_c,u,v W[o, c, u, v] x[c, i s + u, j s + v]",
    derivative="dy/dx = W (slid), dy/dW = x (slid)",
    compute=lambda c: F.conv2d(
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
    category=LAYERS,
    description="Largest value of each window.",
    inputs=X,
    outputs=Y,
    params=POOL,
    forward="y = max over window",
    derivative="dy/dx = 1 at each window's maximum, else 0",
    compute=lambda c: F.max_pool2d(_x(c), c.params["kernel_size"], c.params["stride"] or None),
    torch=_pool("max"),
)
node(
    "AvgPool2d",
    category=LAYERS,
    description="Average of each window.",
    inputs=X,
    outputs=Y,
    params=POOL,
    forward="y = mean over window",
    derivative="dy/dx = 1 / (window size)",
    compute=lambda c: F.avg_pool2d(_x(c), c.params["kernel_size"], c.params["stride"] or None),
    torch=_pool("avg"),
)
node(
    "Embedding",
    category=LAYERS,
    description="Looks up a learned vector for each token id.",
    inputs=(Port("ids", INDEX),),
    outputs=Y,
    params=(Param("num_embeddings", "int", 10, **SIZE), Param("embedding_dim", "int", 4, **SIZE)),
    forward="y = E[ids]",
    derivative="dy/dE[id] = 1 for each row used (added up per id)",
    compute=lambda c: F.embedding(c.inputs["ids"], c.weights["weight"]),
    init=lambda p: _weights(nn.Embedding(p["num_embeddings"], p["embedding_dim"])),
    weight_shapes=lambda p: {"weight": (p["num_embeddings"], p["embedding_dim"])},
    torch="nn.Embedding({num_embeddings}, {embedding_dim})",
)
node(
    "Dropout",
    category=LAYERS,
    description="While training, zeroes each value with probability p.",
    inputs=X,
    outputs=Y,
    params=(Param("p", "float", 0.5, low=0.0, high=1.0),),
    forward="y = x * mask / (1 - p)",
    derivative="dy/dx = mask / (1 - p)",
    compute=lambda c: F.dropout(_x(c), c.params["p"], c.training),
    torch="F.dropout({x}, {p}, self.training)",
)

# ---- losses ------------------------------------------------------------------------------------
LOSSES = "Losses"


def loss(name: str, apply: Callable, **spec: Any) -> NodeType:
    """A loss of ``input`` against ``target``: ``apply(input, target)`` computes it."""
    return node(
        name,
        category=LOSSES,
        inputs=LOSS_INPUTS,
        outputs=LOSS_OUT,
        compute=lambda c: apply(c.inputs["input"], c.inputs["target"]),
        **spec,
    )


loss(
    "MSELoss",
    description="Mean squared error, for regression.",
    forward="L = mean((x - t)^2)",
    derivative="dL/dx = 2 (x - t) / n",
    apply=F.mse_loss,
    torch="F.mse_loss({input}, {target})",
)
loss(
    "BCELoss",
    description="Binary cross-entropy of probabilities against 0/1 targets.",
    forward="L = -mean(t log p + (1 - t) log(1 - p))",
    derivative="dL/dp = (p - t) / (p (1 - p) n)",
    apply=F.binary_cross_entropy,
    accuracy="binary",
    torch="F.binary_cross_entropy({input}, {target})",
)
loss(
    "CrossEntropyLoss",
    description="Softmax cross-entropy of scores against class indices.",
    forward="L = -mean(log softmax(x)[t])",
    derivative="dL/dx = (softmax(x) - onehot(t)) / n",
    apply=F.cross_entropy,
    accuracy="classes",
    torch="F.cross_entropy({input}, {target}.long())",
)
loss(
    "NLLLoss",
    description="Negative log-likelihood of log-probabilities against class indices.",
    forward="L = -mean(x[t])",
    derivative="dL/dx = -onehot(t) / n",
    apply=F.nll_loss,
    accuracy="classes",
    torch="F.nll_loss({input}, {target}.long())",
)
loss(
    "PerceptronLoss",
    description="The multi-class perceptron's loss: the top score minus the true class's.",
    forward="L = mean(max_c x_c - x[t])",
    derivative="dL/dx = (onehot(argmax x) - onehot(t)) / n",
    apply=lambda x, t: x.amax(-1).mean() + F.nll_loss(x, t),
    accuracy="classes",
    torch="{input}.amax(-1).mean() + F.nll_loss({input}, {target}.long())",
)


def _loss_output(c: NodeContext):
    value = c.inputs["loss"]
    if value.size != 1:
        raise ValueError(f"expects a single number, got shape {value.shape}")
    return value


node(
    "Loss",
    category="Output",
    description="The number to minimise; the backward pass starts here.",
    inputs=(Port("loss"),),
    forward="L",
    derivative="dL/dL = 1",
    compute=_loss_output,
    role="output",
    torch="{loss}",
)

from . import more_node_types  # noqa: E402, F401  (registers GELU, Concat, Where, LayerNorm...)

"""Node types for the torch ops a learner wires next: GELU, Concat, Where, Min, ArgMax and
ArgMin, LayerNorm and BatchNorm. Each is one catalog entry, as in ``node_types``.

A node has one output value, so torch's ``values, indices = x.max(dim)`` is two nodes:
Max (or Min) gives the values, ArgMax (or ArgMin) the indices, on an index port that
feeds an Embedding or a loss's target. BatchNorm's running mean and variance (and the
count of batches, for torch's state dict) are kept with its learned weight and bias, so
they are saved and exported with them; they get no gradient, so no optimizer moves them,
and training updates them in place as torch's does.
"""

from __future__ import annotations

from typing import Any

from .. import engine as vg
from ..engine import nn
from ..engine.nn import functional as F
from .catalog import INDEX, NodeContext, Param, Port
from .node_types import (
    ACTIVATIONS,
    LAYERS,
    REDUCE_PARAMS,
    REDUCTIONS,
    SHAPES,
    SIZE,
    X,
    Y,
    _weights,
    _x,
    node,
    unary,
)

unary(
    "GELU",
    category=ACTIVATIONS,
    description="A smooth ReLU that weighs x by how likely a normal value is below it.",
    forward="y = x Phi(x), Phi the standard normal CDF",
    derivative="dy/dx = Phi(x) + x phi(x), phi the normal density",
    apply=lambda x, p: F.gelu(x),
    torch="F.gelu({x})",
)
unary(
    "Min",
    category=REDUCTIONS,
    description="Smallest element, over one dimension or all.",
    forward="y = min_i x_i",
    derivative="dy/dx_i = 1 for the smallest x_i (shared on ties), else 0",
    apply=lambda x, p: x.amin(p["dim"], p["keepdim"]),
    params=REDUCE_PARAMS,
    torch="torch.amin({x}, dim={dim}, keepdim={keepdim})",
)
ALONG = (Param("dim", "int", -1), Param("keepdim", "bool", False))


def _arg(smallest: bool):
    def compute(c: NodeContext):
        found = _x(c).min if smallest else _x(c).max
        return found(c.params["dim"], c.params["keepdim"]).indices

    return compute


for name, smallest in (("ArgMax", False), ("ArgMin", True)):
    word = "smallest" if smallest else "largest"
    node(
        name,
        category=REDUCTIONS,
        description=f"Where the {word} element of each slice along a dimension is.",
        inputs=X,
        outputs=(Port("indices", INDEX),),
        params=ALONG,
        forward=f"i = the first index of the {word} x along dim",
        derivative="(indices: no gradient flows back through them)",
        compute=_arg(smallest),
        torch=f"torch.{name.lower()}({{x}}, {{dim}}, keepdim={{keepdim}})",
    )


node(
    "Concat",
    category=SHAPES,
    description="Joins two tensors end to end along a dimension.",
    inputs=(Port("a"), Port("b")),
    outputs=Y,
    params=(Param("dim", "int", -1),),
    forward="y = [a, b] along dim",
    derivative="dy/da = 1 on a's part, dy/db = 1 on b's part (the gradient is split)",
    compute=lambda c: vg.cat([c.inputs["a"], c.inputs["b"]], c.params["dim"]),
    torch="torch.cat([{a}, {b}], {dim})",
)
node(
    "Where",
    category="Elementwise",
    description="Picks a where the condition is nonzero, else b, broadcasting all three.",
    inputs=(Port("condition"), Port("a"), Port("b")),
    outputs=Y,
    forward="y = a where condition != 0, else b",
    derivative="dy/da = 1 where picked from a, dy/db = 1 where from b, else 0",
    compute=lambda c: vg.where(c.inputs["condition"], c.inputs["a"], c.inputs["b"]),
    torch="torch.where({condition} != 0, {a}, {b})",
)


def _affine_shapes(shape: tuple[int, ...], affine: bool) -> dict[str, tuple[int, ...]]:
    return {"weight": shape, "bias": shape} if affine else {}


node(
    "LayerNorm",
    category=LAYERS,
    description="Normalizes each example over its last dimensions, then scales and shifts.",
    inputs=X,
    outputs=Y,
    params=(
        Param("normalized_shape", "ints", [4], doc="the trailing dims to normalize over"),
        Param("eps", "float", 1e-5, low=0.0),
        Param("elementwise_affine", "bool", True),
    ),
    forward="y = (x - mean) / sqrt(var + eps) * w + b",
    derivative="dy/dx = w / sqrt(var + eps) (minus the parts through mean and var)",
    compute=lambda c: F.layer_norm(
        _x(c),
        c.params["normalized_shape"],
        c.weights.get("weight"),
        c.weights.get("bias"),
        c.params["eps"],
    ),
    init=lambda p: _weights(nn.LayerNorm(p["normalized_shape"], p["eps"], p["elementwise_affine"])),
    weight_shapes=lambda p: _affine_shapes(tuple(p["normalized_shape"]), p["elementwise_affine"]),
    torch="nn.LayerNorm({normalized_shape}, eps={eps}, elementwise_affine={elementwise_affine})",
)

RUNNING = ("running_mean", "running_var", "num_batches_tracked")


def _batch_norm(c: NodeContext):
    w = c.weights
    x = _x(c)
    channels = w["weight"].shape[0]
    if x.dims not in (2, 3) or x.shape[1] != channels:
        raise ValueError(f"expects (N, {channels}) or (N, {channels}, L), got {x.shape}")
    if c.training:  # batch statistics; the running ones move in place, as torch's
        with vg.no_grad():
            w["num_batches_tracked"].data = w["num_batches_tracked"] + 1.0
        stats = w["running_mean"], w["running_var"]
    else:  # the running statistics, read as constants
        stats = w["running_mean"].detach(), w["running_var"].detach()
    momentum, eps = c.params["momentum"], c.params["eps"]
    return F.batch_norm(x, *stats, w["weight"], w["bias"], c.training, momentum, eps)


def _batch_norm_init(p: dict[str, Any]):
    module = nn.BatchNorm1d(p["num_features"], p["eps"], p["momentum"])
    return {name: value.to_numpy() for name, value in module.state_dict().items()}


node(
    "BatchNorm",
    category=LAYERS,
    description="Normalizes each channel over the batch while training, by running "
    "averages after; then scales and shifts.",
    inputs=X,
    outputs=Y,
    params=(
        Param("num_features", "int", 4, **SIZE),
        Param("eps", "float", 1e-5, low=0.0),
        Param("momentum", "float", 0.1, low=0.0, high=1.0),
    ),
    forward="y = (x - mean) / sqrt(var + eps) * w + b (batch stats in training, running after)",
    derivative="dy/dx = w / sqrt(var + eps) (in training, minus the parts through the batch's "
    "mean and var)",
    compute=_batch_norm,
    init=_batch_norm_init,
    weight_shapes=lambda p: {
        **_affine_shapes((p["num_features"],), True),
        "running_mean": (p["num_features"],),
        "running_var": (p["num_features"],),
        "num_batches_tracked": (),
    },
    torch="nn.BatchNorm1d({num_features}, eps={eps}, momentum={momentum})",
)

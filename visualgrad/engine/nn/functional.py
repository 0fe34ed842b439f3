"""Neural-network functions with torch's names, arguments and shapes.

Most are composed of the engine's primitive Functions, so their gradients come
from those: average pooling from im2col (``Unfold``) and a mean. Linear,
convolution, max pooling, embedding, softmax, log-softmax and the losses are fused Functions
(``fused_functions``) with an analytic backward, for speed; the tests hold each
equal to its composed form.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..elementwise_functions import GELU
from ..fused_functions import (
    BinaryCrossEntropy,
    Conv2d,
    Embedding,
    Linear,
    MaxPool2d,
    MSELoss,
    NLLLoss,
    Softmax,
)
from ..indexing_functions import pad as _pad
from ..random import generator
from ..tensor import Tensor, tensor
from ..tensor_data import FLOAT64, windows_out
from ..tensor_functions import LeakyReLU, Softplus, Unfold
from .normalization import batch_norm as _batch_norm
from .normalization import layer_norm as _layer_norm

_REDUCTIONS = ("mean", "sum", "none")


def _reduction(reduction: str, op: str) -> str:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    return reduction


def _reduce(loss: Tensor, reduction: str, op: str) -> Tensor:
    reduction = _reduction(reduction, op)
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def _pair(value: int | tuple[int, int], name: str, op: str) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(pair) != 2 or any(int(v) != v for v in pair):
        raise ValueError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    return int(pair[0]), int(pair[1])


def _indices(target: Any, op: str) -> np.ndarray:
    """Class indices (or token ids) as an int64 array; TypeError if they are not whole numbers."""
    values = target.to_numpy() if isinstance(target, Tensor) else np.asarray(target)
    if values.dtype.kind not in "biuf":
        raise TypeError(f"{op}: expected integer indices, got values of dtype {values.dtype}")
    if values.dtype.kind == "f" and not np.isfinite(values).all():  # NaN has no int to cast to
        raise TypeError(f"{op}: expected integer indices, got non-integer values")
    as_int = values.astype(np.int64)
    if not np.array_equal(as_int, values):
        raise TypeError(f"{op}: expected integer indices, got non-integer values")
    return as_int


def _in_range(idx: np.ndarray, classes: int, op: str) -> np.ndarray:
    """``idx`` itself; ValueError naming the first index outside ``[0, classes)``."""
    if idx.size and (idx.min() < 0 or idx.max() >= classes):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise ValueError(f"{op}: index {bad} is out of range for {classes} classes")
    return idx


def one_hot(indices: Any, num_classes: int, backend: Any = None) -> Tensor:
    """A tensor of shape ``indices.shape + (num_classes,)`` with a 1 at each index."""
    idx = _in_range(_indices(indices, "one_hot"), num_classes, "one_hot")
    table = np.zeros(idx.shape + (num_classes,))
    np.put_along_axis(table, idx[..., None], 1.0, axis=-1)
    if backend is None and isinstance(indices, Tensor):
        backend = indices.backend
    return tensor(table, backend=backend)


# ---- layers and activations -----------------------------------------------------------
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight^T + bias``: input (*, in), weight (out, in), bias (out,)."""
    if weight.dims != 2:
        raise ValueError(f"linear: weight must be (out, in), got {weight.shape}")
    if input.dims == 0 or input.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear: expects (*, {weight.shape[1]}), got {input.shape}")
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ValueError(f"linear: bias must have shape ({weight.shape[0]},), got {bias.shape}")
    for other in (weight, bias):
        if other is not None and other.backend is not input.backend:
            raise TypeError(
                f"linear: tensors are on different backends ({input.backend.name} and "
                f"{other.backend.name}); move one with .to()"
            )
    return Linear.apply(input, weight, bias)


def relu(x: Tensor) -> Tensor:
    return x.relu()


def sigmoid(x: Tensor) -> Tensor:
    return x.sigmoid()


def tanh(x: Tensor) -> Tensor:
    return x.tanh()


def _softmax(x: Tensor, dim: int, log: bool, op: str) -> Tensor:
    if x.dims == 0:
        return Softmax.apply(x.view(1), 0, log).view()
    if not -x.dims <= dim < x.dims:
        raise ValueError(f"{op}: dimension {dim} is out of range for shape {x.shape}")
    return Softmax.apply(x, int(dim) % x.dims, log)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x where x > 0, else negative_slope * x (a slope between 0 and 1)."""
    if not 0.0 <= negative_slope <= 1.0:
        raise ValueError(
            f"leaky_relu: negative_slope must be between 0 and 1, got {negative_slope}"
        )
    return LeakyReLU.apply(x, float(negative_slope))


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """x Phi(x), Phi the standard normal CDF (the exact erf form, torch's default)."""
    if approximate != "none":
        raise ValueError(
            f"gelu: only the exact form (approximate='none') is supported, got {approximate!r}"
        )
    return GELU.apply(x)


def softplus(x: Tensor, beta: float = 1.0) -> Tensor:
    """log(1 + e^(beta x)) / beta, a smooth relu; its derivative is sigmoid(beta x)."""
    if beta <= 0:
        raise ValueError(f"softplus: beta must be positive, got {beta}")
    if beta == 1.0:
        return Softplus.apply(x)
    return Softplus.apply(x * float(beta)) * (1.0 / beta)


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``, computed after subtracting the max (stable)."""
    return _softmax(x, dim, False, "softmax")


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    """log(softmax(x)) along ``dim``, as x - max - log(sum(exp(x - max)))."""
    return _softmax(x, dim, True, "log_softmax")


def dropout(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p); identity in eval."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be between 0 and 1, got {p}")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    keep = generator().random(x.shape) >= p
    return x * tensor(keep / (1.0 - p), backend=x.backend, dtype=x.dtype)


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float = 0.0) -> Tensor:
    """Pad with ``value``: ``pad`` is (left, right) for the last dim, then the one before...;
    negative sizes crop. Only torch's constant mode."""
    if mode != "constant":
        raise ValueError(f"pad: only mode 'constant' is supported, got {mode!r}")
    return _pad(input, pad, value)


def layer_norm(
    input: Tensor,
    normalized_shape: Any,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalize over the trailing ``normalized_shape``, then scale and shift, as torch's."""
    return _layer_norm(input, normalized_shape, weight, bias, eps)


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Per-channel normalization of (N, C) or (N, C, L), as ``torch.nn.functional.batch_norm``."""
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


# ---- convolution and pooling -------------------------------------------------------
def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
) -> Tensor:
    """2-D cross-correlation: input (N, C, H, W), weight (O, C, kh, kw) -> (N, O, OH, OW)."""
    stride, padding = _pair(stride, "stride", "conv2d"), _pair(padding, "padding", "conv2d")
    if input.dims != 4 or weight.dims != 4:
        raise ValueError(
            f"conv2d: expected input (N, C, H, W) and weight (O, C, kh, kw), "
            f"got {input.shape} and {weight.shape}"
        )
    n, c, h, w = input.shape
    o, wc, kh, kw = weight.shape
    if wc != c:
        raise ValueError(
            f"conv2d: input {input.shape} has {c} channels but weight {weight.shape} expects {wc}"
        )
    if min(stride) < 1 or min(padding) < 0:
        raise ValueError(
            f"conv2d: stride must be >= 1 and padding >= 0, got {stride} and {padding}"
        )
    oh, ow = windows_out((h, w), (kh, kw), stride, padding)
    if oh < 1 or ow < 1:
        raise ValueError(f"conv2d: kernel {(kh, kw)} is larger than the padded input {input.shape}")
    if bias is not None and bias.shape != (o,):
        raise ValueError(f"conv2d: bias must have shape ({o},), got {bias.shape}")
    return Conv2d.apply(input, weight, bias, stride, padding)


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int = 1,
    padding: int = 0,
) -> Tensor:
    """1-D cross-correlation: input (N, C, L), weight (O, C, k) -> (N, O, OL)."""
    if input.dims != 3 or weight.dims != 3:
        raise ValueError(
            "conv1d: expected input (N, C, L) and weight (O, C, k), "
            f"got {input.shape} and {weight.shape}"
        )
    if weight.shape[1] != input.shape[1]:
        raise ValueError(
            f"conv1d: input {input.shape} has {input.shape[1]} channels but weight {weight.shape} "
            f"expects {weight.shape[1]}"
        )
    n, c, length = input.shape
    out = conv2d(
        input.view(n, c, 1, length),
        weight.reshape(weight.shape[0], c, 1, weight.shape[2]),
        bias,
        stride=(1, int(stride)),
        padding=(0, int(padding)),
    )
    return out.view(n, out.shape[1], out.shape[3])


def _window_sizes(
    input: Tensor, kernel_size: Any, stride: Any, op: str
) -> tuple[tuple[int, int], tuple[int, int]]:
    """The checked (kernel, stride) of a pooling of (N, C, H, W); stride defaults to kernel."""
    if input.dims != 4:
        raise ValueError(f"{op}: expected input (N, C, H, W), got {input.shape}")
    kernel = _pair(kernel_size, "kernel_size", op)
    step = kernel if stride is None else _pair(stride, "stride", op)
    if min(kernel) < 1 or min(step) < 1:
        raise ValueError(f"{op}: kernel_size and stride must be >= 1, got {kernel} and {step}")
    oh, ow = windows_out(input.shape[2:], kernel, step, (0, 0))
    if oh < 1 or ow < 1:
        raise ValueError(
            f"{op}: kernel {kernel} with stride {step} does not fit input {input.shape}"
        )
    return kernel, step


def _windows(
    input: Tensor, kernel_size: Any, stride: Any, op: str
) -> tuple[Tensor, tuple[int, ...]]:
    """Every pooling window of (N, C, H, W) as (N*C, kh*kw, OH*OW), and the output shape."""
    kernel, step = _window_sizes(input, kernel_size, stride, op)
    n, c, h, w = input.shape
    oh, ow = windows_out((h, w), kernel, step, (0, 0))
    cols = Unfold.apply(input.reshape(n * c, 1, h, w), kernel, step, (0, 0))
    return cols, (n, c, oh, ow)


def max_pool2d(input: Tensor, kernel_size: int | tuple[int, int], stride: Any = None) -> Tensor:
    """The maximum of each window; ``stride`` defaults to ``kernel_size``."""
    kernel, step = _window_sizes(input, kernel_size, stride, "max_pool2d")
    return MaxPool2d.apply(input, kernel, step)


def avg_pool2d(input: Tensor, kernel_size: int | tuple[int, int], stride: Any = None) -> Tensor:
    """The mean of each window; ``stride`` defaults to ``kernel_size``."""
    cols, shape = _windows(input, kernel_size, stride, "avg_pool2d")
    return cols.mean(1).view(*shape)


def embedding(input: Any, weight: Tensor) -> Tensor:
    """Rows of ``weight`` (V, D) picked by integer ``input`` of any shape -> input.shape + (D,)."""
    if weight.dims != 2:
        raise ValueError(f"embedding: weight must be (num_embeddings, dim), got {weight.shape}")
    idx = _in_range(_indices(input, "embedding"), weight.shape[0], "embedding")
    return Embedding.apply(weight, tensor(idx.astype(np.float64), backend=weight.backend))


# ---- losses ----------------------------------------------------------------------------
def _same_shape(input: Tensor, target: Tensor, op: str) -> Tensor:
    if not isinstance(target, Tensor):
        target = tensor(target, backend=input.backend, dtype=input.dtype)
    if input.shape != target.shape:
        raise ValueError(f"{op}: input shape {input.shape} and target shape {target.shape} differ")
    return target


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """(input - target)^2, averaged (or summed, or kept); the gradient is 2 (input - target)."""
    target = _same_shape(input, target, "mse_loss")
    return MSELoss.apply(input, target, _reduction(reduction, "mse_loss"))


def binary_cross_entropy(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """-(t log p + (1 - t) log(1 - p)), with each log clamped at -100 as torch does."""
    target = _same_shape(input, target, "binary_cross_entropy")
    reduction = _reduction(reduction, "binary_cross_entropy")
    return BinaryCrossEntropy.apply(input, target, reduction, False)


def binary_cross_entropy_with_logits(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """binary_cross_entropy(sigmoid(input), target), stable for any score; dL/dx = p - t."""
    target = _same_shape(input, target, "binary_cross_entropy_with_logits")
    reduction = _reduction(reduction, "binary_cross_entropy_with_logits")
    return BinaryCrossEntropy.apply(input, target, reduction, True)


def _class_targets(input: Tensor, target: Any, op: str, what: str) -> Tensor:
    """The checked class indices of ``target`` (N,), as a tensor on the input's backend."""
    if input.dims != 2:
        raise ValueError(f"{op}: expected {what} (N, C), got {input.shape}")
    if (
        isinstance(target, Tensor)
        and target.backend is input.backend
        and target.shape == (input.shape[0],)
        and target.dtype == FLOAT64
        and target.is_contiguous()
        and target.backend.whole_in_range(target._data, input.shape[1])
    ):  # a batch's labels, checked in place: the copies and checks below cost ~6 us a call
        return target.detach()
    idx = _indices(target, op)
    if idx.shape != (input.shape[0],):
        raise ValueError(
            f"{op}: target shape {idx.shape} does not match input {input.shape}: "
            f"expected ({input.shape[0]},)"
        )
    idx = _in_range(idx, input.shape[1], op)
    return tensor(idx.astype(np.float64), backend=input.backend)


def nll_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """-input[i, target[i]]: input (N, C) of log-probabilities, target (N,) class indices."""
    classes = _class_targets(input, target, "nll_loss", "input")
    return NLLLoss.apply(input, classes, _reduction(reduction, "nll_loss"), False)


def cross_entropy(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy of logits (N, C) against class indices (N,); dL/dx = p - onehot."""
    classes = _class_targets(input, target, "cross_entropy", "logits")
    return NLLLoss.apply(input, classes, _reduction(reduction, "cross_entropy"), True)

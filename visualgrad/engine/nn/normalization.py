"""Layer and batch normalization, with torch's arguments, defaults and numbers.

Both are compositions of the engine's primitives (means, a biased variance, a square
root), so their gradients come from those rules. Batch normalization keeps running
estimates of the mean and the unbiased variance as buffers, updated in training and used
in evaluation, as torch's.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..autodiff import no_grad
from ..tensor import Tensor, ones, zeros
from .module import Module, Parameter


def _normalized(x: Tensor, dims: tuple[int, ...], eps: float) -> Tensor:
    """``(x - mean) / sqrt(var + eps)`` over ``dims``, with the biased variance."""
    centred = x - x.mean(dims, keepdim=True)
    var = (centred * centred).mean(dims, keepdim=True)
    return centred / (var + eps).sqrt()


def layer_norm(
    input: Tensor,
    normalized_shape: Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalize over the last ``len(normalized_shape)`` dims, then scale and shift."""
    shape = tuple(int(n) for n in normalized_shape)
    if not shape or input.shape[input.dims - len(shape) :] != shape:
        raise ValueError(
            f"layer_norm: input {input.shape} does not end with normalized_shape {shape}"
        )
    out = _normalized(input, tuple(range(input.dims - len(shape), input.dims)), eps)
    if weight is not None:
        out = out * weight
    return out if bias is None else out + bias


def _channel_dims(input: Tensor, op: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The dims batch statistics are taken over, and the shape a (C,) tensor broadcasts as."""
    if input.dims not in (2, 3):
        raise ValueError(f"{op}: expected input (N, C) or (N, C, L), got {input.shape}")
    if input.dims == 2:
        return (0,), (input.shape[1],)
    return (0, 2), (input.shape[1], 1)


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
    """Normalize each channel of (N, C) or (N, C, L) by the batch's statistics while training
    (updating the running ones in place: new = (1 - momentum) old + momentum batch, with the
    unbiased variance), or by the running ones in evaluation."""
    dims, channel = _channel_dims(input, "batch_norm")
    if training:
        count = input.size // input.shape[1]
        if count < 2:
            raise ValueError(
                f"batch_norm: expected more than 1 value per channel when training, "
                f"got input {input.shape}"
            )
        out = _normalized(input, dims, eps)
        if running_mean is not None and running_var is not None:
            with no_grad():
                mean = input.mean(dims)
                var = input.var(dims, correction=1)
                running_mean.data = running_mean * (1.0 - momentum) + mean * momentum
                running_var.data = running_var * (1.0 - momentum) + var * momentum
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: evaluation needs running_mean and running_var")
        mean, var = running_mean.view(*channel), running_var.view(*channel)
        out = (input - mean) / (var + eps).sqrt()
    if weight is not None:
        out = out * weight.view(*channel)
    return out if bias is None else out + bias.view(*channel)


class LayerNorm(Module):
    """``torch.nn.LayerNorm``: normalize over the trailing ``normalized_shape``; with
    ``elementwise_affine`` a learned weight (ones) and bias (zeros) of that shape."""

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
    ) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
        self.normalized_shape = tuple(int(n) for n in shape)
        if not self.normalized_shape or min(self.normalized_shape) < 1:
            raise ValueError(f"LayerNorm: invalid normalized_shape {normalized_shape!r}")
        self.eps = eps
        self.weight = Parameter(ones(*self.normalized_shape)) if elementwise_affine else None
        self.bias = (
            Parameter(zeros(*self.normalized_shape)) if elementwise_affine and bias else None
        )

    def forward(self, x: Tensor) -> Tensor:
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        affine = self.weight is not None
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={affine}"


class BatchNorm1d(Module):
    """``torch.nn.BatchNorm1d`` over (N, C) or (N, C, L): learned weight (ones) and bias
    (zeros) with ``affine``; buffers running_mean (zeros), running_var (ones) and
    num_batches_tracked. ``momentum`` None gives the cumulative average, as torch's."""

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
    ) -> None:
        super().__init__()
        if num_features < 1:
            raise ValueError(f"BatchNorm1d: num_features must be positive, got {num_features}")
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = Parameter(ones(num_features)) if affine else None
        self.bias = Parameter(zeros(num_features)) if affine else None
        self.track_running_stats = track_running_stats
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features))
            self.register_buffer("running_var", ones(num_features))
            self.register_buffer("num_batches_tracked", zeros(()))

    def forward(self, x: Tensor) -> Tensor:
        if x.dims in (2, 3) and x.shape[1] != self.num_features:
            raise ValueError(
                f"BatchNorm1d: expected {self.num_features} channels, got input {x.shape}"
            )
        momentum = 0.0 if self.momentum is None else self.momentum
        tracking = self.track_running_stats
        if self.training and tracking:
            with no_grad():
                self.num_batches_tracked.data = self.num_batches_tracked + 1.0
            if self.momentum is None:
                momentum = 1.0 / self.num_batches_tracked.item()
        stats = (self.running_mean, self.running_var) if tracking else (None, None)
        return batch_norm(
            x,
            *stats,
            self.weight,
            self.bias,
            self.training or not tracking,
            momentum,
            self.eps,
        )

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"

"""Layers with torch's constructors, shapes and default initialisation."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from ..random import generator
from ..tensor import Tensor
from . import functional as F
from .module import Module, Parameter


def _uniform(bound: float, *shape: int) -> Parameter:
    return Parameter(generator().uniform(-bound, bound, size=shape))


class Linear(Module):
    """y = x W^T + b, with W (out, in) and b (out,) drawn from U(-1/sqrt(in), 1/sqrt(in))."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        super().__init__()
        if in_features < 1 or out_features < 1:
            raise ValueError(f"Linear: sizes must be positive, got ({in_features}, {out_features})")
        self.in_features, self.out_features = in_features, out_features
        bound = 1.0 / math.sqrt(in_features)
        self.weight = _uniform(bound, out_features, in_features)
        self.bias = _uniform(bound, out_features) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        if x.dims == 0 or x.shape[-1] != self.in_features:
            raise ValueError(f"Linear: expects (*, {self.in_features}), got {x.shape}")
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        bias = self.bias is not None
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={bias}"


class _Conv(Module):
    """A convolution layer; weight (O, C, *kernel), torch's default initialisation."""

    dims = 2
    function = staticmethod(F.conv2d)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        bias: bool = True,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        kernel = (
            (int(kernel_size),) if self.dims == 1 else F._pair(kernel_size, "kernel_size", name)
        )
        self.stride, self.padding = stride, padding
        bound = 1.0 / math.sqrt(in_channels * math.prod(kernel))
        self.weight = _uniform(bound, out_channels, in_channels, *kernel)
        self.bias = _uniform(bound, out_channels) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        return self.function(x, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self) -> str:
        o, c, *kernel = self.weight.shape
        size = kernel[0] if self.dims == 1 else tuple(kernel)
        return f"{c}, {o}, kernel_size={size}, stride={self.stride}, padding={self.padding}"


class Conv2d(_Conv):
    """2-D convolution layer over (N, C, H, W); weight (O, C, kh, kw)."""


class Conv1d(_Conv):
    """1-D convolution layer over (N, C, L); weight (O, C, k)."""

    dims = 1
    function = staticmethod(F.conv1d)


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``, drawn from N(0, 1)."""

    def __init__(self, num_embeddings: int, embedding_dim: int) -> None:
        super().__init__()
        self.weight = Parameter(generator().standard_normal((num_embeddings, embedding_dim)))

    def forward(self, indices: Any) -> Tensor:
        return F.embedding(indices, self.weight)

    def extra_repr(self) -> str:
        return f"{self.weight.shape[0]}, {self.weight.shape[1]}"


class ReLU(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x.relu()


class Sigmoid(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x.sigmoid()


class Tanh(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x.tanh()


class _AlongDim(Module):
    """A function of ``x`` along one dimension, kept as the module's ``dim``."""

    function = staticmethod(F.softmax)

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return self.function(x, self.dim)


class Softmax(_AlongDim):
    function = staticmethod(F.softmax)


class LogSoftmax(_AlongDim):
    function = staticmethod(F.log_softmax)


class Dropout(Module):
    """Inverted dropout while training; the identity after ``eval()``."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be between 0 and 1, got {p}")
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training)


class Flatten(Module):
    """Flatten dimensions ``start_dim`` onwards into one, as ``torch.nn.Flatten``."""

    def __init__(self, start_dim: int = 1) -> None:
        super().__init__()
        self.start_dim = start_dim

    def forward(self, x: Tensor) -> Tensor:
        return x.reshape(*x.shape[: self.start_dim], -1)


class _Pool2d(Module):
    """A pooling of (N, C, H, W) windows; ``stride`` defaults to ``kernel_size``."""

    function = staticmethod(F.max_pool2d)

    def __init__(self, kernel_size: Any, stride: Any = None) -> None:
        super().__init__()
        self.kernel_size, self.stride = kernel_size, stride

    def forward(self, x: Tensor) -> Tensor:
        return self.function(x, self.kernel_size, self.stride)


class MaxPool2d(_Pool2d):
    function = staticmethod(F.max_pool2d)


class AvgPool2d(_Pool2d):
    function = staticmethod(F.avg_pool2d)


class Sequential(Module):
    """Modules applied in order; indexable like a list."""

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for i, module in enumerate(modules):
            setattr(self, str(i), module)

    def forward(self, x: Any) -> Any:
        for module in self.children():
            x = module(x)
        return x

    def __getitem__(self, index: int) -> Module:
        return list(self.children())[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return self.children()

"""The autodiff engine: tensors, Functions, backends, nn, optim, datasets.

from visualgrad import engine as vg
x = vg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
y = ((x @ x).relu() * 2 - 1).sum()
y.backward()
x.grad.to_numpy()
"""

from . import backends, datasets, nn, optim
from .autodiff import Function, is_grad_enabled, no_grad
from .random import manual_seed
from .tensor import (
    Tensor,
    arange,
    eye,
    full,
    full_like,
    matmul,
    ones,
    ones_like,
    rand,
    rand_like,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)

__all__ = [
    "Function",
    "Tensor",
    "arange",
    "backends",
    "datasets",
    "eye",
    "full",
    "full_like",
    "is_grad_enabled",
    "manual_seed",
    "matmul",
    "nn",
    "no_grad",
    "ones",
    "ones_like",
    "optim",
    "rand",
    "rand_like",
    "randn",
    "randn_like",
    "tensor",
    "zeros",
    "zeros_like",
]

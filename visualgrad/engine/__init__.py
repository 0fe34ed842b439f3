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
from .tensor import Tensor, full, matmul, ones, rand, randn, tensor, zeros

__all__ = [
    "Function",
    "Tensor",
    "backends",
    "datasets",
    "full",
    "is_grad_enabled",
    "manual_seed",
    "matmul",
    "nn",
    "no_grad",
    "ones",
    "optim",
    "rand",
    "randn",
    "tensor",
    "zeros",
]

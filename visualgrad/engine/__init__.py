"""The autodiff engine: tensors, Functions, backends, nn, optim, datasets.

from visualgrad import engine as vg
x = vg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
y = ((x @ x).relu() * 2 - 1).sum()
y.backward()
x.grad.to_numpy()

Tensors are float64 unless made with dtype="float32" (or vg.float32), or converted with
``.float()``; an op on both computes in float64, as torch's.
"""

from . import backends, datasets, nn, optim
from .autodiff import Function, is_grad_enabled, no_grad
from .indexing_functions import cat, gather, stack, where
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
from .tensor_data import FLOAT32 as float32
from .tensor_data import FLOAT64 as float64

__all__ = [
    "Function",
    "Tensor",
    "arange",
    "backends",
    "cat",
    "datasets",
    "eye",
    "float32",
    "float64",
    "full",
    "full_like",
    "gather",
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
    "stack",
    "tensor",
    "where",
    "zeros",
    "zeros_like",
]

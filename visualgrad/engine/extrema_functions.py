"""The largest and smallest values along a dimension, with their indices, as torch gives them.

``x.max(dim)`` and ``x.min(dim)`` return ``(values, indices)``: the index is the first that
holds the extreme value (a NaN wins, as in torch), and the whole gradient of each value
goes to that one element. They run on the backend's max-pooling kernels, which find
exactly that along the middle dimension of an (R, K, L) block. ``amax``/``amin`` (and
``max()`` over every dim) share the gradient among ties instead, as torch's do.
"""

from __future__ import annotations

from typing import NamedTuple

from . import index_tensors
from .autodiff import Context, EngineFunction
from .tensor import Tensor
from .tensor_data import Shape, TensorData
from .tensor_functions import _new, contiguous_, kept_shape, map_, reduced_shape


class ValuesIndices(NamedTuple):
    """What ``max(dim)`` and ``min(dim)`` return, as ``torch.return_types.max``: the values
    and the indices (whole numbers, with no gradient) along the dimension."""

    values: Tensor
    indices: Tensor


def _blocks(shape: Shape, dim: int) -> tuple[int, int, int]:
    """(R, K, L): the sizes before ``dim``, of ``dim``, and after it (a 0-d shape is (1,))."""
    shape, rows, length = shape or (1,), 1, 1
    for n in shape[:dim]:
        rows *= n
    for n in shape[dim + 1 :]:
        length *= n
    return rows, shape[dim], length


def _first_largest(a: Tensor, dim: int) -> tuple[Tensor, Tensor]:
    """The largest value along ``dim`` of ``a`` and the first index holding it, each (R, L)."""
    rows, k, length = _blocks(a.shape, dim)
    cols = TensorData.contiguous_over(contiguous_(a)._data.storage, (rows, k, length))
    values = _new((rows, length), a.backend, dtype=a.dtype)
    index = _new((rows, length), a.backend)  # whole floats, as the pooling kernels write them
    if values.size:
        a.backend.window_max(cols, values._data, index._data)
    return values, index


class PickAlong(EngineFunction):
    """The values already picked along ``dim`` at ``index`` (R, L); the gradient of each goes
    to the one element it was picked from."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, dim: int, index: Tensor, values: Tensor) -> Tensor:
        ctx.save_for_backward(a.shape, dim, index)
        return Tensor(values._data, values.backend)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None, None]:
        shape, dim, index = ctx.saved_values
        rows, k, length = _blocks(shape, dim)
        out = _new(shape, grad.backend, zeroed=True, dtype=grad.dtype)
        if grad.size:
            flat = TensorData.contiguous_over(contiguous_(grad)._data.storage, (rows, length))
            cols = TensorData.contiguous_over(out._data.storage, (rows, k, length))
            grad.backend.window_max_backward(flat, index._data, cols)
        return out, None, None, None


def extreme_along(a: Tensor, dim: int, keepdim: bool, smallest: bool) -> ValuesIndices:
    """``a.max(dim)`` (or ``a.min(dim)`` when ``smallest``) with its indices."""
    rank = max(a.dims, 1)
    if not -rank <= dim < rank:
        op = "min" if smallest else "max"
        raise ValueError(f"{op}: dimension {dim} is out of range for shape {a.shape}")
    dim = int(dim) % rank
    shape = a.shape or (1,)
    if shape[dim] == 0:
        op = "min" if smallest else "max"
        raise ValueError(f"{op}: dimension {dim} of shape {a.shape} is empty")
    values, index = _first_largest(map_("neg", a) if smallest else a, dim)
    if smallest:
        values = map_("neg", values)
    out_shape = kept_shape(shape, dim) if keepdim else reduced_shape(shape, dim, False)
    if a.dims == 0:
        out_shape = ()
    picked = PickAlong.apply(a, dim, index, values)
    indices = index_tensors.Indices(index._data.view(out_shape), a.backend)
    return ValuesIndices(picked.view(*out_shape), indices)

"""Picking and placing elements: gather, indexing, cat, stack, pad and where.

Two primitive Functions carry every gradient rule here. ``Take`` reads elements of a
tensor at flat positions worked out on the host (``out[i] = a.flat[index[i]]``) and
sends the gradient back with a scatter-add; ``Place`` writes tensors at such positions of
a new one and reads each its part of the gradient back. Both run on the backend's
embedding kernels (a row gather and a row scatter-add), so they work on every backend
without kernels of their own. TensorData has no storage offset, so a slice is a copy,
not a view. Indexing, gather, cat, stack, pad and where are compositions of the two
(and ``Expand``); a zero placed by ``Place`` loses its sign (0 + -0 is +0).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import index_tensors
from .autodiff import Context, EngineFunction
from .tensor import Tensor, tensor
from .tensor_data import Shape, TensorData, shape_broadcast
from .tensor_functions import _new, cast_, contiguous_, map_, sum_to, zip_

Mask, Indices = index_tensors.Mask, index_tensors.Indices  # tensor.py uses indexing.Mask


def _flat_rows(t: Tensor) -> TensorData:
    """A contiguous tensor's data as (size, 1) rows, the layout the embedding kernels read."""
    return TensorData.contiguous_over(t._data.storage, (t.size, 1))


def positions_tensor(positions: np.ndarray, backend) -> Tensor:
    """Whole-number flat positions as a contiguous index tensor on ``backend``, in their own
    shape (0-d too: ``np.ascontiguousarray`` alone would make it (1,))."""
    return tensor(
        np.ascontiguousarray(positions).reshape(np.shape(positions)), backend=backend.name
    )


def take_(a: Tensor, index: Tensor) -> Tensor:
    """``out[i] = a.flat[index[i]]`` (row-major positions), shaped like ``index``; no history."""
    a = contiguous_(a)
    out = _new(index.shape, a.backend, dtype=a.dtype)
    if out.size:
        flat = TensorData.contiguous_over(index._data.storage, (index.size,))
        a.backend.embedding(_flat_rows(a), flat, _flat_rows(out))
    return out


def scatter_add_(values: Tensor, index: Tensor, shape: Shape) -> Tensor:
    """A zero tensor of ``shape`` with ``out.flat[index[i]] += values.flat[i]``; no history."""
    out = _new(shape, values.backend, zeroed=True, dtype=values.dtype)
    if values.size:
        values = contiguous_(values)
        flat = TensorData.contiguous_over(index._data.storage, (index.size,))
        values.backend.embedding_backward(_flat_rows(values), flat, _flat_rows(out))
    return out


class Take(EngineFunction):
    """The elements of ``a`` at the flat positions ``index`` holds, in ``index``'s shape.

    A position read several times gets the sum of their gradients.
    """

    @staticmethod
    def forward(ctx: Context, a: Tensor, index: Tensor) -> Tensor:
        ctx.save_for_backward(a.shape, index)
        return take_(a, index)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        shape, index = ctx.saved_values
        return scatter_add_(grad, index, shape), None


class Place(EngineFunction):
    """A zero tensor of ``shape`` with the elements of each part written at the flat positions
    ``places`` gives for it (index tensors shaped like the parts, never overlapping), in the
    dtype the parts promote to; each part's gradient is read back from its places."""

    @staticmethod
    def forward(ctx: Context, shape: Shape, places: Sequence[Tensor], *parts: Tensor) -> Tensor:
        dtype = np.result_type(*(p.dtype for p in parts))
        ctx.save_for_backward(places, [p.dtype for p in parts])
        out = None
        for part, index in zip(parts, places):
            if part.dtype != dtype:
                part = cast_(part, dtype)
            placed = scatter_add_(part, index, shape)
            out = placed if out is None else zip_("add", out, placed, "cat", out=out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        places, dtypes = ctx.saved_values
        grads: list[Tensor | None] = [None, None]
        for needed, index, dtype in zip(ctx.needs_input_grad[2:], places, dtypes):
            part = take_(grad, index) if needed else None
            grads.append(part if part is None or part.dtype == dtype else cast_(part, dtype))
        return tuple(grads)


def _end_to_end(parts: Sequence[Tensor]) -> Tensor:
    """The parts' values laid end to end in one vector."""
    backend, start, places = parts[0].backend, 0, []
    for part in parts:
        places.append(
            positions_tensor(np.arange(start, start + part.size).reshape(part.shape), backend)
        )
        start += part.size
    return Place.apply((start,), places, *parts)


class Expand(EngineFunction):
    """``a`` broadcast to ``shape`` as a tensor of its own; the gradient is summed back."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, shape: Shape) -> Tensor:
        ctx.save_for_backward(a.shape)
        return map_("id", a, shape)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        (shape,) = ctx.saved_values
        return sum_to(grad, shape), None


def _same_backend(op: str, tensors: Sequence[Tensor]) -> None:
    backends = {t.backend.name for t in tensors}
    if len(backends) > 1:
        raise TypeError(
            f"{op}: tensors are on different backends ({', '.join(sorted(backends))}); "
            "move them with .to()"
        )


def _dim(dim: int, dims: int, op: str) -> int:
    if not -dims <= dim < dims:
        raise ValueError(f"{op}: dimension {dim} is out of range for {dims} dimensions")
    return int(dim) % dims


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """The tensors joined along ``dim``; every other size must match, as ``torch.cat``."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat: expected a non-empty list of tensors")
    _same_backend("cat", tensors)
    first = tensors[0]
    if first.dims == 0:
        raise ValueError("cat: zero-dimensional tensors cannot be concatenated")
    d = _dim(dim, first.dims, "cat")
    for t in tensors[1:]:
        if t.dims != first.dims or t.shape[:d] + t.shape[d + 1 :] != (
            first.shape[:d] + first.shape[d + 1 :]
        ):
            raise ValueError(
                f"cat: shapes {first.shape} and {t.shape} differ outside dimension {d}"
            )
    if len(tensors) == 1:
        return tensors[0].contiguous_copy()
    shape = first.shape[:d] + (sum(t.shape[d] for t in tensors),) + first.shape[d + 1 :]
    # Where each input's elements lie in the result.
    grid = np.arange(int(np.prod(shape))).reshape(shape)
    bounds = np.cumsum([0] + [t.shape[d] for t in tensors])
    places = [
        positions_tensor(np.take(grid, np.arange(lo, hi), axis=d), first.backend)
        for lo, hi in zip(bounds[:-1], bounds[1:])
    ]
    return Place.apply(shape, places, *tensors)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """The tensors (all one shape) joined along a new dimension ``dim``, as ``torch.stack``."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack: expected a non-empty list of tensors")
    shape = tensors[0].shape
    for t in tensors[1:]:
        if t.shape != shape:
            raise ValueError(f"stack: every tensor must have one shape, got {shape} and {t.shape}")
    d = _dim(dim, len(shape) + 1, "stack")
    if len(tensors) == 1:
        return tensors[0].unsqueeze(d).contiguous_copy()
    return cat([t.unsqueeze(d) for t in tensors], d)


def _whole_numbers(values: Any, op: str) -> np.ndarray:
    """Indices (``Indices``, an integer array or list) as int64, as torch takes long tensors;
    IndexError for a float or boolean tensor or array, TypeError for non-whole values."""
    if isinstance(values, Mask) or (isinstance(values, np.ndarray) and values.dtype == bool):
        raise IndexError(f"{op}: boolean masks are not supported here; give integer indices")
    if isinstance(values, Tensor) and not isinstance(values, Indices):
        raise IndexError(
            f"{op}: tensors used as indices must be integers (argmax, tensor of ints) or a "
            f"mask (a comparison), got a {values.dtype} tensor"
        )
    if isinstance(values, np.ndarray) and values.dtype.kind == "f":
        raise IndexError(f"{op}: arrays used as indices must be integers, got {values.dtype}")
    array = values.to_numpy() if isinstance(values, Tensor) else np.asarray(values)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{op}: expected integer indices, got values of dtype {array.dtype}")
    whole = array.astype(np.int64)
    if not np.array_equal(whole, array):
        raise TypeError(f"{op}: expected integer indices, got non-integer values")
    return whole


def gather(input: Tensor, dim: int, index: Any) -> Tensor:
    """``out[i][j][k] = input[index[i][j][k]][j][k]`` for ``dim`` 0 (alike for the others),
    as ``torch.gather``: ``index`` has input's number of dims, each size at most input's
    (``dim`` excepted), and values in ``[0, input.shape[dim])``."""
    idx = _whole_numbers(index, "gather")
    if idx.ndim != input.dims:
        raise ValueError(
            f"gather: index has {idx.ndim} dimensions but input {input.shape} has {input.dims}"
        )
    d = _dim(dim, max(input.dims, 1), "gather")
    shape, grid_shape = input.shape or (1,), idx.shape or (1,)
    for k, (n, m) in enumerate(zip(grid_shape, shape)):
        if k != d and n > m:
            raise ValueError(
                f"gather: index {idx.shape} is larger than input {input.shape} in dimension {k}"
            )
    if idx.size and (idx.min() < 0 or idx.max() >= shape[d]):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise ValueError(
            f"gather: index {bad} is out of range for dimension {d} of size {shape[d]}"
        )
    grid = list(np.indices(grid_shape, sparse=True))
    grid[d] = idx.reshape(grid_shape)
    positions = np.arange(input.size).reshape(shape)[tuple(grid)].reshape(idx.shape)
    return Take.apply(input, positions_tensor(positions, input.backend))


def _index_key(key: Any) -> tuple:
    """``key`` with every index tensor or list as an int64 array, checked as torch checks;
    a numpy boolean array stays a mask."""
    parts = key if isinstance(key, tuple) else (key,)
    out = []
    for part in parts:
        if isinstance(part, slice):
            if part.step is not None and part.step <= 0:
                raise ValueError(f"getitem: slice step must be positive, got {part.step}")
            out.append(part)
        elif part is None or part is Ellipsis or isinstance(part, (int, np.integer)):
            if isinstance(part, bool):
                raise TypeError("getitem: boolean indices are not supported")
            out.append(part)
        elif isinstance(part, Mask):
            out.append(part.to_numpy() != 0)
        elif isinstance(part, (np.ndarray, list)) and np.asarray(part).dtype == bool:
            out.append(np.asarray(part))
        elif isinstance(part, (Tensor, np.ndarray, list, tuple)):
            out.append(_whole_numbers(part, "getitem"))
        else:
            raise TypeError(f"getitem: cannot index with {type(part).__name__}")
    return tuple(out)


def getitem(x: Tensor, key: Any) -> Tensor:
    """``x[key]`` with ints, slices (positive steps), None, ..., integer index tensors and
    boolean masks (a comparison's ``Mask``, a numpy bool array), as torch (numpy's rules);
    always a copy, whose gradient is added back where it was read."""
    positions, index = np.arange(x.size).reshape(x.shape), _index_key(key)
    try:
        picked = positions[index]
    except IndexError as error:
        raise IndexError(f"getitem: {error} (tensor of shape {x.shape})") from None
    picked = np.asarray(picked)
    return Take.apply(x, positions_tensor(picked, x.backend))


def pad(input: Tensor, pad: Sequence[int], value: float = 0.0) -> Tensor:
    """``torch.nn.functional.pad`` in constant mode: ``pad`` is (left, right) for the last
    dimension, then (top, bottom) for the one before, and so on; a negative size crops."""
    pad = [int(p) for p in pad]
    if len(pad) % 2 or len(pad) // 2 > input.dims:
        raise ValueError(
            f"pad: expected pairs of sizes for at most {input.dims} dimensions, got {tuple(pad)}"
        )
    shape = list(input.shape)
    source = np.arange(input.size).reshape(input.shape)
    cut, place = [slice(None)] * input.dims, [slice(None)] * input.dims
    for k in range(len(pad) // 2):
        d = input.dims - 1 - k
        before, after = pad[2 * k], pad[2 * k + 1]
        n = input.shape[d]
        size = n + before + after
        if size < 0:
            raise ValueError(f"pad: {tuple(pad)} leaves dimension {d} of {input.shape} negative")
        shape[d] = size
        cut[d] = slice(max(-before, 0), n - max(-after, 0))
        place[d] = slice(max(before, 0), size - max(after, 0))
    # Each output element reads an element of the input, or the padding value after them.
    index = np.full(shape, input.size, dtype=np.int64)
    index[tuple(place)] = source[tuple(cut)]
    fill = Tensor(map_("id", input._constant(float(value)), (1,))._data, input.backend)
    joined = _end_to_end([input, fill])
    return Take.apply(joined, positions_tensor(index, input.backend))


def where(condition: Any, input: Tensor, other: Any) -> Tensor:
    """``input`` where ``condition`` is nonzero, else ``other``, all broadcast together, as
    ``torch.where``; each side's gradient is the gradient where it was picked, else 0."""
    if not isinstance(input, Tensor):
        if not isinstance(other, Tensor):
            raise TypeError("where: input or other must be a Tensor")
        input = other._operand(input)
    other = input._operand(other)
    _same_backend("where", [input, other])
    chosen = condition.to_numpy() if isinstance(condition, Tensor) else np.asarray(condition)
    shape = shape_broadcast(
        shape_broadcast(chosen.shape, input.shape, "where"), other.shape, "where"
    )
    n = int(np.prod(shape))
    ordinal = np.arange(n).reshape(shape)
    index = np.where(np.broadcast_to(chosen != 0, shape), ordinal, ordinal + n)
    both = _end_to_end([_expanded(input, shape), _expanded(other, shape)])
    return Take.apply(both, positions_tensor(index, input.backend))


def _expanded(t: Tensor, shape: Shape) -> Tensor:
    return t if t.shape == shape else Expand.apply(t, shape)

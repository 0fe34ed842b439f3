"""Tensor data: a flat storage plus a shape and strides.

The element at multi-index ``i`` lives at ``storage[sum(i[d] * strides[d])]``.
``permute`` and ``view`` make new TensorData over the same storage; only
``contiguous`` copies (through a backend kernel). Broadcasting follows numpy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

Shape = tuple[int, ...]
Strides = tuple[int, ...]

FLOAT32, FLOAT64 = np.dtype(np.float32), np.dtype(np.float64)
DTYPES = {"float32": FLOAT32, "float64": FLOAT64}
DEFAULT_DTYPE = FLOAT64  # stepping and gradient checks need float64's precision


def as_dtype(value: Any) -> np.dtype:
    """``value`` ("float32", "float64", a numpy dtype or type; None for the default) as a
    numpy dtype; TypeError for any other."""
    if value is None:
        return DEFAULT_DTYPE
    try:
        dtype = np.dtype(value)
    except TypeError:
        dtype = np.dtype(np.int8)  # not understood: refused below with the others
    if dtype != FLOAT32 and dtype != FLOAT64:
        raise TypeError(f"dtype: expected float32 or float64, got {value!r}")
    return dtype


def result_dtype(a: np.dtype, a_dims: int, b: np.dtype, b_dims: int) -> np.dtype:
    """The dtype of an op on two tensors, by torch's rule: float64 if either is, except that
    a 0-d tensor does not promote one with dimensions (as a Python number does not)."""
    if a is b or a == b:
        return a
    if a_dims and not b_dims:
        return a
    if b_dims and not a_dims:
        return b
    return FLOAT64


_layouts: dict[Shape, tuple[Strides, int]] = {}


def contiguous_layout(shape: Shape) -> tuple[Strides, int]:
    """Row-major strides for ``shape`` (the last dimension moves fastest) and its size.

    Remembered per shape: a training step asks for the same few shapes thousands of times.
    """
    layout = _layouts.get(shape)
    if layout is None:
        out, step = [], 1
        for size in reversed(shape):
            out.append(step)
            step *= size
        layout = (tuple(reversed(out)), step)
        if len(_layouts) > 4096:
            _layouts.clear()
        _layouts[shape] = layout
    return layout


def contiguous_strides(shape: Shape) -> Strides:
    """Row-major strides for ``shape``: the last dimension moves fastest."""
    return contiguous_layout(shape)[0]


def shape_size(shape: Shape) -> int:
    """The number of elements in a tensor of ``shape`` (1 for shape ``()``)."""
    size = 1
    for n in shape:
        size *= n
    return size


def index_to_position(index: Sequence[int], strides: Strides) -> int:
    """The storage position of the element at multi-index ``index``."""
    return sum(i * s for i, s in zip(index, strides))


def to_index(ordinal: int, shape: Shape) -> tuple[int, ...]:
    """The multi-index of the ``ordinal``-th element of ``shape`` in row-major order."""
    index = [0] * len(shape)
    for d in range(len(shape) - 1, -1, -1):
        index[d] = ordinal % shape[d]
        ordinal //= shape[d]
    return tuple(index)


def broadcast_index(big_index: Sequence[int], big_shape: Shape, shape: Shape) -> tuple[int, ...]:
    """The index into ``shape`` that the index ``big_index`` of ``big_shape`` reads.

    Dimensions are aligned on the right; a dimension of size 1 always reads 0.
    """
    offset = len(big_shape) - len(shape)
    return tuple(0 if n == 1 else big_index[d + offset] for d, n in enumerate(shape))


def shape_broadcast(a: Shape, b: Shape, op: str = "broadcast") -> Shape:
    """The shape two tensors broadcast to, by numpy's rules; ValueError if they do not."""
    if a == b:
        return a
    out = []
    for d in range(-1, -max(len(a), len(b)) - 1, -1):
        x = a[d] if -d <= len(a) else 1
        y = b[d] if -d <= len(b) else 1
        if x != y and x != 1 and y != 1:
            raise ValueError(
                f"{op}: shapes {a} and {b} do not broadcast: dimension {d} has sizes {x} and {y}"
            )
        out.append(x if y == 1 else y)  # a size 1 takes the other size, 0 included
    return tuple(reversed(out))


def broadcast_strides(shape: Shape, strides: Strides, big_shape: Shape) -> Strides:
    """Strides that read a tensor of ``shape`` as if it had ``big_shape``.

    Missing leading dimensions and dimensions of size 1 get stride 0, which is
    exactly what ``broadcast_index`` does, expressed as strides.
    """
    offset = len(big_shape) - len(shape)
    out = [0] * len(big_shape)
    for d, (n, s) in enumerate(zip(shape, strides)):
        out[d + offset] = 0 if n == 1 else s
    return tuple(out)


def kernel_layout(data: TensorData, shape: Shape) -> tuple[Shape, Strides]:
    """``shape`` and ``data``'s strides broadcast to it, as compiled kernels walk them.

    A 0-d tensor counts as shape (1,): kernels loop over at least one dimension.
    """
    if not shape:
        return (1,), (0,)
    return tuple(shape), broadcast_strides(data.shape, data.strides, shape)


def positions(shape: Shape, strides: Strides) -> np.ndarray:
    """The storage position of every element of ``shape``, as an array of that shape.

    This is ``index_to_position`` applied to every index at once.
    """
    pos = np.zeros((), dtype=np.int64)
    for n, s in zip(shape, strides):
        pos = pos[..., None] + np.arange(n, dtype=np.int64) * s
    return pos


class TensorData:
    """A view of ``storage`` (a flat array owned by a backend) with a shape and strides.

    Immutable by convention: every operation makes a new TensorData. Size and
    contiguity are computed once, since kernels ask for them on every call.
    """

    __slots__ = ("storage", "shape", "strides", "size", "_contiguous")

    def __init__(
        self,
        storage: Any,
        shape: Shape,
        strides: Strides,
        contiguous: bool | None = None,
        size: int | None = None,
    ) -> None:
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.size = shape_size(shape) if size is None else size
        self._contiguous = contiguous

    @classmethod
    def contiguous_over(cls, storage: Any, shape: Shape, size: int | None = None) -> TensorData:
        shape = shape if type(shape) is tuple else tuple(shape)
        return cls(storage, shape, contiguous_strides(shape), True, size)

    @property
    def dims(self) -> int:
        return len(self.shape)

    @property
    def dtype(self) -> np.dtype:
        """The element type of the storage: float32 or float64."""
        return self.storage.dtype

    def is_contiguous(self) -> bool:
        """True when the elements lie in row-major order with no gaps."""
        if self._contiguous is None:
            expected, contiguous = 1, True
            for n, s in zip(reversed(self.shape), reversed(self.strides)):
                if n != 1 and s != expected:
                    contiguous = False
                    break
                expected *= n
            self._contiguous = contiguous
        return self._contiguous

    def __repr__(self) -> str:
        return f"TensorData(shape={self.shape}, strides={self.strides})"

    def permute(self, order: Sequence[int]) -> TensorData:
        """The same storage with dimensions reordered: dimension d of the result is order[d]."""
        order = tuple(order)
        if sorted(order) != list(range(self.dims)):
            raise ValueError(f"permute: {order} is not an ordering of the {self.dims} dimensions")
        return TensorData(
            self.storage,
            tuple(self.shape[d] for d in order),
            tuple(self.strides[d] for d in order),
        )

    def view(self, shape: Shape) -> TensorData:
        """The same storage read with another shape of the same size.

        Any shape works on contiguous data; strided data can only gain or lose
        dimensions of size 1.
        """
        if shape_size(shape) != self.size:
            raise ValueError(
                f"view: cannot view shape {self.shape} ({self.size} elements) as {shape} "
                f"({shape_size(shape)} elements)"
            )
        if self.is_contiguous():
            return TensorData.contiguous_over(self.storage, shape)
        kept = [(n, s) for n, s in zip(self.shape, self.strides) if n != 1]
        if [n for n in shape if n != 1] != [n for n, _ in kept]:
            raise ValueError(
                f"view: a tensor of shape {self.shape} with strides {self.strides} is not "
                "contiguous; call .contiguous() first"
            )
        strides = iter(s for _, s in kept)
        return TensorData(
            self.storage, tuple(shape), tuple(0 if n == 1 else next(strides) for n in shape)
        )


def windows_out(
    hw: Sequence[int], kernel: Sequence[int], stride: Sequence[int], padding: Sequence[int]
) -> tuple[int, int]:
    """How many (kernel) windows fit along height and width: (H + 2p - k) // s + 1 each."""
    oh, ow = ((n + 2 * p - k) // s + 1 for n, k, s, p in zip(hw, kernel, stride, padding))
    return oh, ow


def resolve_shape(shape: Sequence[int], size: int, op: str = "view") -> Shape:
    """``shape`` with at most one -1 replaced by the size that makes it hold ``size`` elements."""
    shape = tuple(int(n) for n in shape)
    unknown = [d for d, n in enumerate(shape) if n == -1]
    if len(unknown) > 1 or any(n < -1 for n in shape):
        raise ValueError(f"{op}: invalid shape {shape}")
    if unknown:
        known = shape_size(tuple(n for n in shape if n != -1))
        if known == 0 or size % known:
            raise ValueError(f"{op}: cannot infer -1 in {shape} for {size} elements")
        shape = tuple(size // known if n == -1 else n for n in shape)
    return shape

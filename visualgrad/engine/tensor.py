"""The Tensor users hold: data on a backend, and a place in the autodiff graph.

Operators and methods follow torch's names and shapes. Each one is a primitive
Function from ``tensor_functions`` or a composition of them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from . import backends as _backends
from .autodiff import Variable, backpropagate, is_grad_enabled
from .tensor_data import DTYPES, Shape, TensorData, as_dtype, resolve_shape, shape_broadcast

Dims = int | Sequence[int] | None
_constants: dict[tuple[str, float, float, np.dtype], Tensor] = {}


def _as_float_array(data: Any, op: str = "tensor", dtype: np.dtype = DTYPES["float64"]):
    """``data`` as an array of ``dtype``; TypeError for anything that is not real numbers."""
    try:
        array = np.asarray(data)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"{op}: data is not rectangular: {error}") from None
    if array.dtype == object:
        raise ValueError(f"{op}: data is not a rectangular array of numbers")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{op}: expected real numbers, got values of dtype {array.dtype}")
    return array.astype(dtype)


class Tensor(Variable):
    """An n-dimensional array of float64 (or float32) that records how it was computed."""

    __slots__ = ("_data", "backend")
    __array_priority__ = 1000  # numpy defers to our reflected operators

    def __init__(self, data: TensorData, backend, requires_grad: bool = False) -> None:
        self._data = data
        self.backend = backend
        self.requires_grad = requires_grad
        self.grad: Tensor | None = None
        self._history = None
        self._retains_grad = False

    # ---- properties -------------------------------------------------------
    @property
    def shape(self) -> Shape:
        return self._data.shape

    @property
    def size(self) -> int:
        """The number of elements."""
        return self._data.size

    @property
    def dims(self) -> int:
        return self._data.dims

    @property
    def dtype(self) -> np.dtype:
        """The element type: ``np.dtype("float64")`` (the default) or ``np.dtype("float32")``."""
        return self._data.storage.dtype

    def is_contiguous(self) -> bool:
        return self._data.is_contiguous()

    def __len__(self) -> int:
        if self.dims == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def to_numpy(self) -> np.ndarray:
        """A copy of the values as a numpy array of the same shape."""
        return self.backend.to_numpy(self._data)

    def item(self) -> float:
        if self.size != 1:
            raise ValueError(
                f"item: only a tensor with one element has an item, got shape {self.shape}"
            )
        return float(self.to_numpy().reshape(()))

    def __float__(self) -> float:
        return self.item()

    def __bool__(self) -> bool:
        if self.size != 1:
            raise ValueError(f"the truth value of a tensor of shape {self.shape} is ambiguous")
        return bool(self.item())

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        body = np.array2string(self.to_numpy(), separator=", ", prefix="tensor(")
        grad = ", requires_grad=True" if self.requires_grad else ""
        if self.dtype != DTYPES["float64"]:
            grad = f", dtype={self.dtype.name}" + grad
        backend = (
            "" if self.backend.name == _backends.default() else f", backend={self.backend.name!r}"
        )
        return f"tensor({body}{grad}{backend})"

    # ---- autodiff ---------------------------------------------------------
    def backward(self, grad: Tensor | None = None) -> None:
        """Add d self / d leaf into the ``.grad`` of every leaf that requires grad.

        A tensor of more than one element needs ``grad``, the gradient of some
        scalar with respect to it, of the same shape.
        """
        if not self.requires_grad:
            raise ValueError("backward: this tensor does not require grad and has no history")
        if grad is None:
            if self.size != 1:
                raise ValueError(
                    f"backward: a tensor of shape {self.shape} is not a scalar; "
                    "pass a gradient of the same shape"
                )
            # The shared constant 1 (backpropagate copies it before a leaf keeps it): making
            # a ones tensor cost ~4 us a step.
            grad = Tensor(self._constant(1.0)._data.view(self.shape), self.backend)
        grad = self._operand(grad)
        if grad.shape != self.shape:
            raise ValueError(
                f"backward: gradient of shape {grad.shape} for a tensor of shape {self.shape}"
            )
        if grad.dtype != self.dtype:
            grad = F.cast_(grad, self.dtype)
        backpropagate(self, grad.detach())

    def retain_grad(self) -> Tensor:
        """Keep ``.grad`` on this computed tensor too, as torch's ``retain_grad``."""
        self._retains_grad = True
        return self

    def detach(self) -> Tensor:
        """The same data, cut from the graph: no history, no gradient."""
        return Tensor(self._data, self.backend)

    def zero_grad_(self) -> None:
        self.grad = None

    def requires_grad_(self, flag: bool = True) -> Tensor:
        if not self.is_leaf:
            raise ValueError("requires_grad_: only a leaf tensor can change requires_grad")
        self.requires_grad = flag
        return self

    @property
    def data(self) -> Tensor:
        """The values without the graph; assigning replaces them (same shape), as in torch."""
        return self.detach()

    @data.setter
    def data(self, value: Tensor) -> None:
        if value.shape != self.shape:
            raise ValueError(
                f"data: cannot replace values of shape {self.shape} with shape {value.shape}"
            )
        self._data = value.to(self.backend.name)._data

    def add_(self, other: Any, alpha: float = 1.0) -> Tensor:
        """In place: self += alpha * other, written into this tensor's own storage.

        For optimizers: allowed on a tensor that requires grad only under no_grad.
        """
        if self.requires_grad and is_grad_enabled():
            raise ValueError(
                "add_: a tensor that requires grad can only change in place under no_grad()"
            )
        other = self._operand(other)
        if other.dtype != self.dtype:
            other = F.cast_(other, self.dtype)
        elif other._data.storage is self._data.storage:
            other = other.contiguous_copy()  # the kernel must not read what it overwrites
        if shape_broadcast(self.shape, other.shape, "add_") != self.shape:
            raise ValueError(
                f"add_: cannot add shape {other.shape} into shape {self.shape} in place"
            )
        scaled = other if alpha == 1.0 else other * alpha
        F.zip_("add", self, scaled, "add_", out=self)
        return self

    # ---- making tensors alongside this one --------------------------------
    def _constant(self, value: float, dtype: np.dtype | None = None) -> Tensor:
        """A 0-d tensor of ``value`` on this backend, of this tensor's dtype unless another is
        given (a Python number does not promote, as in torch); shared: nothing writes into
        constants."""
        dtype = self.dtype if dtype is None else dtype
        key = (self.backend.name, value, math.copysign(1.0, value), dtype)
        constant = _constants.get(key)
        if constant is None:
            if len(_constants) >= 64:  # optimizers make a new constant every step
                _constants.clear()
            storage = self.backend.from_numpy(np.array([value]), dtype)
            constant = Tensor(TensorData.contiguous_over(storage, ()), self.backend)
            _constants[key] = constant
        return constant

    def _operand(self, other: Any) -> Tensor:
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (int, float, np.number)):
            return self._constant(float(other))
        return tensor(other, backend=self.backend, dtype=self.dtype)

    def to(self, target: Any) -> Tensor:
        """The same values on another backend, or in another dtype ("float32", "float64" or
        a numpy dtype), as torch's ``.to``; differentiable, and ``self`` where nothing changes."""
        if target is None or (isinstance(target, str) and target not in DTYPES):
            chosen = _backends.get(target)  # None: the default backend
            return self if chosen is self.backend else F.ToBackend.apply(self, chosen)
        if isinstance(target, _backends.Backend):
            return self if target is self.backend else F.ToBackend.apply(self, target)
        dtype = as_dtype(target)
        return self if dtype == self.dtype else F.Cast.apply(self, dtype)

    def float(self) -> Tensor:
        """The values as float32 (``self`` if they are already), as torch's ``.float()``."""
        return self.to(DTYPES["float32"])

    def double(self) -> Tensor:
        """The values as float64 (``self`` if they are already), as torch's ``.double()``."""
        return self.to(DTYPES["float64"])

    def contiguous(self) -> Tensor:
        return self if self.is_contiguous() else F.Copy.apply(self)

    def contiguous_copy(self) -> Tensor:
        """A copy in storage of its own, always (``contiguous`` may return self)."""
        return F.Copy.apply(self)

    # ---- arithmetic ---------------------------------------------------------
    # Add and Mul, the ops of every small step, skip Function.apply when neither operand
    # requires grad: there is nothing to record, and its call cost a third of a 1-element add.
    def __add__(self, other: Any) -> Tensor:
        other = other if isinstance(other, Tensor) else self._operand(other)
        if self.requires_grad or other.requires_grad:
            return F.Add.apply(self, other)
        return F.zip_("add", self, other, "add")

    def __radd__(self, other: Any) -> Tensor:
        other = self._operand(other)
        if self.requires_grad or other.requires_grad:
            return F.Add.apply(other, self)
        return F.zip_("add", other, self, "add")

    def __neg__(self) -> Tensor:
        return F.Neg.apply(self)

    def __sub__(self, other: Any) -> Tensor:
        return self + -self._operand(other)

    def __rsub__(self, other: Any) -> Tensor:
        return self._operand(other) + -self

    def __mul__(self, other: Any) -> Tensor:
        other = other if isinstance(other, Tensor) else self._operand(other)
        if self.requires_grad or other.requires_grad:
            return F.Mul.apply(self, other)
        return F.zip_("mul", self, other, "mul")

    def __rmul__(self, other: Any) -> Tensor:
        other = self._operand(other)
        if self.requires_grad or other.requires_grad:
            return F.Mul.apply(other, self)
        return F.zip_("mul", other, self, "mul")

    def __truediv__(self, other: Any) -> Tensor:
        return self * F.Inv.apply(self._operand(other))

    def __rtruediv__(self, other: Any) -> Tensor:
        return self._operand(other) * F.Inv.apply(self)

    def __pow__(self, exponent: float | Tensor) -> Tensor:
        if isinstance(exponent, Tensor):
            return elementwise.TensorPow.apply(self, exponent)
        if not isinstance(exponent, (int, float, np.number)):
            raise TypeError(f"pow: the exponent must be a number, got {type(exponent).__name__}")
        return F.Pow.apply(self, float(exponent))

    def __rpow__(self, base: Any) -> Tensor:
        return elementwise.TensorPow.apply(self._operand(base), self)

    def __matmul__(self, other: Any) -> Tensor:
        return matmul(self, self._operand(other))

    def __rmatmul__(self, other: Any) -> Tensor:
        return matmul(self._operand(other), self)

    # ---- comparisons (no gradient): 0/1 masks, which index as booleans ------
    def __lt__(self, other: Any) -> Tensor:
        return indexing.Mask.of(F.LT.apply(self, self._operand(other)))

    def __gt__(self, other: Any) -> Tensor:
        return indexing.Mask.of(F.GT.apply(self, self._operand(other)))

    def __le__(self, other: Any) -> Tensor:
        return indexing.Mask.of(1.0 - F.GT.apply(self, self._operand(other)))

    def __ge__(self, other: Any) -> Tensor:
        return indexing.Mask.of(1.0 - F.LT.apply(self, self._operand(other)))

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return indexing.Mask.of(F.EQ.apply(self, self._operand(other)))

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return indexing.Mask.of(1.0 - F.EQ.apply(self, self._operand(other)))

    # ---- elementwise functions ---------------------------------------------
    def exp(self) -> Tensor:
        return F.Exp.apply(self)

    def log(self) -> Tensor:
        return F.Log.apply(self)

    def relu(self) -> Tensor:
        return F.ReLU.apply(self)

    def sigmoid(self) -> Tensor:
        return F.Sigmoid.apply(self)

    def tanh(self) -> Tensor:
        return F.Tanh.apply(self)

    def sqrt(self) -> Tensor:
        return F.Sqrt.apply(self)

    def abs(self) -> Tensor:
        return F.Abs.apply(self)

    def log1p(self) -> Tensor:
        """log(1 + x), exact for small x."""
        return F.Log1p.apply(self)

    def expm1(self) -> Tensor:
        """e^x - 1, exact for small x."""
        return F.Expm1.apply(self)

    def clamp(self, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
        """Values held within [min, max]; the gradient passes where they were inside."""
        if min is None and max is None:
            raise ValueError("clamp: give min, max or both")
        if min is not None and max is not None and min > max:
            raise ValueError(f"clamp: min {min} is greater than max {max}")
        low = None if min is None else float(min)
        return F.Clamp.apply(self, low, None if max is None else float(max))

    # ---- reductions ----------------------------------------------------------
    def _dims(self, dim: Dims, op: str) -> list[int]:
        """``dim`` as sorted non-negative dims, by torch's rules: None or () is every dim, a
        0-d tensor takes 0 and -1, and a dim out of range or named twice is refused."""
        dims = [dim] if isinstance(dim, (int, np.integer)) else list(dim or ())
        if not dims:
            return list(range(self.dims))
        rank, out = max(self.dims, 1), []
        for d in dims:
            if not -rank <= d < rank:
                raise ValueError(f"{op}: dimension {d} is out of range for shape {self.shape}")
            if int(d) % rank in out:
                raise ValueError(f"{op}: dimension {d} appears more than once in {tuple(dims)}")
            out.append(int(d) % rank)
        return sorted(out)

    def _reduce(self, fn, dim: Dims, keepdim: bool, op: str) -> Tensor:
        dims = self._dims(dim, op)
        if self.dims == 0 or len(dims) == self.dims:
            return fn(self, None, keepdim)
        if len(dims) == 1:
            return fn(self, dims[0], keepdim)
        out = self
        for d in dims:
            out = fn(out, d, True)
        return out if keepdim else out.view(*(n for d, n in enumerate(self.shape) if d not in dims))

    def sum(self, dim: Dims = None, keepdim: bool = False) -> Tensor:
        """Sum over ``dim`` (an int, several, or all when None), as ``torch.sum``."""
        return self._reduce(F.Sum.apply, dim, keepdim, "sum")

    def mean(self, dim: Dims = None, keepdim: bool = False) -> Tensor:
        total = self.sum(dim, keepdim)
        if total.size == 0 or self.size == 0:
            return total * math.nan  # the mean of nothing, as torch gives it
        return total * (total.size / self.size)

    def var(self, dim: Dims = None, correction: int = 1, keepdim: bool = False) -> Tensor:
        """The variance over ``dim``, dividing by (count - ``correction``), as ``torch.var``."""
        centred = self - self.mean(dim, keepdim=True)
        total = (centred * centred).sum(dim, keepdim)
        count = self.size // max(total.size, 1) if self.size else 0
        divisor = count - correction
        return total * (1.0 / divisor if divisor > 0 else math.nan)

    def std(self, dim: Dims = None, correction: int = 1, keepdim: bool = False) -> Tensor:
        """The standard deviation over ``dim``: the square root of ``var``."""
        return F.RootOfSquares.apply(self.var(dim, correction, keepdim))

    def norm(self, p: float | str = 2, dim: Dims = None, keepdim: bool = False) -> Tensor:
        """The Euclidean (Frobenius) norm over ``dim``: sqrt(sum(x^2)), torch's default.

        Other orders ``p`` are refused rather than computed as the 2-norm.
        """
        if p not in (2, "fro"):
            raise ValueError(f"norm: only the 2-norm (p=2 or 'fro') is supported, got p={p!r}")
        return F.RootOfSquares.apply((self * self).sum(dim, keepdim))

    def max(self, dim: Dims = None, keepdim: bool = False) -> Tensor | extrema.ValuesIndices:
        """The largest value; along one ``dim``, ``(values, indices)`` as torch's, each
        value's gradient going to its index (several dims: as ``amax``)."""
        if isinstance(dim, (int, np.integer)):
            return extrema.extreme_along(self, dim, keepdim, smallest=False)
        return self._reduce(F.Max.apply, dim, keepdim, "max")

    def min(self, dim: Dims = None, keepdim: bool = False) -> Tensor | extrema.ValuesIndices:
        """The smallest value; along one ``dim``, ``(values, indices)``, as ``max``."""
        if isinstance(dim, (int, np.integer)):
            return extrema.extreme_along(self, dim, keepdim, smallest=True)
        return -((-self)._reduce(F.Max.apply, dim, keepdim, "min"))

    def amax(self, dim: Dims = None, keepdim: bool = False) -> Tensor:
        """The largest values over ``dim``; the gradient is shared among ties, as torch's."""
        return self._reduce(F.Max.apply, dim, keepdim, "amax")

    def amin(self, dim: Dims = None, keepdim: bool = False) -> Tensor:
        """The smallest values over ``dim``; the gradient is shared among ties, as torch's."""
        return -((-self).amax(dim, keepdim))

    def argmax(self, dim: int | None = None) -> Tensor:
        """The index of the largest value along ``dim``, or in the flat tensor (no gradient)."""
        axis = None if dim is None else self._dims(dim, "argmax")[0]
        return tensor(np.argmax(self.to_numpy(), axis=axis), backend=self.backend)

    def argmin(self, dim: int | None = None) -> Tensor:
        """The index of the smallest value along ``dim``, or in the flat tensor (no gradient)."""
        axis = None if dim is None else self._dims(dim, "argmin")[0]
        return tensor(np.argmin(self.to_numpy(), axis=axis), backend=self.backend)

    # ---- picking elements (indexing_functions) ----------------------------------
    def __getitem__(self, key: Any) -> Tensor:
        return indexing.getitem(self, key)

    def __iter__(self) -> Iterator[Tensor]:
        """The rows (slices along dim 0), as torch iterates; a 0-d tensor has none."""
        if self.dims == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.shape[0]))

    def gather(self, dim: int, index: Any) -> Tensor:
        """``torch.gather``: the elements of ``self`` along ``dim`` that ``index`` names."""
        return indexing.gather(self, dim, index)

    # ---- shapes ----------------------------------------------------------------
    def view(self, *shape: int | Sequence[int]) -> Tensor:
        """The same data with another shape (one entry may be -1)."""
        if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
            shape = tuple(shape[0])
        return F.View.apply(self, resolve_shape(shape, self.size))

    def reshape(self, *shape: int | Sequence[int]) -> Tensor:
        return self.contiguous().view(*shape)

    def permute(self, *order: int | Sequence[int]) -> Tensor:
        if len(order) == 1 and not isinstance(order[0], (int, np.integer)):
            order = tuple(order[0])
        order = tuple(self._dims(int(d), "permute")[0] for d in order) if self.dims else order
        return F.Permute.apply(self, order)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        order = list(range(self.dims))
        dim0, dim1 = self._dims(dim0, "transpose")[0], self._dims(dim1, "transpose")[0]
        order[dim0], order[dim1] = order[dim1], order[dim0]
        return self.permute(*order)

    @property
    def T(self) -> Tensor:  # noqa: N802 - torch's name
        return self.permute(*reversed(range(self.dims)))

    def unsqueeze(self, dim: int) -> Tensor:
        if not -self.dims - 1 <= dim <= self.dims:
            raise ValueError(f"unsqueeze: dimension {dim} is out of range for shape {self.shape}")
        dim = dim % (self.dims + 1)
        return self.view(*self.shape[:dim], 1, *self.shape[dim:])

    def squeeze(self, dim: int | None = None) -> Tensor:
        if dim is None:
            return self.view(*(n for n in self.shape if n != 1))
        d = self._dims(dim, "squeeze")[0]
        if self.dims == 0 or self.shape[d] != 1:
            return self
        return self.view(*self.shape[:d], *self.shape[d + 1 :])


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """``a @ b`` with torch's rules: 1-D operands are vectors, batch dimensions broadcast."""
    if a.dims == 0 or b.dims == 0:
        raise ValueError(
            f"matmul: both operands need at least one dimension, got {a.shape} and {b.shape}"
        )
    x = a.view(1, a.shape[0]) if a.dims == 1 else a
    y = b.view(b.shape[0], 1) if b.dims == 1 else b
    if x.shape[-1] != y.shape[-2]:
        raise ValueError(
            f"matmul: cannot multiply {a.shape} by {b.shape}: "
            f"inner sizes {x.shape[-1]} and {y.shape[-2]} differ"
        )
    if x.dims != y.dims:
        dims = max(x.dims, y.dims)
        x = x.view(*([1] * (dims - x.dims)), *x.shape)
        y = y.view(*([1] * (dims - y.dims)), *y.shape)
    out = F.MatMul.apply(x, y)
    if a.dims > 1 and b.dims > 1:
        return out
    shape = (
        out.shape[:-2]
        + ((a.shape[-2],) if a.dims > 1 else ())
        + ((b.shape[-1],) if b.dims > 1 else ())
    )
    return out.view(*shape)


# ---- creation -------------------------------------------------------------------
# Every creation function takes ``dtype``: "float32", "float64" or a numpy dtype; None is
# float64, the default (a tensor passed to ``tensor`` and the *_like functions keep theirs).
def tensor(
    data: Any, requires_grad: bool = False, backend: str | None = None, dtype: Any = None
) -> Tensor:
    """A new leaf tensor holding a copy of ``data`` (numbers, lists, arrays, a Tensor); without
    a dtype, booleans (or a Mask) give a Mask and integers (or Indices) give Indices."""
    kind = Tensor
    if isinstance(data, Tensor):
        kind = type(data) if dtype is None else Tensor
        dtype = data.dtype if dtype is None else dtype
        data = data.to_numpy()
    elif dtype is None:
        kind = kinds.kind_of(data)
    dtype = as_dtype(dtype)
    array = _as_float_array(data, dtype=dtype)
    chosen = _backends.get(backend)
    return (Tensor if requires_grad else kind)(
        TensorData.contiguous_over(chosen.from_numpy(array, dtype), array.shape),
        chosen,
        requires_grad,
    )


def _shape(shape: tuple) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], Iterable):
        shape = tuple(shape[0])
    if any(int(n) < 0 for n in shape):
        raise ValueError(f"invalid shape {shape}: sizes must not be negative")
    return tuple(int(n) for n in shape)


def zeros(
    *shape: int, requires_grad: bool = False, backend: str | None = None, dtype: Any = None
) -> Tensor:
    return tensor(np.zeros(_shape(shape)), requires_grad, backend, dtype)


def ones(
    *shape: int, requires_grad: bool = False, backend: str | None = None, dtype: Any = None
) -> Tensor:
    return tensor(np.ones(_shape(shape)), requires_grad, backend, dtype)


def full(
    shape: Sequence[int],
    value: float,
    requires_grad: bool = False,
    backend: str | None = None,
    dtype: Any = None,
) -> Tensor:
    return tensor(np.full(_shape((shape,)), float(value)), requires_grad, backend, dtype)


def rand(
    *shape: int, requires_grad: bool = False, backend: str | None = None, dtype: Any = None
) -> Tensor:
    """Uniform on [0, 1), drawn from the generator ``manual_seed`` sets (the same draws in
    either dtype)."""
    return tensor(random.generator().random(_shape(shape)), requires_grad, backend, dtype)


def randn(
    *shape: int, requires_grad: bool = False, backend: str | None = None, dtype: Any = None
) -> Tensor:
    """Standard normal, drawn from the generator ``manual_seed`` sets."""
    values = random.generator().standard_normal(_shape(shape))
    return tensor(values, requires_grad, backend, dtype)


from . import elementwise_functions as elementwise  # noqa: E402
from . import extrema_functions as extrema  # noqa: E402
from . import index_tensors as kinds  # noqa: E402
from . import indexing_functions as indexing  # noqa: E402
from . import random  # noqa: E402  (after Tensor: no cycle at import time)
from . import tensor_functions as F  # noqa: E402


def arange(
    start: float,
    end: float | None = None,
    step: float = 1,
    backend: str | None = None,
    dtype: Any = None,
) -> Tensor:
    """Values from ``start`` up to (not including) ``end``, ``step`` apart; one argument is end."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must not be 0")
    return tensor(np.arange(start, end, step, dtype=np.float64), backend=backend, dtype=dtype)


def eye(n: int, m: int | None = None, backend: str | None = None, dtype: Any = None) -> Tensor:
    """The (n, m) identity matrix (m defaults to n)."""
    return tensor(np.eye(n, n if m is None else m), backend=backend, dtype=dtype)


def _like(t: Tensor, dtype: Any) -> dict[str, Any]:
    """The backend and dtype of a tensor made like ``t``: ``t``'s, unless ``dtype`` is given."""
    return {"backend": t.backend.name, "dtype": t.dtype if dtype is None else dtype}


def zeros_like(t: Tensor, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    return zeros(*t.shape, requires_grad=requires_grad, **_like(t, dtype))


def ones_like(t: Tensor, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    return ones(*t.shape, requires_grad=requires_grad, **_like(t, dtype))


def full_like(t: Tensor, value: float, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    return full(t.shape, value, requires_grad=requires_grad, **_like(t, dtype))


def rand_like(t: Tensor, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    return rand(*t.shape, requires_grad=requires_grad, **_like(t, dtype))


def randn_like(t: Tensor, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    return randn(*t.shape, requires_grad=requires_grad, **_like(t, dtype))

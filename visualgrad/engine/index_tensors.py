"""Tensors that index: a comparison's ``Mask`` and whole-number ``Indices``.

The engine stores only floats, so torch's bool and long tensors are floats here, marked
by their class: a ``Mask`` (0s and 1s) indexes as a boolean mask, ``Indices`` (argmax,
``max(dim).indices``, ``tensor`` of integers) as integer indices, and a plain float tensor
not at all, as torch refuses float indices. Shape ops keep the mark; arithmetic drops it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .tensor import Tensor, tensor


def kind_of(data: Any) -> type[Tensor]:
    """The class a tensor of ``data`` (not a Tensor) takes: Mask for booleans, Indices for
    integers, Tensor for anything else, as torch's bool, long and float tensors."""
    if not isinstance(data, (list, tuple, np.ndarray, bool, int, np.number)):
        return Tensor
    try:
        found = np.asarray(data).dtype.kind
    except ValueError:  # ragged lists: tensor() says what is wrong
        return Tensor
    return Mask if found == "b" else Indices if found in "iu" else Tensor


class _Marked(Tensor):
    """A tensor whose class says how it indexes; views, copies and picks of it keep it."""

    __slots__ = ()

    @classmethod
    def of(cls, t: Tensor) -> Tensor:
        """``t``'s data as this kind (``t`` itself if it records a gradient)."""
        return t if t.requires_grad else cls(t._data, t.backend)

    def view(self, *shape: Any) -> Tensor:
        return self.of(super().view(*shape))

    def permute(self, *order: Any) -> Tensor:
        return self.of(super().permute(*order))

    def contiguous(self) -> Tensor:
        return self.of(super().contiguous())

    def detach(self) -> Tensor:
        return self.of(super().detach())

    def __getitem__(self, key: Any) -> Tensor:
        return self.of(super().__getitem__(key))


class Indices(_Marked):
    """Whole numbers (floats, like every tensor) that index as torch's long tensors."""

    __slots__ = ()


class Mask(_Marked):
    """What a comparison gives: 0s and 1s (floats, like every tensor) that index as a
    boolean mask, as torch's ``x[x > 0]``; ``&``, ``|``, ``^`` and ``~`` give masks,
    arithmetic a plain Tensor."""

    __slots__ = ()

    def _other(self, other: Any, op: str) -> Tensor:
        if isinstance(other, Mask):
            return other
        if isinstance(other, (bool, np.bool_)) or (
            isinstance(other, np.ndarray) and other.dtype == bool
        ):
            return tensor(other, backend=self.backend.name, dtype=self.dtype)
        found = f"a {other.dtype} tensor" if isinstance(other, Tensor) else type(other).__name__
        raise TypeError(f"{op}: a mask combines only with masks or booleans, got {found}")

    def __and__(self, other: Any) -> Mask:
        return Mask.of(self._plain() * self._other(other, "&"))

    def __or__(self, other: Any) -> Mask:
        a, b = self._plain(), self._other(other, "|")
        return Mask.of(a + b - a * b)

    def __xor__(self, other: Any) -> Mask:
        return Mask.of(self._plain() != self._other(other, "^"))

    def __invert__(self) -> Mask:
        return Mask.of(1.0 - self._plain())

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def _plain(self) -> Tensor:
        """The 0/1 values as a plain tensor with no history."""
        return Tensor(self._data, self.backend)

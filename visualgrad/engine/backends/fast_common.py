"""What the fast backend's kernel modules share: the numba decorator, when a kernel goes
onto numba's threads, and the numpy view of a tensor's data."""

from __future__ import annotations

import functools

import numpy as np
from numba import njit as numba_njit
from numba import uint64

from ..tensor_data import TensorData

# Every kernel uses numpy's error model: x / 0 gives inf or nan, as in numpy and the
# simple backend, where numba's default (Python's) raises ZeroDivisionError.
njit = functools.partial(numba_njit, error_model="numpy")
scalar = njit(cache=True, inline="always")  # an element's function, inlined into a kernel

# From here a kernel runs on numba's threads. A thread that has fallen asleep takes ~50 us
# to wake on the 2-core machine, so below ~100 us of work one core is faster: ReLU's
# gradient of (128, 256) in the MLP 784-256-10 step took 84 us on two threads, 32 on one.
PARALLEL_MIN = 131_072
CHUNK = 8_192  # elements of a parallel loop's span
# Positions, shapes and strides are unsigned inside the kernels: numba then skips its
# negative-index checks, and the inner loops vectorize.
U0, U1 = uint64(0), uint64(1)


def as_array(data: TensorData) -> np.ndarray:
    """A numpy view of ``data`` with its shape and strides (no copy)."""
    if data.is_contiguous():
        return data.storage.reshape(data.shape)
    storage = data.storage
    strides = tuple(s * storage.itemsize for s in data.strides)
    return np.ndarray(data.shape, storage.dtype, buffer=storage, strides=strides)

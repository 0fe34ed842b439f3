"""numpy's own OpenBLAS, bound by address, so that the fast backend can run its GEMMs on
numba's threads: one thread pool for a whole training step.

OpenBLAS keeps a pool of its own, and after each product its threads spin for a while,
waiting for the next. numba's threads, starting a row kernel or a map just after, then
wait for a core: on the 2-core machine an MLP 784-256-10 step took 20 ms with both pools
busy and 1.8 ms with numba on one thread (which leaves softmax and the maps on one core).
So where numpy's BLAS is the scipy-openblas (ILP64) that numpy's wheels ship, on Linux,
Windows and macOS, ``bind()`` finds that library, checks one small product against
numpy's, sets its pool to one thread, and returns the addresses of ``cblas_dgemm`` and
``cblas_sgemm``; ``fast_blas`` then splits each large product over numba's threads.
Elsewhere (MKL, Accelerate, a system OpenBLAS) it returns None and nothing changes:
numpy's matmul on the BLAS's own threads, numba on one.

This module must not import numba: ``configure_numba`` calls it to choose numba's
thread count before numba is first imported.
"""

from __future__ import annotations

import ctypes
import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112
_PREFIX, _SUFFIX = "scipy_", "64_"  # scipy-openblas64's symbol names: ILP64 ints


@dataclass(frozen=True)
class Blas:
    """The bound library: where it is, and the addresses of its two GEMMs."""

    dgemm: int
    sgemm: int
    path: str


def _candidates() -> list[Path]:
    """Where numpy's wheels keep their OpenBLAS: numpy.libs beside numpy, or numpy/.dylibs."""
    here = Path(np.__file__).resolve().parent
    found: list[Path] = []
    for folder in (here.parent / "numpy.libs", here / ".dylibs"):
        if folder.is_dir():
            found += sorted(p for p in folder.iterdir() if "openblas" in p.name.lower())
    return found


def _numpy_uses_scipy_openblas() -> bool:
    try:
        blas = np.__config__.CONFIG["Build Dependencies"]["blas"]
    except (AttributeError, KeyError, TypeError):
        return False
    return str(blas.get("name", "")).lower() == "scipy-openblas"


def _symbol(lib: ctypes.CDLL, name: str):
    try:
        return getattr(lib, _PREFIX + name + _SUFFIX)
    except AttributeError:
        return None


def _gemm_signature(function, real) -> None:
    i4, i8, p = ctypes.c_int, ctypes.c_int64, ctypes.c_void_p
    function.argtypes = [i4, i4, i4, i8, i8, i8, real, p, i8, p, i8, real, p, i8]
    function.restype = None


def _agrees_with_numpy(dgemm) -> bool:
    """One 3x4 @ 4x2 product through the bound dgemm, against numpy's."""
    a = np.arange(12.0).reshape(3, 4)
    b = np.linspace(-1.0, 1.0, 8).reshape(4, 2)
    out = np.zeros((3, 2))
    dgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, 3, 2, 4, 1.0, a.ctypes.data, 4, b.ctypes.data, 2, 0.0,
          out.ctypes.data, 2)  # fmt: skip
    return bool(np.allclose(out, a @ b, rtol=1e-12, atol=1e-12))


@functools.cache
def bind() -> Blas | None:
    """numpy's OpenBLAS, set to one thread, or None where it is not the known build."""
    if not _numpy_uses_scipy_openblas():
        return None
    for path in _candidates():
        try:
            lib = ctypes.CDLL(str(path))
        except OSError:
            continue
        dgemm, sgemm = _symbol(lib, "cblas_dgemm"), _symbol(lib, "cblas_sgemm")
        threads = _symbol(lib, "openblas_set_num_threads") or _symbol(lib, "goto_set_num_threads")
        if dgemm is None or sgemm is None or threads is None:
            continue
        _gemm_signature(dgemm, ctypes.c_double)
        _gemm_signature(sgemm, ctypes.c_float)
        if not _agrees_with_numpy(dgemm):
            continue
        threads.argtypes, threads.restype = [ctypes.c_int], None
        threads(1)
        address = ctypes.cast(dgemm, ctypes.c_void_p).value
        return Blas(address, ctypes.cast(sgemm, ctypes.c_void_p).value, str(path))
    return None

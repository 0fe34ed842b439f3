"""Backends by name: ``get("simple" | "fast" | "cuda")`` and ``available()``.

A backend is made on first use, so importing the engine never compiles a kernel.
"""

from __future__ import annotations

import ctypes
import functools
import os
import threading
from collections.abc import Callable
from pathlib import Path

from .base import Backend

__all__ = ["Backend", "available", "default", "get", "register"]

_factories: dict[str, Callable[[], Backend]] = {}
_usable: dict[str, Callable[[], bool]] = {}
_instances: dict[str, Backend] = {}
_preference = ("fast", "simple")
_making = threading.Lock()


def register(
    name: str, factory: Callable[[], Backend], usable: Callable[[], bool] = lambda: True
) -> None:
    """Make a backend known by ``name``; ``usable`` says whether this machine can run it."""
    _factories[name] = factory
    _usable[name] = usable


def available() -> list[str]:
    """The names of the backends this machine can run."""
    return [name for name in _factories if _usable[name]()]


def get(name: str | Backend | None = None) -> Backend:
    """The backend called ``name`` (the default backend for None)."""
    if isinstance(name, Backend):
        return name
    if name is None:
        name = default()
    if name not in _factories:
        raise ValueError(f"unknown backend {name!r}; known backends: {', '.join(_factories)}")
    if not _usable[name]():
        raise ValueError(
            f"backend {name!r} cannot run on this machine; available: {', '.join(available())}"
        )
    with _making:  # two threads asking at once must get the same backend
        if name not in _instances:
            _instances[name] = _factories[name]()
    return _instances[name]


def default() -> str:
    """The name of the backend new tensors use when none is given: the fastest available."""
    return next(name for name in _preference if name in _factories and _usable[name]())


def configure_numba() -> None:
    """Set numba up before it is imported: where its kernel cache goes, and its thread count.

    The cache goes to a user folder when the package folder is read-only; an explicit
    ``NUMBA_CACHE_DIR`` always wins. numba's kernels run on every core when numpy's
    OpenBLAS can be bound (``openblas.bind``, which sets the BLAS to one thread: the fast
    backend then runs its GEMMs on numba's threads too), and on one thread otherwise:
    two pools fight for the same cores, and on a 2-core machine a parallel kernel then
    waits for a descheduled thread (measured: an MLP 784-256-10 step took 20-34 ms with two
    pools and 1.8 ms with one). An explicit ``NUMBA_NUM_THREADS`` always wins; with 1,
    the BLAS keeps its own threads.
    """
    if "NUMBA_NUM_THREADS" not in os.environ:
        from .openblas import bind

        os.environ["NUMBA_NUM_THREADS"] = str(_cores()) if bind() is not None else "1"
    package = Path(__file__).resolve().parents[2]
    if "NUMBA_CACHE_DIR" in os.environ or os.access(package, os.W_OK):
        return
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    os.environ["NUMBA_CACHE_DIR"] = str(base / "visualgrad" / "numba")


def _cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _simple() -> Backend:
    from .simple import SimpleBackend

    return SimpleBackend()


# How long numba's OpenMP threads spin for more work before they sleep: long enough to
# carry a step's kernels from one to the next (waking a sleeping thread costs ~50 us on
# the 2-core machine, more than a split 256x100x100 GEMM saves), short enough that a
# thread kept off its core by another process does not hold up every kernel. Measured
# there: the MLP 2-100-100-1 step on two threads / one took 0.98 / 0.80 ms at 10,000
# and 0.76 / 0.76 ms from 30,000 up; softmax (512, 1000) with a busy process beside it
# took 3.2-4.9 ms at GNU OpenMP's default (300,000), 1.2 ms at 30,000, 0.8 ms on one
# thread, and 0.36 ms at 30,000 on a quiet machine.
SPIN_COUNT = "30000"


def start_numba_threads() -> None:
    """Start numba's thread pool, with ``SPIN_COUNT`` unless ``GOMP_SPINCOUNT`` is set.

    OpenMP reads the variable once, as it loads; it is taken out of the environment again
    at once, so that a process started from this one (torch, in a benchmark) is not run
    with it.
    """
    spin = "GOMP_SPINCOUNT" not in os.environ and os.environ.get("NUMBA_NUM_THREADS") != "1"
    if spin:
        os.environ["GOMP_SPINCOUNT"] = SPIN_COUNT
    try:
        from numba.np.ufunc.parallel import _launch_threads

        _launch_threads()
    finally:
        if spin:
            del os.environ["GOMP_SPINCOUNT"]


M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters


def keep_freed_memory() -> None:
    """Have glibc's malloc keep freed blocks of up to 32 MB for the next allocation
    (Linux only; elsewhere nothing changes).

    By default a large block is mmap'ed fresh each time and its pages fault in again on
    first touch, which here cost ~10 us a page: max pooling's backward of (512, 8, 6, 6)
    in float64 took 4.3-5.9 ms, 0.63 ms with the blocks kept. Memory stays with the
    process up to 128 MB above its peak instead of going back at once.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(M_MMAP_THRESHOLD, 32 << 20)
        libc.mallopt(M_TRIM_THRESHOLD, 128 << 20)
    except (OSError, AttributeError):  # not glibc
        pass


def _fast() -> Backend:
    configure_numba()
    start_numba_threads()
    keep_freed_memory()
    from .fast import FastBackend

    return FastBackend()


@functools.cache
def _cuda_usable() -> bool:
    """True where numba finds a CUDA GPU, or its simulator (NUMBA_ENABLE_CUDASIM=1)."""
    configure_numba()
    try:
        from numba import cuda

        return bool(cuda.is_available())
    except Exception:  # a broken driver or toolkit means no GPU, not a crash
        return False


def _cuda() -> Backend:
    from .cuda import CudaBackend

    return CudaBackend()


register("simple", _simple)
register("fast", _fast)
register("cuda", _cuda, _cuda_usable)

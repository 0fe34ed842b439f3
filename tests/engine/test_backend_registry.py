"""Backends are made lazily, found by name, and listed only where they can run."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from visualgrad.engine import backends


def test_importing_the_engine_compiles_nothing():
    code = "import sys, visualgrad.engine; print('numba' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_every_kernel_is_cached_on_disk():
    from numba.core.dispatcher import Dispatcher

    from visualgrad.engine.backends import (
        fast,
        fast_blas,
        fast_conv_kernels,
        fast_elementwise,
        fast_optim,
        fast_rows,
        fast_windows,
    )

    kernels = [getattr(fast, name) for name in dir(fast) if name.startswith("fast_")]
    kernels = [k for k in kernels if isinstance(k, Dispatcher)]
    assert len(kernels) >= 8
    for kernel in kernels:
        assert kernel.targetoptions.get("parallel") is True, kernel
    modules = (fast, fast_blas, fast_conv_kernels, fast_elementwise, fast_optim, fast_rows)
    for module in (*modules, fast_windows):
        for name in dir(module):
            kernel = getattr(module, name)
            if isinstance(kernel, Dispatcher) and kernel.__module__ == module.__name__:
                assert type(kernel._cache).__name__ != "NullCache", f"{kernel} is not cached"


def test_read_only_package_sends_the_cache_to_the_user_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    backends.configure_numba()
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "visualgrad" / "numba")


def test_an_explicit_cache_folder_wins(monkeypatch):
    monkeypatch.setenv("NUMBA_CACHE_DIR", "/somewhere/else")
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    backends.configure_numba()
    assert os.environ["NUMBA_CACHE_DIR"] == "/somewhere/else"


def test_numba_runs_on_one_thread_without_a_bound_blas_unless_told_otherwise(monkeypatch):
    from visualgrad.engine.backends import openblas

    monkeypatch.delenv("NUMBA_NUM_THREADS", raising=False)
    monkeypatch.setattr(openblas, "bind", lambda: None)
    backends.configure_numba()
    assert os.environ["NUMBA_NUM_THREADS"] == "1"
    monkeypatch.setenv("NUMBA_NUM_THREADS", "4")
    backends.configure_numba()
    assert os.environ["NUMBA_NUM_THREADS"] == "4"


@pytest.mark.parametrize("name", ["fast", "simple"])
def test_fast_is_the_default_and_both_are_available(name):
    assert name in backends.available()
    assert backends.default() == "fast"


@pytest.mark.parametrize("simulator", ["0", "1"])
def test_cuda_is_listed_only_where_a_gpu_or_the_simulator_is(simulator):
    code = (
        "from numba import cuda; from visualgrad.engine import backends; "
        "print('cuda' in backends.available(), cuda.is_available())"
    )
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM=simulator)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    listed, present = result.stdout.split()
    assert listed == present
    if simulator == "1":
        assert listed == "True"


def test_two_threads_asking_for_a_backend_get_the_same_one():
    got = []
    threads = [
        threading.Thread(target=lambda: got.append(backends.get("simple"))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(b is got[0] for b in got)


def test_starting_numbas_threads_leaves_no_spin_count_behind(monkeypatch):
    monkeypatch.delenv("GOMP_SPINCOUNT", raising=False)
    backends.start_numba_threads()
    assert "GOMP_SPINCOUNT" not in os.environ
    monkeypatch.setenv("GOMP_SPINCOUNT", "123")
    backends.start_numba_threads()
    assert os.environ["GOMP_SPINCOUNT"] == "123"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc only")
def test_freed_blocks_are_kept_so_a_steps_buffers_do_not_fault_in_again():
    import resource

    import numpy as np

    import visualgrad.engine as vg
    from visualgrad.engine.nn import functional as F

    x = vg.tensor(np.random.default_rng(0).random((512, 8, 6, 6)), requires_grad=True)

    def step():
        x.grad = None
        F.max_pool2d(x, 2).sum().backward()

    for _ in range(3):
        step()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(5):
        step()
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 5
    assert faults < 100  # 760 a step when each 1.2 MB buffer was mmap'ed afresh

"""The fast backend's elementwise kernels and full sum against numpy: ``python
benchmarks/kernels.py [--json] [--quick]``.

Each op runs on a contiguous float64 tensor, through the tensor API (what a user
pays), next to numpy's ufunc on the same array, taking turns; the figure is the
median. numba runs on as many threads as the project sets (``configure_numba``:
one, unless NUMBA_NUM_THREADS says otherwise).
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from visualgrad import engine as vg  # noqa: E402

NUMPY = {
    "exp": np.exp,
    "relu": lambda a: np.maximum(a, 0.0),
    "sigmoid": lambda a: 0.5 * (np.tanh(0.5 * a) + 1.0),
    "tanh": np.tanh,
    "sum": np.sum,
}


def median_seconds(fn, repeat: int, number: int) -> float:
    fn()  # warm up: compile, allocate
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="time each op once")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    results = {}
    for size in (1_000, 1_000_000):
        a = rng.standard_normal(size)
        t = vg.tensor(a, backend="fast")
        repeat, number = (1, 1) if args.quick else (9, max(1, 20_000_000 // size // 10))
        for op, theirs in NUMPY.items():
            ours = getattr(t, op)
            ours_s, theirs_s = [], []
            for _ in range(repeat):  # take turns, so a noisy machine slows both alike
                ours_s.append(median_seconds(ours, 1, number))
                theirs_s.append(median_seconds(functools.partial(theirs, a), 1, number))
            results[f"{op}_{size}"] = {
                "visualgrad_us": statistics.median(ours_s) * 1e6,
                "numpy_us": statistics.median(theirs_s) * 1e6,
            }
    if args.json:
        print(json.dumps(results))
        return 0
    print(f"{'op':<16}{'visualgrad us':>15}{'numpy us':>12}   ratio")
    for name, row in results.items():
        ratio = row["visualgrad_us"] / row["numpy_us"]
        print(f"{name:<16}{row['visualgrad_us']:>15.1f}{row['numpy_us']:>12.1f}   {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

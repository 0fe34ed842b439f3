"""Engine speed, measured side by side in one run: ``python benchmarks/engine.py [--json]``.

Each figure is the median of several repetitions, and the implementations being
compared take turns within each repetition, so a noisy machine slows all of
them alike. Ratios are what to read; absolute numbers depend on the machine.

- matmul n x n (float64): GFLOP/s of the fast backend and of numpy (simple at 256); numpy
  runs on one thread here, since the fast backend sets the OpenBLAS they share to one
  (``openblas.bind``) and cuts its own products over numba's threads
- broadcast add (1000, 1000) + (1000,): fast vs numpy
- one training step of an MLP 2-100-100-1 (batch 256, BCE, SGD): fast vs the same
  step written by hand in numpy (torch's is among the workloads)
- the workloads of ``workloads.py``, one forward and backward pass (or training
  step) each, like with like: fast vs torch in float64, and fast vs torch in float32,
  each dtype a row of its own: softmax,
  log_softmax and cross_entropy of (512, 1000), conv2d (32, 16, 28, 28) with 32 3x3
  filters, an MLP 784-256-10 step (batch 128), the digits CNN step (batch 64) and a
  1-element add
- start-up: a new process's import plus first op, with an empty kernel cache
  (compiling) and again with the cache present

``--quick`` times everything once, to see that the script runs (its numbers mean little).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import workloads  # noqa: E402

from visualgrad import engine as vg  # noqa: E402
from visualgrad.engine import nn  # noqa: E402
from visualgrad.engine.nn import functional as F  # noqa: E402

HAS_TORCH = importlib.util.find_spec("torch") is not None  # torch itself runs in its own processes
QUICK = "--quick" in sys.argv  # every repeat and number is 1


def side_by_side(
    contenders: dict[str, Callable[[], object]], repeat: int, number: int
) -> dict[str, float]:
    """Median seconds per call of each contender, taking turns within each repetition."""
    if QUICK:
        repeat, number = 1, 1
    for fn in contenders.values():
        fn()  # warm up: compile, allocate, fill caches
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeat):
        for name, fn in contenders.items():
            start = time.perf_counter()
            for _ in range(number):
                fn()
            times[name].append((time.perf_counter() - start) / number)
    return {name: statistics.median(ts) for name, ts in times.items()}


def bench_matmul(n: int) -> dict[str, float]:
    rng = np.random.default_rng(0)
    a_np, b_np = rng.random((n, n)), rng.random((n, n))
    a_fast, b_fast = vg.tensor(a_np, backend="fast"), vg.tensor(b_np, backend="fast")
    contenders = {"fast": lambda: a_fast @ b_fast, "numpy": lambda: a_np @ b_np}
    if n <= 256:
        a_simple, b_simple = vg.tensor(a_np, backend="simple"), vg.tensor(b_np, backend="simple")
        contenders["simple"] = lambda: a_simple @ b_simple
    number = max(1, int(2e8 / n**3))
    seconds = side_by_side(contenders, repeat=7, number=number)
    return {name: 2 * n**3 / s / 1e9 for name, s in seconds.items()}


def bench_broadcast_add() -> dict[str, float]:
    rng = np.random.default_rng(1)
    a_np, b_np = rng.random((1000, 1000)), rng.random(1000)
    a, b = vg.tensor(a_np, backend="fast"), vg.tensor(b_np, backend="fast")
    return side_by_side({"fast": lambda: a + b, "numpy": lambda: a_np + b_np}, repeat=9, number=20)


def mlp_weights(seed: int = 0) -> list[np.ndarray]:
    vg.manual_seed(seed)
    layers = [nn.Linear(2, 100), nn.Linear(100, 100), nn.Linear(100, 1)]
    return [p.to_numpy() for layer in layers for p in (layer.weight, layer.bias)]


def mlp_data(batch: int = 256) -> tuple[np.ndarray, np.ndarray]:
    data = vg.datasets.xor(n=batch, seed=0, val_fraction=0.0)
    return data.x, data.y


def visualgrad_step(weights, x_np, y_np, lr=0.1):
    model = workloads.mlp_2_100_100_1_model()
    model.load_state_dict(dict(zip([n for n, _ in model.named_parameters()], weights)))
    optimizer = vg.optim.SGD(model.parameters(), lr=lr)
    x, y = vg.tensor(x_np), vg.tensor(y_np)

    def step() -> float:
        optimizer.zero_grad()
        loss = F.binary_cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def numpy_step(weights, x, y, lr=0.1):
    w = [v.copy() for v in weights]

    def step() -> float:
        w1, b1, w2, b2, w3, b3 = w
        h1 = x @ w1.T + b1
        a1 = np.maximum(h1, 0)
        h2 = a1 @ w2.T + b2
        a2 = np.maximum(h2, 0)
        p = 1 / (1 + np.exp(-(a2 @ w3.T + b3)))
        loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
        d3 = (p - y) / len(x)
        d2 = (d3 @ w3) * (h2 > 0)
        d1 = (d2 @ w2) * (h1 > 0)
        grads = [d1.T @ x, d1.sum(0), d2.T @ a1, d2.sum(0), d3.T @ a2, d3.sum(0)]
        for value, grad in zip(w, grads):
            value -= lr * grad
        return float(loss)

    return step


def bench_mlp() -> dict[str, float]:
    weights, (x, y) = mlp_weights(), mlp_data()
    makers = {"fast": visualgrad_step, "numpy": numpy_step}
    first_losses = {name: make(weights, x, y)() for name, make in makers.items()}
    spread = max(first_losses.values()) - min(first_losses.values())
    assert spread < 1e-9, f"the MLP steps disagree on the first loss: {first_losses}"
    contenders = {name: make(weights, x, y) for name, make in makers.items()}
    return side_by_side(contenders, repeat=9, number=50)


START_UP = """
import time
start = time.perf_counter()
from visualgrad import engine as vg
x = vg.tensor([1.0, 2.0]) * 2.0 + 1.0
first_op = time.perf_counter() - start
print(first_op)
"""


def bench_start_up() -> dict[str, float]:
    """Seconds from a new process's first import to its first op done, cold and warm."""
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)

        def once() -> float:
            out = subprocess.run(
                [sys.executable, "-c", START_UP],
                env=env,
                capture_output=True,
                text=True,
                check=True,
                cwd=Path(__file__).resolve().parents[1],
            )
            return float(out.stdout.strip())

        cold = once()
        warm = statistics.median(once() for _ in range(1 if QUICK else 3))
    return {"cold": cold, "warm": warm}


def bench_workloads(rounds: int) -> dict[str, dict[str, float]]:
    """The workloads of ``workloads.py``, each contender in its own process, taking turns;
    the median over the rounds, in ms (us for the 1-element add)."""
    contenders = ["fast", "fast32"] + (["torch", "torch32"] if HAS_TORCH else [])
    runs: dict[str, list[dict[str, float]]] = {c: [] for c in contenders}
    for _ in range(rounds):
        for contender in contenders:
            out = subprocess.run(
                [sys.executable, __file__, "--contender", contender, *(["--quick"] * QUICK)],
                capture_output=True,
                text=True,
                check=True,
            )
            runs[contender].append(json.loads(out.stdout))
    results: dict[str, dict[str, float]] = {}
    for name in runs["fast"][0]:
        scale, unit = (1e6, "us") if name == "add_1_element" else (1e3, "ms")
        results[f"{name}_{unit}"] = {
            c: statistics.median(run[name] for run in runs[c]) * scale for c in contenders
        }
    return results


def like_with_like(results: dict[str, dict[str, float]]):
    """The rows of the table: (benchmark, dtype, {column: value}); a workload timed in both
    dtypes gives a float64 row (fast vs torch) and a float32 row (fast32 vs torch32)."""
    for name, row in results.items():
        if name == "start_up_s":
            continue
        if "fast32" not in row:
            yield name, "float64", {"visualgrad": row["fast"], **row}
            continue
        yield name, "float64", {"visualgrad": row["fast"], "torch": row.get("torch")}
        yield name, "float32", {"visualgrad": row["fast32"], "torch": row.get("torch32")}


def print_table(results: dict[str, dict[str, float]]) -> None:
    columns = ("visualgrad", "numpy", "torch", "simple")
    print(f"{'benchmark':<28}{'dtype':>8}" + "".join(f"{c:>11}" for c in columns) + "   ratio")
    for name, dtype, row in like_with_like(results):
        cells = "".join(
            f"{row[k]:>11.3f}" if row.get(k) is not None else f"{'-':>11}" for k in columns
        )
        other = next((k for k in ("torch", "numpy") if row.get(k) is not None), None)
        ratio = "" if other is None else f"visualgrad/{other} {row['visualgrad'] / row[other]:.2f}x"
        if name.endswith("gflops"):
            ratio += " GFLOP/s"
        print(f"{name:<28}{dtype:>8}{cells}   {ratio}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object instead of a table"
    )
    parser.add_argument("--quick", action="store_true", help="time each thing once")
    parser.add_argument("--contender", choices=workloads.CONTENDERS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.contender:  # one contender's process of bench_workloads
        print(json.dumps(workloads.measure(args.contender, side_by_side, args.quick)))
        return 0

    results = {f"matmul_{n}_gflops": bench_matmul(n) for n in (256, 512, 1024)}
    results["broadcast_add_ms"] = {k: v * 1e3 for k, v in bench_broadcast_add().items()}
    results["mlp_step_ms"] = {k: v * 1e3 for k, v in bench_mlp().items()}
    results.update(bench_workloads(rounds=1 if QUICK else 3))
    results["start_up_s"] = bench_start_up()

    if args.json:
        print(json.dumps(results))
        return 0
    print_table(results)
    s = results["start_up_s"]
    print(
        f"start-up to first op: cold (compiling) {s['cold']:.2f} s, "
        f"warm (cache present) {s['warm']:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

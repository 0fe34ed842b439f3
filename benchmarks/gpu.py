"""The GPU backend against the CPU and against PyTorch on the GPU: ``python benchmarks/gpu.py``.

Runs where numba sees an NVIDIA GPU (not the simulator); elsewhere it says so and exits 0.
Each figure is the median of several training steps after a warm-up (compilation); the
contenders take turns within each repetition, so a noisy machine slows all of them alike.

- MLP 784-1024-1024-10, batch 1024, float32, cross_entropy, SGD: a training step on the
  cuda backend, on fast (CPU), and in torch on the GPU where torch has CUDA
- the digits CNN (conv 8 3x3, ReLU, 2x2 max pool, Linear 72-10), batch 512, float32

Goals (issue 11): cuda >= 10x fast on the MLP, and within 2x of torch-cuda.
``--json`` prints the medians and the ratios as one JSON object.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from visualgrad import engine as vg  # noqa: E402
from visualgrad.engine import nn  # noqa: E402
from visualgrad.engine.nn import functional as F  # noqa: E402

Step = Callable[[], object]


def gpu_present() -> str | None:
    """Why there is no GPU to measure, or None when there is one."""
    if os.environ.get("NUMBA_ENABLE_CUDASIM", "0") == "1":
        return "NUMBA_ENABLE_CUDASIM=1 runs numba's simulator, which measures nothing"
    try:
        from numba import cuda

        if not cuda.is_available():
            return "numba finds no CUDA GPU"
    except Exception as error:  # a driver that will not load, a missing toolkit
        return f"numba cannot use CUDA: {type(error).__name__}: {error}"
    return None


def _torch_cuda():
    if importlib.util.find_spec("torch") is None:
        return None
    import torch

    return torch if torch.cuda.is_available() else None


def _ours(model_of: Callable[[], nn.Module], x: np.ndarray, y: np.ndarray, backend: str) -> Step:
    vg.manual_seed(0)
    model = model_of().float().to(backend)
    optimizer = vg.optim.SGD(model.parameters(), lr=0.01)
    xt = vg.tensor(x, dtype="float32", backend=backend)
    target = y.astype(np.int64)

    def step():
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xt), target)
        loss.backward()
        optimizer.step()
        return loss

    def synced():
        loss = step()
        loss.item()  # waits for the device, as a training loop that reads the loss does

    return synced


def _theirs(torch, model_of, x: np.ndarray, y: np.ndarray) -> Step:
    torch.manual_seed(0)
    model = model_of(torch).cuda()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    xt = torch.tensor(x, dtype=torch.float32, device="cuda")
    yt = torch.tensor(y, dtype=torch.int64, device="cuda")

    def step():
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(xt), yt)
        loss.backward()
        optimizer.step()
        loss.item()

    return step


def mlp(torch) -> tuple[str, dict[str, Step]]:
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(1024, 784)), rng.integers(0, 10, size=1024)

    def ours():
        return nn.Sequential(
            nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 10)
        )

    steps = {backend: _ours(ours, x, y, backend) for backend in ("cuda", "fast")}
    if torch is not None:
        steps["torch-cuda"] = _theirs(
            torch,
            lambda t: t.nn.Sequential(
                t.nn.Linear(784, 1024),
                t.nn.ReLU(),
                t.nn.Linear(1024, 1024),
                t.nn.ReLU(),
                t.nn.Linear(1024, 10),
            ),
            x,
            y,
        )
    return "mlp_784_1024_1024_10_batch1024_f32", steps


def digits_cnn(torch) -> tuple[str, dict[str, Step]]:
    data = vg.datasets.digits(n=512, seed=0, val_fraction=0.0)
    x, y = data.x.reshape(-1, 1, 8, 8), data.y

    def ours():
        return nn.Sequential(
            nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(72, 10)
        )

    steps = {backend: _ours(ours, x, y, backend) for backend in ("cuda", "fast")}
    if torch is not None:
        steps["torch-cuda"] = _theirs(
            torch,
            lambda t: t.nn.Sequential(
                t.nn.Conv2d(1, 8, 3),
                t.nn.ReLU(),
                t.nn.MaxPool2d(2),
                t.nn.Flatten(),
                t.nn.Linear(72, 10),
            ),
            x,
            y,
        )
    return "digits_cnn_batch512_f32", steps


def side_by_side(steps: dict[str, Step], warm: int, rounds: int) -> dict[str, float]:
    """Median seconds per step of each contender, taking turns within each round."""
    for step in steps.values():
        for _ in range(warm):
            step()
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--rounds", type=int, default=10, help="timed steps of each contender")
    args = parser.parse_args(argv)
    why_not = gpu_present()
    if why_not is not None:
        print(f"gpu.py: nothing to measure: {why_not}")
        return 0
    torch = _torch_cuda()
    report: dict[str, dict[str, float]] = {}
    for make in (mlp, digits_cnn):
        name, steps = make(torch)
        medians = side_by_side(steps, warm=3, rounds=args.rounds)
        ratios = {"fast/cuda": medians["fast"] / medians["cuda"]}
        if "torch-cuda" in medians:
            ratios["cuda/torch-cuda"] = medians["cuda"] / medians["torch-cuda"]
        report[name] = {**{f"{k}_ms": 1e3 * v for k, v in medians.items()}, **ratios}
        if not args.json:
            shown = ", ".join(f"{k} {1e3 * v:.2f} ms" for k, v in medians.items())
            ratio = ", ".join(f"{k} {v:.2f}x" for k, v in ratios.items())
            print(f"{name}: {shown}; {ratio}")
    if args.json:
        print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

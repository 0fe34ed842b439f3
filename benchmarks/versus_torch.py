"""Each sample trained by visualgrad and by its exported PyTorch script, for the same epochs.

    python benchmarks/versus_torch.py [--json] [--epochs N] [--rounds R] [NAME ...]

Each contender runs in a process of its own, so neither shares threads, caches or
an interpreter lock with the other; the processes of the two take turns, ``--rounds``
times, and the median of each is kept. Only the training loop is timed: visualgrad's
``Trainer.run`` (its kernels compiled, and its data loaded, by a one-epoch run first)
and the exported script's ``train`` (after a one-epoch run too). Both use the sample's
settings, seed, batch size and optimizer, on the CPU and in float64.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from visualgrad.graph import fileformat, samples  # noqa: E402
from visualgrad.graph.export import to_torch  # noqa: E402

OURS = """
import sys, time
sys.path.insert(0, {root!r})
from visualgrad.graph import fileformat, samples
from visualgrad.graph.train import Trainer
path, epochs = samples.find({name!r}), {epochs}
Trainer(fileformat.load(path)).run(1)
graph = fileformat.load(path)
trainer = Trainer(graph)
start = time.perf_counter()
trainer.run(epochs)
print(time.perf_counter() - start)
"""

THEIRS = """
import contextlib, importlib.util, io, sys, time
import torch
if {threads}: torch.set_num_threads({threads})
spec = importlib.util.spec_from_file_location("exported", {script!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
device = torch.device("cpu")
with contextlib.redirect_stdout(io.StringIO()):
    module.train(1, device)
    start = time.perf_counter()
    module.train({epochs}, device)
    seconds = time.perf_counter() - start
print(seconds)
"""


def _seconds(code: str) -> float:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=900
    )
    return float(done.stdout.strip().splitlines()[-1])


def compare(
    name: str, epochs: int | None, rounds: int, folder: Path, threads: int
) -> dict[str, object]:
    graph = fileformat.load(samples.find(name))
    epochs = epochs or graph.training.epochs
    script = folder / f"{name}.py"
    script.write_text(to_torch(graph), encoding="utf-8")
    ours, theirs = [], []
    for _ in range(rounds):
        ours.append(_seconds(OURS.format(root=str(ROOT), name=name, epochs=epochs)))
        code = THEIRS.format(script=str(script), epochs=epochs, threads=threads)
        theirs.append(_seconds(code))
    mine, torch_s = statistics.median(ours), statistics.median(theirs)
    return {
        "sample": name,
        "epochs": epochs,
        "visualgrad_s": round(mine, 3),
        "torch_s": round(torch_s, 3),
        "ratio": round(mine / torch_s, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="samples (default all)")
    parser.add_argument("--epochs", type=int, default=None, help="instead of the saved epochs")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--torch-threads", type=int, default=0, help="torch's thread count (default: its own)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON list of rows")
    args = parser.parse_args(argv)
    try:
        import torch  # noqa: F401
    except ImportError:
        print("versus_torch: torch is not installed (pip install torch==2.13.0)", file=sys.stderr)
        return 2
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name in args.names or samples.names():
            rows.append(compare(name, args.epochs, args.rounds, Path(folder), args.torch_threads))
            if not args.json:
                r = rows[-1]
                print(
                    f"{r['sample']:<20}{r['epochs']:>6} epochs  "
                    f"visualgrad {r['visualgrad_s']:>7.3f} s  torch {r['torch_s']:>7.3f} s  "
                    f"ratio {r['ratio']:.2f}",
                    flush=True,
                )
    if args.json:
        print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

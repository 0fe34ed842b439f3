"""Train every sample project with its saved settings and print what it reached.

Each sample in samples/ is loaded and trained with seed 0 in this process by
the same Trainer the window and ``visualgrad train`` use; the table shows the
epochs, the final mean loss, the training and validation accuracy and the
seconds each took (kernel compilation included, the dataset's first load not)::

    python benchmarks/samples.py [--json] [--backend B] [NAME ...]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from visualgrad.graph import fileformat  # noqa: E402
from visualgrad.graph.data import dataset_for  # noqa: E402
from visualgrad.graph.train import Trainer  # noqa: E402

SAMPLES_DIR = Path(__file__).resolve().parents[1] / "samples"


def train_sample(path: Path, backend: str | None = None) -> dict[str, object]:
    """Train the sample at ``path`` with its settings and seed 0; a row of the table."""
    graph = fileformat.load(path)
    graph.set_training(seed=0)
    dataset_for(graph.training)  # load the data before the clock starts
    result = Trainer(graph, backend).run()
    return {
        "sample": path.stem,
        "epochs": result.epochs,
        "loss": result.loss[-1],
        "accuracy": result.accuracy,
        "val_accuracy": result.val_accuracy,
        "seconds": round(result.seconds, 2),
    }


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def table(rows: list[dict[str, object]]) -> str:
    lines = [f"{'sample':<20}{'epochs':>7}{'loss':>12}{'accuracy':>10}{'val acc':>10}{'s':>8}"]
    for row in rows:
        lines.append(
            f"{row['sample']:<20}{row['epochs']:>7}{row['loss']:>12.5g}"
            f"{_percent(row['accuracy']):>10}{_percent(row['val_accuracy']):>10}"
            f"{row['seconds']:>8.2f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="samples to train (default all)")
    parser.add_argument("--json", action="store_true", help="print one JSON list of rows")
    parser.add_argument("--backend", choices=("simple", "fast", "cuda"), default=None)
    args = parser.parse_args(argv)
    paths = sorted(SAMPLES_DIR.glob("*.vgraph"))
    if args.names:
        paths = [SAMPLES_DIR / f"{name}.vgraph" for name in args.names]
    rows = []
    for path in paths:
        rows.append(train_sample(path, args.backend))
        if not args.json:
            print(table(rows).splitlines()[-1] if len(rows) > 1 else table(rows), flush=True)
    if args.json:
        print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

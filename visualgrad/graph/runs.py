"""Training runs to compare: each run's settings and its per-epoch curves, bounded in size.

The window keeps the last ``MAX_SESSION_RUNS`` runs of a session; a run the user pins is
saved in the project (at most ``MAX_SAVED_RUNS``), with each curve thinned to at most
``MAX_POINTS`` epochs, so a saved run costs a few kilobytes whatever it trained for.
``visualgrad train --save`` adds its run to the saved ones.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .graph import TrainingSettings
    from .train import Progress

MAX_POINTS = 200
MAX_SAVED_RUNS = 10
MAX_SESSION_RUNS = 10
SHOWN_SETTINGS = ("optimizer", "learning_rate", "batch_size", "epochs", "seed")
SETTINGS = (*SHOWN_SETTINGS, "dataset", "momentum", "dtype")
CURVES = ("loss", "accuracy", "val_accuracy")


class RunError(ValueError):
    """A saved run that cannot be read; the message says which part is wrong."""


@dataclass(frozen=True)
class Run:
    """One training run: its settings and, per recorded epoch, loss and accuracies.

    ``epochs`` are the 1-based epoch numbers the curves were taken at (all of them, or an
    even thinning of them); an accuracy is NaN where it does not apply.
    """

    label: str
    settings: dict[str, object]
    epochs: tuple[int, ...]
    loss: tuple[float, ...]
    accuracy: tuple[float, ...]
    val_accuracy: tuple[float, ...]

    def describe(self) -> str:
        """The settings a comparison is about, in one line: ``adam lr 0.01, batch 32, ...``."""
        s = self.settings
        return (
            f"{s['optimizer']} lr {s['learning_rate']:g}, batch {s['batch_size']}, "
            f"{s['epochs']} epochs, seed {s['seed']}"
        )

    def final_loss(self) -> float:
        return self.loss[-1] if self.loss else math.nan

    def thinned(self, points: int = MAX_POINTS) -> Run:
        """The same run with each curve kept at no more than ``points`` epochs, the last one
        included."""
        if len(self.epochs) <= points:
            return self
        keep = np.unique(np.linspace(0, len(self.epochs) - 1, points).round().astype(int))
        pick = lambda values: tuple(values[i] for i in keep)  # noqa: E731
        return Run(
            self.label,
            self.settings,
            pick(self.epochs),
            pick(self.loss),
            pick(self.accuracy),
            pick(self.val_accuracy),
        )


def settings_of(training: TrainingSettings) -> dict[str, object]:
    """The settings a run records."""
    return {name: getattr(training, name) for name in SETTINGS}


def make_run(
    label: str,
    training: TrainingSettings,
    losses: list[float],
    accuracy: list[float | None] | None = None,
    val_accuracy: list[float | None] | None = None,
) -> Run:
    """A run from per-epoch losses and accuracies (None or a missing list: NaN)."""
    count = len(losses)

    def curve(values: list[float | None] | None) -> tuple[float, ...]:
        values = list(values or [])[:count]
        values += [None] * (count - len(values))
        return tuple(math.nan if v is None else float(v) for v in values)

    return Run(
        label,
        settings_of(training),
        tuple(range(1, count + 1)),
        tuple(float(v) for v in losses),
        curve(accuracy),
        curve(val_accuracy),
    )


class EpochRecorder:
    """A training callback that notes each finished epoch's accuracies, then passes the
    progress on to ``then`` (a progress bar, say)."""

    def __init__(self, then: Callable[[Progress], None] | None = None) -> None:
        self.then = then
        self.accuracy: list[float | None] = []
        self.val_accuracy: list[float | None] = []

    def curves(self) -> tuple[list[float | None], list[float | None]]:
        """The accuracy and validation accuracy of each finished epoch."""
        return self.accuracy, self.val_accuracy

    def __call__(self, progress: Progress) -> None:
        if len(progress.epoch_losses) > len(self.accuracy):
            self.accuracy.append(progress.accuracy)
            self.val_accuracy.append(progress.val_accuracy)
        if self.then is not None:
            self.then(progress)


def kept(runs: list[Run], run: Run, limit: int) -> list[Run]:
    """``runs`` with ``run`` added last and the oldest dropped beyond ``limit``."""
    return [*runs, run][-limit:]


# ---- in the project file ---------------------------------------------------------------------
def to_data(run: Run) -> dict[str, object]:
    """The JSON object a ``.vgraph`` keeps for a pinned run (thinned; NaN as null)."""
    run = run.thinned()
    data: dict[str, object] = {"label": run.label, "settings": dict(sorted(run.settings.items()))}
    data["epochs"] = list(run.epochs)
    for name in CURVES:
        data[name] = [None if math.isnan(v) else v for v in getattr(run, name)]
    return data


def from_data(value: object, index: int) -> Run:
    """A run a ``.vgraph`` kept; RunError names the run and the part that is wrong."""
    where = f"runs[{index}]"
    keys = {"label", "settings", "epochs", *CURVES}
    if not isinstance(value, dict) or set(value) != keys:
        raise RunError(f"{where} must be an object with {', '.join(sorted(keys))}")
    if not isinstance(value["label"], str) or len(value["label"]) > 200:
        raise RunError(f"{where}: label must be text of at most 200 characters")
    settings = value["settings"]
    if not isinstance(settings, dict) or set(settings) != set(SETTINGS):
        raise RunError(f"{where}: settings must name {', '.join(SETTINGS)}")
    for name, setting in settings.items():
        _check_setting(name, setting, where)
    epochs = value["epochs"]
    if not isinstance(epochs, list) or not 0 < len(epochs) <= MAX_POINTS:
        raise RunError(f"{where}: epochs must list 1 to {MAX_POINTS} epoch numbers")
    if any(isinstance(e, bool) or not isinstance(e, int) or e < 1 for e in epochs):
        raise RunError(f"{where}: epochs must be whole numbers from 1")
    curves = []
    for name in CURVES:
        values = value[name]
        if not isinstance(values, list) or len(values) != len(epochs):
            raise RunError(f"{where}: {name} must hold one value per epoch")
        if not all(v is None or _number(v) for v in values):
            raise RunError(f"{where}: {name} must hold numbers or null")
        curves.append(tuple(math.nan if v is None else float(v) for v in values))
    return Run(value["label"], dict(settings), tuple(epochs), *curves)


def _number(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


def _check_setting(name: str, value: object, where: str) -> None:
    """A run's setting of the type its TrainingSettings field has; RunError saying why not."""
    from .graph import TrainingSettings  # graph.py builds on this module

    choices = {"optimizer": TrainingSettings.OPTIMIZERS, "dtype": TrainingSettings.DTYPES}
    default = getattr(TrainingSettings, name)
    if name in choices:
        if value not in choices[name]:
            raise RunError(f"{where}: setting {name} must be one of {', '.join(choices[name])}")
    elif isinstance(default, str):
        if not isinstance(value, str) or len(value) > 200:
            raise RunError(f"{where}: setting {name} must be text")
    elif not _number(value):
        raise RunError(f"{where}: setting {name} must be a finite number")
    elif isinstance(default, int) and not float(value).is_integer():
        raise RunError(f"{where}: setting {name} must be a whole number")

"""The dataset a graph trains on, loaded from its training settings, in batches of tensors."""

from __future__ import annotations

import functools
from collections.abc import Iterator

import numpy as np

from .. import engine as vg
from ..engine import Tensor, datasets
from .graph import Graph, TrainingSettings
from .imported_data import IMPORTED, ImportedData, as_dataset


@functools.lru_cache(maxsize=8)
def _load(name: str, size: int, seed: int, val_fraction: float) -> datasets.Dataset:
    return datasets.load(name, n=size, seed=seed, val_fraction=val_fraction)


def dataset_for(
    settings: TrainingSettings, imported: ImportedData | None = None
) -> datasets.Dataset:
    """The dataset the settings name, with their size, seed and validation share (cached).

    The dataset "imported" is ``imported``, the graph's own data, all of its rows.
    ValueError for any failure, so a caller has one thing to catch: settings that make no
    dataset, or a bundled file that is missing or damaged (a broken install).
    """
    if settings.dataset == IMPORTED:
        if imported is None:
            raise ValueError("the dataset 'imported' needs data: File > Import data...")
        return as_dataset(imported, settings.dataset_seed, settings.val_fraction)
    try:
        return _load(
            settings.dataset, settings.dataset_size, settings.dataset_seed, settings.val_fraction
        )
    except ValueError:
        raise
    except Exception as error:
        if isinstance(error, OSError) and error.filename:
            reason = f"{error.filename}: {error.strerror or error}"
        else:
            reason = f"{type(error).__name__}: {error}"
        raise ValueError(f"the {settings.dataset} dataset cannot be loaded: {reason}") from error


def as_batch(x: np.ndarray, y: np.ndarray, backend: str | None = None) -> dict[str, Tensor]:
    """Inputs and targets as the tensors Input and Target nodes hand out."""
    return {"x": vg.tensor(x, backend=backend), "y": vg.tensor(y, backend=backend)}


def host_batches(
    settings: TrainingSettings, epoch: int, imported: ImportedData | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The training batches of one epoch as numpy (x, y), shuffled by the seed and the epoch."""
    data = dataset_for(settings, imported)
    return data.batches(settings.batch_size, shuffle=True, seed=settings.seed * 100_003 + epoch)


def batches(
    settings: TrainingSettings,
    epoch: int,
    backend: str | None = None,
    imported: ImportedData | None = None,
) -> Iterator[dict[str, Tensor]]:
    """The training batches of one epoch as tensors (``host_batches`` on ``backend``)."""
    for x, y in host_batches(settings, epoch, imported):
        yield as_batch(x, y, backend)


def first_batch(
    settings: TrainingSettings, backend: str | None = None, imported: ImportedData | None = None
) -> dict[str, Tensor]:
    """The batch a single forward and backward pass runs on: the first of epoch 0."""
    return next(batches(settings, 0, backend, imported))


def pass_batch(graph: Graph, backend: str | None = None) -> dict[str, Tensor]:
    """What one pass of ``graph`` runs on: the first batch, or nothing when no node reads
    the dataset (the chain-rule example computes from its Parameters alone)."""
    if not any(n.spec.batch for n in graph):
        return {}
    return first_batch(graph.training, backend, graph.data)

"""The datasets the engine trains on: generated 2-D and regression sets, and bundled files.

Every generator is `f(n=..., seed=0, val_fraction=0.2, ...) -> Dataset`. n counts all
examples, of which round(n * val_fraction) go to validation; the same seed always gives the
same arrays and different seeds give different data. Numpy only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from .sentiment_data import build_vocab, encode, read_sentiment, tokenize


@dataclass(frozen=True, eq=False)
class Dataset:
    """A training split and a validation split of one task.

    task is "binary" (y float64 (n, 1) of 0.0/1.0), "multiclass" (y int64 class indices
    (n,)) or "regression" (y float64). num_classes is 2, k or None to match. vocab is set
    for text sets only: index 0 is "<pad>", 1 is "<unk>". Compared by identity: arrays have
    no single truth value.
    """

    name: str
    task: str
    x: np.ndarray
    y: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    num_classes: int | None
    vocab: tuple[str, ...] | None = None

    def batches(
        self, batch_size: int, shuffle: bool = True, seed: int = 0
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield (x, y) batches covering each training example exactly once.

        All batches hold batch_size examples except possibly the last. With shuffle the
        order is a permutation drawn from seed, so the same seed gives the same batches.
        """
        _check_int("batch_size", batch_size, least=1)
        count = len(self.x)
        order = np.random.default_rng(seed).permutation(count) if shuffle else np.arange(count)
        for start in range(0, count, batch_size):
            index = order[start : start + batch_size]
            yield self.x[index], self.y[index]


def resource_path(*parts: str) -> Path:
    """The path of a bundled file under the package's ``resources/`` folder.

    Read through ``importlib.resources``, so it is found wherever the package is
    installed (a checkout, a wheel in site-packages) and whatever the working directory.
    """
    return Path(str(resources.files("visualgrad").joinpath("resources", *parts)))


def _check_int(name: str, value: int, least: int) -> None:
    """Raise ValueError naming the argument unless value is an integer >= least."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        raise ValueError(f"{name} must be an integer of at least {least}, got {name}={value!r}")


def _check_subset(n: int | None, total: int, name: str) -> int:
    """n itself, or total for None; at most the total examples that a bundled file holds."""
    if n is None:
        return total
    _check_int("n", n, least=1)
    if n > total:
        raise ValueError(f"n={n} is more than the {total} examples in {name}")
    return int(n)


def _split_index(
    n: int, val_fraction: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """A seeded shuffle of range(n), cut into training and validation indices."""
    if not 0.0 <= val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in [0, 1), got val_fraction={val_fraction!r}")
    n_val = round(n * val_fraction)
    if n_val >= n:
        raise ValueError(f"val_fraction={val_fraction} leaves no training examples out of n={n}")
    order = rng.permutation(n)
    return order[: n - n_val], order[n - n_val :]


def _dataset(
    name: str,
    task: str,
    x: np.ndarray,
    y: np.ndarray,
    val_fraction: float,
    rng: np.random.Generator,
    num_classes: int | None,
) -> Dataset:
    """Shuffle (x, y) together with rng and split off the validation examples."""
    train, val = _split_index(len(x), val_fraction, rng)
    return Dataset(name, task, x[train], y[train], x[val], y[val], num_classes)


Rule = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _points_2d(name: str, rule: Rule, n: int, seed: int, val_fraction: float) -> Dataset:
    """n points uniform in [0, 1]^2 labelled 1.0 where rule(x1, x2) holds, else 0.0."""
    _check_int("n", n, least=1)
    rng = np.random.default_rng(seed)
    x = rng.random((n, 2))
    y = rule(x[:, 0], x[:, 1]).astype(np.float64).reshape(n, 1)
    return _dataset(name, "binary", x, y, val_fraction, rng, num_classes=2)


def simple(n: int = 100, seed: int = 0, val_fraction: float = 0.2) -> Dataset:
    """Label 1 iff x1 < 0.5: one straight boundary, learnt by a single neuron."""
    return _points_2d("simple", lambda x1, x2: x1 < 0.5, n, seed, val_fraction)


def diag(n: int = 100, seed: int = 0, val_fraction: float = 0.2) -> Dataset:
    """Label 1 iff x1 + x2 < 0.5: a diagonal boundary (about 1 point in 8 is labelled 1)."""
    return _points_2d("diag", lambda x1, x2: x1 + x2 < 0.5, n, seed, val_fraction)


def split(n: int = 100, seed: int = 0, val_fraction: float = 0.2) -> Dataset:
    """Label 1 iff x1 < 0.2 or x1 > 0.8: two boundaries, so a hidden layer is needed."""
    return _points_2d("split", lambda x1, x2: (x1 < 0.2) | (x1 > 0.8), n, seed, val_fraction)


def xor(n: int = 100, seed: int = 0, val_fraction: float = 0.2) -> Dataset:
    """Label 1 iff exactly one of x1, x2 is above 0.5: the classic non-linear problem."""

    def rule(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
        return ((x1 < 0.5) & (x2 > 0.5)) | ((x1 > 0.5) & (x2 < 0.5))

    return _points_2d("xor", rule, n, seed, val_fraction)


def circle(n: int = 100, seed: int = 0, val_fraction: float = 0.2) -> Dataset:
    """Label 1 iff (x1 - 0.5)^2 + (x2 - 0.5)^2 > 0.1: outside a circle about the centre."""

    def rule(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
        return (x1 - 0.5) ** 2 + (x2 - 0.5) ** 2 > 0.1

    return _points_2d("circle", rule, n, seed, val_fraction)


SPIRAL_JITTER = 0.005


def spiral(n: int = 200, seed: int = 0, val_fraction: float = 0.2) -> Dataset:
    """Two interleaved spiral arms about (0.5, 0.5), as in the MiniTorch course.

    Arm 0 (label 0.0, n - n // 2 points) is (t cos t, t sin t) / 20 + 0.5 at
    t = 10 (i + 5) / (n // 2) for i = 0, 1, ..., so t runs up to about 10 rad; arm 1
    (label 1.0, n // 2 points) is arm 0 turned by -90 degrees. Points get gaussian jitter of
    standard deviation SPIRAL_JITTER drawn from seed, then are shuffled.
    """
    _check_int("n", n, least=1)
    rng = np.random.default_rng(seed)
    per_arm = max(n // 2, 1)

    def arm(count: int) -> tuple[np.ndarray, np.ndarray]:
        t = 10.0 * (np.arange(count) + 5) / per_arm
        return t * np.cos(t) / 20.0, t * np.sin(t) / 20.0

    a, b = arm(n - n // 2)
    c, d = arm(n // 2)
    x = np.concatenate([np.stack([a, b], axis=1), np.stack([d, -c], axis=1)]) + 0.5
    x += rng.normal(scale=SPIRAL_JITTER, size=x.shape)
    y = np.concatenate([np.zeros(n - n // 2), np.ones(n // 2)]).reshape(n, 1)
    return _dataset("spiral", "binary", x, y, val_fraction, rng, num_classes=2)


def sin_regression(
    n: int = 100, seed: int = 0, val_fraction: float = 0.2, noise: float = 0.0
) -> Dataset:
    """x uniform in [-pi, pi], y = sin(x) plus gaussian noise of standard deviation noise.

    x and y are float64 (n, 1).
    """
    _check_int("n", n, least=1)
    if not noise >= 0.0:
        raise ValueError(f"noise must be a non-negative standard deviation, got noise={noise!r}")
    rng = np.random.default_rng(seed)
    x = rng.uniform(-np.pi, np.pi, size=(n, 1))
    y = np.sin(x) + noise * rng.standard_normal((n, 1))
    return _dataset("sin_regression", "regression", x, y, val_fraction, rng, num_classes=None)


BLOB_RADIUS = 0.6


def blobs(n: int = 300, seed: int = 0, val_fraction: float = 0.2, classes: int = 3) -> Dataset:
    """Gaussian blobs, one a class, centred evenly on a circle of BLOB_RADIUS about 0.

    Class sizes differ by at most one. The spread is at most 0.1 and at most a sixth of the
    distance between neighbouring centres, so a linear softmax classifier separates the
    classes (well over 90% accuracy) and x stays roughly in [-1, 1]^2. y is int64 (n,).
    """
    _check_int("n", n, least=1)
    _check_int("classes", classes, least=2)
    rng = np.random.default_rng(seed)
    angle = 2.0 * np.pi * np.arange(classes) / classes
    centres = BLOB_RADIUS * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    spread = min(0.1, BLOB_RADIUS * np.sin(np.pi / classes) / 3.0)
    y = np.arange(n, dtype=np.int64) % classes
    x = centres[y] + rng.normal(scale=spread, size=(n, 2))
    return _dataset("blobs", "multiclass", x, y, val_fraction, rng, num_classes=int(classes))


DIGITS_FILE = ("datasets", "digits.npz")


def digits(n: int | None = None, seed: int = 0, val_fraction: float = 0.2) -> Dataset:
    """The UCI 8x8 handwritten digits (1,797 images), shuffled by seed.

    x is float64 (n, 1, 8, 8) in [0, 1] (pixel counts 0..16 divided by 16), y int64 (n,)
    in 0..9. n=None takes every image; a smaller n takes a seeded subset.
    """
    with np.load(resource_path(*DIGITS_FILE), allow_pickle=False) as data:
        images, labels = data["images"], data["labels"]
    n = _check_subset(n, len(images), "digits")
    rng = np.random.default_rng(seed)
    chosen = rng.permutation(len(images))[:n]
    x = (images[chosen].astype(np.float64) / 16.0).reshape(n, 1, 8, 8)
    y = labels[chosen].astype(np.int64)
    return _dataset("digits", "multiclass", x, y, val_fraction, rng, num_classes=10)


SENTIMENT_FILE = ("datasets", "sentiment.tsv")


def sentiment(
    n: int | None = None, seed: int = 0, val_fraction: float = 0.2, max_len: int | None = None
) -> Dataset:
    """Short English reviews labelled 1.0 (positive) or 0.0 (negative), as word ids.

    The vocabulary comes from the training split only, most frequent word first (ties in
    alphabetical order) after "<pad>" (0) and "<unk>" (1). x is int64 (n, max_len), each row
    a sentence's ids padded with 0 or cut to max_len (default: the longest sentence); y is
    float64 (n, 1). n=None takes every sentence; a smaller n takes a seeded subset.
    """
    labels, sentences = read_sentiment(resource_path(*SENTIMENT_FILE))
    n = _check_subset(n, len(sentences), "sentiment")
    if max_len is not None:
        _check_int("max_len", max_len, least=1)
    rng = np.random.default_rng(seed)
    chosen = rng.permutation(len(sentences))[:n]
    train_at, val_at = _split_index(n, val_fraction, rng)
    train, val = chosen[train_at], chosen[val_at]
    tokens = {i: tokenize(sentences[i]) for i in chosen}
    vocab = build_vocab(Counter(word for i in train for word in tokens[i]))
    width = max_len if max_len is not None else max(len(words) for words in tokens.values())
    y = labels.astype(np.float64).reshape(-1, 1)
    return Dataset(
        name="sentiment",
        task="binary",
        x=encode([tokens[i] for i in train], vocab, width),
        y=y[train],
        x_val=encode([tokens[i] for i in val], vocab, width),
        y_val=y[val],
        num_classes=2,
        vocab=vocab,
    )


DATASETS: dict[str, Callable[..., Dataset]] = {
    "simple": simple,
    "diag": diag,
    "split": split,
    "xor": xor,
    "circle": circle,
    "spiral": spiral,
    "sin_regression": sin_regression,
    "blobs": blobs,
    "digits": digits,
    "sentiment": sentiment,
}


def load(name: str, **kwargs: object) -> Dataset:
    """The dataset called name, made with the generator's keyword arguments."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; known datasets: {', '.join(DATASETS)}")
    return DATASETS[name](**kwargs)

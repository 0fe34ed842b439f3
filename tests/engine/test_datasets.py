"""The datasets: shapes and dtypes, seeded determinism, labels that follow their rules,
bundled files that hold what they promise, and sets that simple models can learn."""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from visualgrad.engine import datasets
from visualgrad.engine.datasets import Dataset
from visualgrad.engine.sentiment_data import tokenize

RULES = {
    "simple": lambda x1, x2: x1 < 0.5,
    "diag": lambda x1, x2: x1 + x2 < 0.5,
    "split": lambda x1, x2: (x1 < 0.2) | (x1 > 0.8),
    "xor": lambda x1, x2: ((x1 < 0.5) & (x2 > 0.5)) | ((x1 > 0.5) & (x2 < 0.5)),
    "circle": lambda x1, x2: (x1 - 0.5) ** 2 + (x2 - 0.5) ** 2 > 0.1,
}
REPO = Path(__file__).resolve().parents[2]


def joined(ds: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Training and validation examples together."""
    return np.concatenate([ds.x, ds.x_val]), np.concatenate([ds.y, ds.y_val])


def accuracy_of_nearest_centroid(ds: Dataset) -> float:
    """Validation accuracy of assigning each example to the closest training-class mean."""
    x, x_val = ds.x.reshape(len(ds.x), -1), ds.x_val.reshape(len(ds.x_val), -1)
    centroids = np.stack([x[ds.y == k].mean(axis=0) for k in range(ds.num_classes)])
    distances = ((x_val[:, None, :] - centroids[None]) ** 2).sum(axis=2)
    return float((distances.argmin(axis=1) == ds.y_val).mean())


@pytest.mark.parametrize("name", [*RULES, "spiral"])
def test_2d_sets_are_float_points_with_0_1_label_column(name: str) -> None:
    ds = datasets.load(name, n=50)
    assert (ds.task, ds.num_classes, ds.vocab) == ("binary", 2, None)
    assert ds.x.shape == (40, 2) and ds.y.shape == (40, 1)
    assert ds.x_val.shape == (10, 2) and ds.y_val.shape == (10, 1)
    assert {a.dtype for a in (ds.x, ds.y, ds.x_val, ds.y_val)} == {np.dtype(np.float64)}
    assert set(np.unique(joined(ds)[1])) <= {0.0, 1.0}


@pytest.mark.parametrize("name", RULES)
def test_2d_labels_follow_the_course_rule(name: str) -> None:
    x, y = joined(datasets.load(name, n=500, seed=3))
    assert ((x >= 0.0) & (x < 1.0)).all()
    np.testing.assert_array_equal(y[:, 0], RULES[name](x[:, 0], x[:, 1]).astype(np.float64))


@pytest.mark.parametrize(
    ("name", "total"),
    [*((name, 100) for name in RULES), ("spiral", 200), ("sin_regression", 100), ("blobs", 300)],
)
def test_default_sizes(name: str, total: int) -> None:
    ds = datasets.load(name)
    assert (len(ds.x), len(ds.x_val)) == (total - round(total * 0.2), round(total * 0.2))


@pytest.mark.parametrize("n", [200, 201])
def test_spiral_arms_are_balanced(n: int) -> None:
    _, y = joined(datasets.spiral(n=n))
    assert (int((y == 0).sum()), int((y == 1).sum())) == (n - n // 2, n // 2)


def test_spiral_points_lie_on_their_arm() -> None:
    """Arm 0 is (t cos t, t sin t) / 20 + 0.5; arm 1 is arm 0 turned by -90 degrees."""
    x, y = joined(datasets.spiral(seed=5))
    t = np.linspace(0.0, 11.0, 5_000)
    arm0 = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / 20.0 + 0.5
    arm1 = np.stack([t * np.sin(t), -t * np.cos(t)], axis=1) / 20.0 + 0.5
    to0, to1 = (
        np.sqrt(((x[:, None] - arm[None]) ** 2).sum(axis=2)).min(axis=1) for arm in (arm0, arm1)
    )
    own, other = np.where(y[:, 0] == 0.0, to0, to1), np.where(y[:, 0] == 0.0, to1, to0)
    assert own.max() < 0.025 and (own < other).all()
    radius = 20.0 * np.hypot(x[:, 0] - 0.5, x[:, 1] - 0.5)
    assert radius.min() < 1.0 and 10.0 < radius.max() < 10.5


def test_sin_regression_targets_are_sine_of_inputs() -> None:
    ds = datasets.sin_regression(n=60)
    assert (ds.task, ds.num_classes) == ("regression", None)
    assert ds.x.shape == ds.y.shape == (48, 1) and ds.x_val.shape == (12, 1)
    x, y = joined(ds)
    assert np.abs(x).max() <= np.pi
    np.testing.assert_array_equal(y, np.sin(x))


def test_sin_regression_noise_is_gaussian_with_the_given_std() -> None:
    x, y = joined(datasets.sin_regression(n=4000, noise=0.1, seed=2))
    residual = y - np.sin(x)
    assert abs(residual.mean()) < 0.01 and 0.095 < residual.std() < 0.105


@pytest.mark.parametrize("classes", [2, 3, 10])
def test_blobs_are_balanced_int_labels_in_a_small_box(classes: int) -> None:
    ds = datasets.blobs(n=301, classes=classes)
    assert (ds.task, ds.num_classes) == ("multiclass", classes)
    assert ds.x.dtype == np.float64 and ds.y.dtype == ds.y_val.dtype == np.int64
    assert ds.x.shape == (241, 2) and ds.y.shape == (241,) and ds.y_val.shape == (60,)
    x, y = joined(ds)
    counts = np.bincount(y, minlength=classes)
    assert counts.max() - counts.min() <= 1 and counts.sum() == 301
    assert np.abs(x).max() < 1.2


@pytest.mark.parametrize("classes", [3, 5, 10])
def test_blobs_are_linearly_separable(classes: int) -> None:
    """Nearest centroid is a linear classifier here (argmax of c.x - |c|^2 / 2)."""
    assert accuracy_of_nearest_centroid(datasets.blobs(n=1000, classes=classes)) >= 0.9


def test_digits_are_the_1797_uci_images_scaled_to_unit_range() -> None:
    ds = datasets.digits()
    assert (ds.task, ds.num_classes) == ("multiclass", 10)
    assert ds.x.shape == (1438, 1, 8, 8) and ds.x_val.shape == (359, 1, 8, 8)
    assert ds.x.dtype == np.float64 and ds.y.dtype == np.int64 and ds.y.shape == (1438,)
    x, y = joined(ds)
    assert x.min() == 0.0 and x.max() == 1.0
    np.testing.assert_array_equal(x * 16, np.round(x * 16))
    assert sorted(set(y.tolist())) == list(range(10))
    assert np.bincount(y).min() >= 170 and np.bincount(y).max() <= 190


def test_bundled_digits_file_starts_with_the_known_zero() -> None:
    with np.load(datasets.resource_path("datasets", "digits.npz"), allow_pickle=False) as f:
        assert f["images"].dtype == f["labels"].dtype == np.uint8
        assert f["labels"][0] == 0
        np.testing.assert_array_equal(f["images"][0, 0], [0, 0, 5, 13, 9, 1, 0, 0])


def test_digits_labels_match_images() -> None:
    assert accuracy_of_nearest_centroid(datasets.digits(seed=1)) >= 0.85


def test_digits_subset_size() -> None:
    ds = datasets.digits(n=100, val_fraction=0.1)
    assert ds.x.shape == (90, 1, 8, 8) and ds.y_val.shape == (10,)


def test_sentiment_is_padded_word_ids_with_a_training_vocab() -> None:
    ds = datasets.sentiment()
    assert (ds.task, ds.num_classes) == ("binary", 2)
    assert ds.vocab[:2] == ("<pad>", "<unk>")
    assert len(ds.x) + len(ds.x_val) >= 1000 and len(ds.x_val) == round(0.2 * 1200)
    assert ds.x.dtype == ds.x_val.dtype == np.int64 and ds.y.dtype == np.float64
    assert ds.y.shape == (len(ds.x), 1) and set(np.unique(ds.y)) == {0.0, 1.0}
    x, y = joined(ds)
    assert 0.45 < y.mean() < 0.55
    assert (x[:, 0] != 0).all()
    assert (np.diff((x == 0).astype(int), axis=1) >= 0).all()
    counts = Counter(ds.x[ds.x > 0].tolist())
    assert counts[1] == 0 and set(counts) == set(range(2, len(ds.vocab)))
    order = [(-counts[i], ds.vocab[i]) for i in range(2, len(ds.vocab))]
    assert order == sorted(order)


def test_sentiment_rows_decode_to_the_bundled_sentences() -> None:
    text = datasets.resource_path("datasets", "sentiment.tsv").read_text(encoding="utf-8")
    sentences = {tuple(tokenize(line.split("\t")[1])) for line in text.splitlines()[1:]}
    ds = datasets.sentiment(n=50, seed=4)
    for row in ds.x:
        assert tuple(ds.vocab[i] for i in row if i != 0) in sentences
    assert all(3 <= len(words) <= 12 for words in sentences)


def test_sentiment_words_unseen_in_training_are_unknown() -> None:
    ds = datasets.sentiment(n=30, seed=0)
    assert (ds.x_val == 1).any()


def test_sentiment_max_len_pads_or_cuts() -> None:
    assert datasets.sentiment(max_len=20).x.shape[1] == 20
    short, full = datasets.sentiment(max_len=4), datasets.sentiment()
    np.testing.assert_array_equal(short.x, full.x[:, :4])


def test_tokenize_keeps_lowercased_letter_runs() -> None:
    assert tokenize("Not bad, REALLY! It's café-good 10/10") == [
        "not", "bad", "really", "it", "s", "café", "good"
    ]  # fmt: skip


def test_bag_of_words_logistic_regression_learns_sentiment() -> None:
    """Mean of one-hot words (padding left out), standardised, then 300 gradient steps."""
    ds = datasets.sentiment()
    size = len(ds.vocab)

    def mean_one_hot(ids: np.ndarray) -> np.ndarray:
        features = np.zeros((len(ids), size))
        np.add.at(features, (np.arange(len(ids))[:, None], ids), 1.0)
        features[:, 0] = 0.0
        return features / features.sum(axis=1, keepdims=True)

    x, x_val = mean_one_hot(ds.x), mean_one_hot(ds.x_val)
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    x, x_val = (x - mean) / std, (x_val - mean) / std
    w, b = np.zeros(size), 0.0
    for _ in range(300):
        error = 1.0 / (1.0 + np.exp(-(x @ w + b))) - ds.y[:, 0]
        w -= x.T @ error / len(x)
        b -= error.mean()
    assert ((x_val @ w + b > 0) == (ds.y_val[:, 0] == 1.0)).mean() >= 0.8


def test_bundled_sentiment_file_is_what_the_generator_writes() -> None:
    spec = importlib.util.spec_from_file_location(
        "make_sentiment", REPO / "tools/make_sentiment.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    bundled = datasets.resource_path("datasets", "sentiment.tsv").read_text(encoding="utf-8")
    assert module.render(module.make(seed=0, per_label=600)) == bundled


@pytest.mark.parametrize("name", datasets.DATASETS)
def test_same_seed_same_arrays_other_seed_other_data(name: str) -> None:
    first, again, other = (datasets.load(name, seed=s) for s in (7, 7, 8))
    for field in ("x", "y", "x_val", "y_val"):
        np.testing.assert_array_equal(getattr(first, field), getattr(again, field))
    assert first.vocab == again.vocab
    assert first.x.shape != other.x.shape or not np.array_equal(first.x, other.x)


@pytest.mark.parametrize("name", datasets.DATASETS)
def test_validation_is_rounded_fraction_of_n(name: str) -> None:
    ds = datasets.load(name, n=20, val_fraction=0.3)
    assert (len(ds.x), len(ds.y), len(ds.x_val), len(ds.y_val)) == (14, 14, 6, 6)
    empty = datasets.load(name, n=20, val_fraction=0.0)
    assert len(empty.x) == 20 and empty.x_val.shape == (0, *empty.x.shape[1:])


def test_batches_cover_each_training_example_once_per_pass() -> None:
    ds = datasets.simple(n=103)
    batches = list(ds.batches(10, seed=1))
    assert [len(bx) for bx, _ in batches] == [10] * 8 + [2]
    x = np.concatenate([bx for bx, _ in batches])
    y = np.concatenate([by for _, by in batches])
    key = np.lexsort(x.T)
    np.testing.assert_array_equal(x[key], ds.x[np.lexsort(ds.x.T)])
    np.testing.assert_array_equal(y[:, 0], RULES["simple"](x[:, 0], x[:, 1]).astype(np.float64))


def test_batches_order_follows_shuffle_and_seed() -> None:
    ds = datasets.simple(n=50)

    def first_x(**kwargs: object) -> np.ndarray:
        return np.concatenate([bx for bx, _ in ds.batches(8, **kwargs)])

    np.testing.assert_array_equal(first_x(shuffle=False), ds.x)
    np.testing.assert_array_equal(first_x(seed=3), first_x(seed=3))
    assert not np.array_equal(first_x(seed=3), first_x(seed=4))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: datasets.simple(n=0), "n must be an integer of at least 1, got n=0"),
        (lambda: datasets.blobs(n=-5), "got n=-5"),
        (lambda: datasets.spiral(n=2.5), "got n=2.5"),
        (lambda: datasets.digits(n=1798), "n=1798 is more than the 1797 examples in digits"),
        (lambda: datasets.sentiment(n=5000), "n=5000 is more than the 1200 examples"),
        (
            lambda: datasets.xor(val_fraction=1.0),
            "val_fraction must be in [0, 1), got val_fraction=1.0",
        ),
        (lambda: datasets.digits(val_fraction=-0.1), "got val_fraction=-0.1"),
        (lambda: datasets.simple(n=1, val_fraction=0.6), "leaves no training examples"),
        (lambda: datasets.blobs(classes=1), "classes must be an integer of at least 2"),
        (lambda: datasets.sin_regression(noise=-1.0), "got noise=-1.0"),
        (lambda: datasets.sentiment(max_len=0), "got max_len=0"),
        (lambda: next(datasets.simple().batches(0)), "got batch_size=0"),
        (lambda: datasets.load("mnist"), "unknown dataset 'mnist'; known datasets: simple, diag"),
    ],
)
def test_bad_arguments_are_named_in_the_error(call, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def test_bundled_files_are_found_from_any_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert (
        datasets.resource_path("datasets", "digits.npz")
        == REPO / "visualgrad/resources/datasets/digits.npz"
    )
    assert len(datasets.digits(n=5).x) == 4 and len(datasets.sentiment(n=5).x) == 4

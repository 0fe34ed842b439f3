"""A dataset that cannot be loaded is a ValueError naming it, whatever the loader raised."""

from __future__ import annotations

import zipfile

import pytest

from visualgrad.engine import datasets
from visualgrad.graph import data
from visualgrad.graph.graph import TrainingSettings


@pytest.fixture
def fresh_cache():
    data._load.cache_clear()
    yield
    data._load.cache_clear()


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (
            FileNotFoundError(2, "No such file or directory", "/site/digits.npz"),
            "/site/digits.npz: No such file or directory",
        ),
        (zipfile.BadZipFile("File is not a zip file"), "BadZipFile: File is not a zip file"),
    ],
)
def test_a_broken_bundled_file_is_a_value_error_naming_the_dataset(
    monkeypatch, fresh_cache, failure, reason
):
    def broken(**_kwargs):
        raise failure

    monkeypatch.setitem(datasets.DATASETS, "digits", broken)
    with pytest.raises(ValueError) as raised:
        data.dataset_for(TrainingSettings(dataset="digits"))
    assert str(raised.value) == f"the digits dataset cannot be loaded: {reason}"

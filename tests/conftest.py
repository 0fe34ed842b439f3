"""Shared test set-up: every engine test runs on every available backend."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

from visualgrad import engine as vg  # noqa: E402

settings.register_profile(
    "visualgrad",
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile("visualgrad")


@pytest.fixture(params=vg.backends.available())
def backend(request) -> str:
    """The name of a backend; tests that take it run once on each."""
    return request.param


@pytest.fixture(autouse=True)
def _seeded():
    vg.manual_seed(0)

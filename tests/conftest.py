"""Shared test set-up: every engine test runs on every available backend."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Without a GPU the cuda backend runs on numba's simulator; NUMBA_ENABLE_CUDASIM=0 uses a real one.
os.environ.setdefault("NUMBA_ENABLE_CUDASIM", "1")

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


def simulated(backend: str) -> bool:
    """True for the cuda backend on numba's simulator, which runs each thread as Python."""
    return backend == "cuda" and os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"


@pytest.fixture
def not_simulated(backend):
    """For tests too long for the simulator (thousands of launches): skip them there."""
    if simulated(backend):
        pytest.skip("too many kernel launches for the CUDA simulator")
    return backend


@pytest.fixture(autouse=True)
def _fewer_examples_on_the_simulator(request):
    """Hypothesis tests on the CUDA simulator try 3 examples instead of 30.

    Each simulated launch costs milliseconds; the same properties are checked
    with many more examples on the other backends.
    """
    test = request.function
    callspec = getattr(request.node, "callspec", None)
    names = (
        () if callspec is None else (callspec.params.get("backend"), callspec.params.get("other"))
    )
    if (
        "cuda" not in names
        or not simulated("cuda")
        or not hasattr(test, "_hypothesis_internal_use_settings")
    ):
        yield
        return
    original = test._hypothesis_internal_use_settings
    test._hypothesis_internal_use_settings = settings(original, max_examples=3)
    yield
    test._hypothesis_internal_use_settings = original


@pytest.fixture(autouse=True)
def _seeded():
    vg.manual_seed(0)

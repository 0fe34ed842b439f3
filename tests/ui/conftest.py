"""Window tests keep their settings, recent files and autosaves in a folder of their own."""

import os
import tempfile

_home = tempfile.mkdtemp(prefix="visualgrad-ui-tests-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_home, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_home, "data")
os.environ["XDG_STATE_HOME"] = os.path.join(_home, "state")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def fresh_settings():
    """Each window test starts from no stored settings: a panel height, a window layout or
    a snap choice one test stored must not change what the next one sees."""
    from visualgrad.ui.files.store import settings

    stored = settings()
    stored.clear()
    stored.sync()
    yield

"""Window tests keep their settings, recent files and autosaves in a folder of their own."""

import os
import tempfile

_home = tempfile.mkdtemp(prefix="visualgrad-ui-tests-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_home, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_home, "data")
os.environ["XDG_STATE_HOME"] = os.path.join(_home, "state")

"""The checks the ``.vgraph`` readers share, and the ``Problem`` they raise.

``fileformat`` puts the file's name in front of a Problem's message and turns it into a
one-line ``FileFormatError``.
"""

from __future__ import annotations

import json
import math
from typing import Any


class Problem(Exception):
    """What is wrong, before the file's name is put in front of it."""


def fields(
    value: Any, where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> None:
    """Problem unless ``value`` is an object with the ``required`` keys and no others but
    ``optional``."""
    prefix = f"{where}: " if where else ""
    if not isinstance(value, dict):
        raise Problem(f"{prefix}expected an object, got {show(value)}")
    for key in required:
        if key not in value:
            raise Problem(f"{prefix}missing {key!r}")
    unknown = [key for key in value if key not in required and key not in optional]
    if unknown:
        raise Problem(f"{prefix}unknown field {unknown[0]!r}")


def as_list(value: Any, name: str, limit: int) -> list[Any]:
    """``value`` when it is a list of at most ``limit`` entries; else Problem naming ``name``."""
    if not isinstance(value, list):
        raise Problem(f"{name} must be a list, got {show(value)}")
    if len(value) > limit:
        raise Problem(f"{len(value):,} {name} is more than the limit of {limit:,}")
    return value


def finite(value: Any) -> bool:
    """A JSON number (not a bool) that is finite."""
    return type(value) in (int, float) and math.isfinite(value)


def is_text(value: Any) -> bool:
    """A string that UTF-8 can hold (JSON escapes can spell lone surrogates, which it cannot)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def show(value: Any) -> str:
    """A found value, short, as messages quote it."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."

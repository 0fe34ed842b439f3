"""Backends by name: ``get("simple" | "fast" | "cuda")`` and ``available()``.

A backend is made on first use, so importing the engine never compiles a kernel.
"""

from __future__ import annotations

from collections.abc import Callable

from .base import Backend

__all__ = ["Backend", "available", "default", "get", "register"]

_factories: dict[str, Callable[[], Backend]] = {}
_usable: dict[str, Callable[[], bool]] = {}
_instances: dict[str, Backend] = {}
_preference = ("fast", "simple")


def register(
    name: str, factory: Callable[[], Backend], usable: Callable[[], bool] = lambda: True
) -> None:
    """Make a backend known by ``name``; ``usable`` says whether this machine can run it."""
    _factories[name] = factory
    _usable[name] = usable


def available() -> list[str]:
    """The names of the backends this machine can run."""
    return [name for name in _factories if _usable[name]()]


def get(name: str | Backend | None = None) -> Backend:
    """The backend called ``name`` (the default backend for None)."""
    if isinstance(name, Backend):
        return name
    if name is None:
        name = default()
    if name not in _factories:
        raise ValueError(f"unknown backend {name!r}; known backends: {', '.join(_factories)}")
    if not _usable[name]():
        raise ValueError(
            f"backend {name!r} cannot run on this machine; available: {', '.join(available())}"
        )
    if name not in _instances:
        _instances[name] = _factories[name]()
    return _instances[name]


def default() -> str:
    """The name of the backend new tensors use when none is given: the fastest available."""
    names = available()
    return next(name for name in _preference if name in names)


def _simple() -> Backend:
    from .simple import SimpleBackend

    return SimpleBackend()


register("simple", _simple)

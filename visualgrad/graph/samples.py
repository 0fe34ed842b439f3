"""The sample projects that ship inside the package, found by name wherever it is installed.

They live in ``visualgrad/samples/`` as package data (the checkout's top-level
``samples/`` is a link to that folder) and are read through ``importlib.resources``.
The command line accepts a sample's name where a file is expected
(``visualgrad check xor``), and ``visualgrad samples --copy DIR`` writes them out
for editing.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from . import fileformat

SUFFIX = ".vgraph"


@dataclass(frozen=True)
class Sample:
    name: str  # the file's stem, as typed on the command line
    path: Path
    title: str
    description: str
    nodes: int


def folder() -> Path:
    """The installed folder of the bundled sample projects."""
    return Path(str(resources.files("visualgrad").joinpath("samples")))


def names() -> list[str]:
    """The bundled samples' names, sorted."""
    return sorted(path.stem for path in folder().glob(f"*{SUFFIX}"))


def find(name_or_path: str | os.PathLike[str]) -> Path:
    """``name_or_path`` itself where it names an existing path, else the bundled sample of
    that name (``xor`` or ``xor.vgraph``); otherwise the argument unchanged, so that
    opening it reports the missing file as usual."""
    given = Path(name_or_path)
    if os.path.lexists(given) or given.parent != Path("."):
        return given
    stem = given.name.removesuffix(SUFFIX)
    bundled = folder() / f"{stem}{SUFFIX}"
    return bundled if stem and bundled.is_file() else given


def title(name: str) -> str:
    """A sample's name as a heading: ``digits_cnn`` becomes ``Digits CNN``."""
    return name.replace("_", " ").capitalize().replace("cnn", "CNN")


def samples() -> list[Sample]:
    """The bundled samples with their descriptions, sorted by name; a damaged one is left out."""
    found = []
    for path in sorted(folder().glob(f"*{SUFFIX}")):
        try:
            graph, description = fileformat.load_with_description(path)
        except (fileformat.FileFormatError, OSError):
            continue
        found.append(Sample(path.stem, path, title(path.stem), description or "", len(graph.nodes)))
    return found


def copy_to(destination: str | os.PathLike[str]) -> list[Path]:
    """Write every bundled sample into ``destination`` (made if missing); returns the copies.

    An existing file of the same name is left alone and raises FileExistsError
    before anything is written, so a user's edited copy is never overwritten.
    """
    target = Path(destination)
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"{target} is not a folder")
    sources = sorted(folder().glob(f"*{SUFFIX}"))
    clashes = [target / p.name for p in sources if os.path.lexists(target / p.name)]
    if clashes:
        raise FileExistsError(f"{clashes[0]} already exists; nothing was copied")
    target.mkdir(parents=True, exist_ok=True)
    copies = []
    for source in sources:
        copy = target / source.name
        shutil.copyfile(source, copy)
        copies.append(copy)
    return copies

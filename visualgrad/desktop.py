"""The program on a Linux desktop: its menu entry, its file type, its icon, and the XDG
folders where a user's data and state go.

``visualgrad install-desktop`` copies a desktop entry, a shared-mime-info package
that makes ``*.vgraph`` files ``application/x-visualgrad``, and the icon into the
user's data folder ($XDG_DATA_HOME, or ~/.local/share), and refreshes the desktop's
caches with update-desktop-database and update-mime-database where they are
installed (a desktop without them still finds the files, later). The entry starts
the command that installed it. ``--uninstall`` removes exactly those files. No Qt
here: it runs without a screen.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

from .graph import safe_files

APP = "visualgrad"
MIME_TYPE = "application/x-visualgrad"
ICON_SIZES = (48, 128, 256)  # the PNGs in resources/icons/, beside the SVG
CACHE_TOOLS = ("update-desktop-database", "update-mime-database")
TOOL_SECONDS = 60


def xdg_home(variable: str, default: str) -> Path:
    """An XDG base folder: ``$variable`` when it is an absolute path (the specification
    says to ignore a relative one), else ``~/default``."""
    value = os.environ.get(variable, "")
    return Path(value) if os.path.isabs(value) else Path.home() / default


def data_home() -> Path:
    return xdg_home("XDG_DATA_HOME", ".local/share")


def state_home() -> Path:
    return xdg_home("XDG_STATE_HOME", ".local/state")


def resource(*parts: str) -> bytes:
    """A file shipped under ``visualgrad/resources/``."""
    place = resources.files("visualgrad") / "resources"
    for part in parts:
        place = place / part
    return place.read_bytes()


def launch_command() -> list[str]:
    """What a desktop entry runs: the ``visualgrad`` script beside this interpreter (a
    virtual environment's, pipx's), else this interpreter with ``-m visualgrad``."""
    script = Path(sys.executable).with_name(APP)
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", APP]


def exec_line(command: list[str]) -> str:
    """``command`` and a file argument as a desktop entry's Exec value.

    An argument with a reserved character is quoted, and ``"`, `, $, \\`` in it are
    escaped; then ``%`` is doubled and, as in every string value, each backslash.
    """
    reserved = set(" \t\n\"'\\><~|&;$*?#()`")
    words = []
    for word in command:
        if reserved & set(word):
            word = '"' + "".join("\\" + c if c in '"`$\\' else c for c in word) + '"'
        words.append(word.replace("%", "%%").replace("\\", "\\\\"))
    return " ".join([*words, "%f"])


def desktop_entry(command: list[str]) -> bytes:
    """The shipped desktop entry, its Exec line starting ``command``."""
    lines = resource("desktop", f"{APP}.desktop").decode("utf-8").splitlines()
    lines = [f"Exec={exec_line(command)}" if line.startswith("Exec=") else line for line in lines]
    return ("\n".join(lines) + "\n").encode("utf-8")


def destinations() -> dict[Path, tuple[str, str]]:
    """Where ``install`` puts each shipped file, relative to the data folder."""
    icons = Path("icons") / "hicolor"
    places = {
        Path("applications") / f"{APP}.desktop": ("desktop", f"{APP}.desktop"),
        Path("mime") / "packages" / f"{APP}.xml": ("desktop", f"{APP}.xml"),
        icons / "scalable" / "apps" / f"{APP}.svg": ("icons", f"{APP}.svg"),
    }
    for size in ICON_SIZES:
        places[icons / f"{size}x{size}" / "apps" / f"{APP}.png"] = ("icons", f"{APP}-{size}.png")
    return places


@dataclasses.dataclass
class Outcome:
    """What an install or an uninstall did."""

    folder: Path  # the data folder
    files: list[Path]  # written, or removed
    refreshed: list[str]  # the cache tools that ran and succeeded
    failed: list[str]  # "tool: why", for those that ran and failed

    def report(self, verb: str) -> list[str]:
        """Lines for a person: each file, then the caches."""
        lines = [f"{verb} {path}" for path in self.files]
        if not self.files:
            lines.append(f"nothing of visualgrad's was installed under {self.folder}")
        if self.refreshed:
            lines.append(f"refreshed the desktop's caches with {', '.join(self.refreshed)}")
        lines.extend(f"could not refresh a cache: {failure}" for failure in self.failed)
        return lines


def install(folder: Path | None = None, command: list[str] | None = None) -> Outcome:
    """Write the entry, the file type and the icons under ``folder`` (the data folder);
    an OSError names the file that could not be written."""
    folder = data_home() if folder is None else folder
    entry = desktop_entry(command or launch_command())
    written = []
    for relative, parts in destinations().items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        content = entry if relative.suffix == ".desktop" else resource(*parts)
        safe_files.write_atomically(str(path), content)
        written.append(path)
    return Outcome(folder, written, *_refresh(folder))


def uninstall(folder: Path | None = None) -> Outcome:
    """Remove what ``install`` wrote under ``folder``; files of other programs stay."""
    folder = data_home() if folder is None else folder
    removed = []
    for relative in destinations():
        path = folder / relative
        if path.is_file() or path.is_symlink():
            path.unlink()
            removed.append(path)
    return Outcome(folder, removed, *_refresh(folder))


def _refresh(folder: Path) -> tuple[list[str], list[str]]:
    """Run each cache tool that is on PATH on its folder; never fails for a missing one."""
    refreshed, failed = [], []
    for tool, place in zip(CACHE_TOOLS, (folder / "applications", folder / "mime")):
        program = shutil.which(tool)
        if program is None or not place.is_dir():
            continue
        try:
            done = subprocess.run(
                [program, str(place)],
                capture_output=True,
                text=True,
                timeout=TOOL_SECONDS,
                check=False,
            )
        except (OSError, subprocess.SubprocessError) as error:
            failed.append(f"{tool}: {error}")
            continue
        if done.returncode == 0:
            refreshed.append(tool)
        else:
            last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
            failed.append(f"{tool}: {last}")
    return refreshed, failed

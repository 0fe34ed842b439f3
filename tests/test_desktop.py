"""Desktop integration: the menu entry, the .vgraph file type and the icon, installed into
the user's XDG data folder and removed again; no Qt, no screen."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from visualgrad import __version__, cli, desktop

OURS = [
    "applications/visualgrad.desktop",
    "mime/packages/visualgrad.xml",
    "icons/hicolor/scalable/apps/visualgrad.svg",
    "icons/hicolor/48x48/apps/visualgrad.png",
    "icons/hicolor/128x128/apps/visualgrad.png",
    "icons/hicolor/256x256/apps/visualgrad.png",
]


@pytest.fixture
def share(tmp_path, monkeypatch) -> Path:
    """$XDG_DATA_HOME, in the test's own folder."""
    folder = tmp_path / "share"
    monkeypatch.setenv("XDG_DATA_HOME", str(folder))
    return folder


@pytest.fixture
def no_cache_tools(tmp_path, monkeypatch) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def entry_value(path: Path, key: str) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(line.split("=", 1)[1] for line in lines if line.startswith(f"{key}="))


def test_xdg_folders_come_from_the_environment_and_a_relative_one_is_ignored(monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", "/srv/state")
    monkeypatch.setenv("XDG_DATA_HOME", "relative/share")
    monkeypatch.setenv("HOME", "/home/ada")
    assert desktop.state_home() == Path("/srv/state")
    assert desktop.data_home() == Path("/home/ada/.local/share")
    monkeypatch.delenv("XDG_STATE_HOME")
    assert desktop.state_home() == Path("/home/ada/.local/state")


def test_install_writes_the_entry_the_file_type_and_the_icons(share, no_cache_tools):
    outcome = desktop.install()
    assert sorted(p.relative_to(share).as_posix() for p in outcome.files) == sorted(OURS)
    assert outcome.refreshed == [] and outcome.failed == []  # no tools: still installed
    entry = share / "applications" / "visualgrad.desktop"
    assert entry_value(entry, "MimeType") == "application/x-visualgrad;"
    assert entry_value(entry, "Icon") == "visualgrad"
    package = (share / "mime" / "packages" / "visualgrad.xml").read_text(encoding="utf-8")
    assert 'type="application/x-visualgrad"' in package and 'pattern="*.vgraph"' in package
    png = (share / "icons/hicolor/48x48/apps/visualgrad.png").read_bytes()
    assert png.startswith(b"\x89PNG") and png[16:24] == (48).to_bytes(4, "big") * 2


def test_the_entry_starts_the_installed_command(share, no_cache_tools):
    desktop.install()
    command = desktop.launch_command()
    assert os.path.isabs(command[0]) and os.access(command[0], os.X_OK)
    entry = share / "applications" / "visualgrad.desktop"
    assert entry_value(entry, "Exec") == desktop.exec_line(command)
    assert entry_value(entry, "StartupWMClass") == "visualgrad"  # the window's WM_CLASS
    shown = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=60)
    assert shown.stdout.strip() == f"visualgrad {__version__}"


def test_exec_quotes_a_path_with_reserved_characters():
    assert desktop.exec_line(["/opt/my apps/python3", "-m", "visualgrad"]) == (
        '"/opt/my apps/python3" -m visualgrad %f'
    )
    # $ is escaped for the quoting, % doubled, then every backslash doubled as in any string
    assert desktop.exec_line(["/home/a$b/100%/py"]) == '"/home/a\\\\$b/100%%/py" %f'


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils")
@pytest.mark.parametrize(
    "command", [None, ["/opt/my apps/python3", "-m", "visualgrad"], ["/home/a$b/100%/py"]]
)
def test_desktop_file_validate_accepts_the_entry(share, command):
    desktop.install(command=command)
    entry = share / "applications" / "visualgrad.desktop"
    checked = subprocess.run(
        ["desktop-file-validate", str(entry)], capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0 and not checked.stdout.strip(), checked.stdout


@pytest.mark.skipif(not shutil.which("update-mime-database"), reason="shared-mime-info")
def test_the_mime_database_maps_vgraph_files_to_the_type(share):
    outcome = desktop.install()
    assert "update-mime-database" in outcome.refreshed
    globs = (share / "mime" / "globs2").read_text(encoding="utf-8").splitlines()
    assert any(line.endswith(":application/x-visualgrad:*.vgraph") for line in globs)
    desktop.uninstall()
    globs = (share / "mime" / "globs2").read_text(encoding="utf-8")
    assert "visualgrad" not in globs


def test_uninstall_removes_only_what_install_wrote(share, no_cache_tools):
    desktop.install()
    other = share / "applications" / "other.desktop"
    other.write_text("[Desktop Entry]\n", encoding="utf-8")
    outcome = desktop.uninstall()
    assert sorted(p.relative_to(share).as_posix() for p in outcome.files) == sorted(OURS)
    assert not [p for p in OURS if (share / p).exists()]
    assert other.exists()
    assert desktop.uninstall().files == []  # a second time: nothing left to remove


def test_the_command_line_installs_and_uninstalls(share, no_cache_tools, capsys):
    assert cli.main(["install-desktop"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"wrote {share / p}" for p in OURS]
    assert cli.main(["install-desktop", "--uninstall"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"removed {share / p}" for p in OURS]


def test_an_unwritable_data_folder_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    assert cli.main(["install-desktop"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"visualgrad: {blocker}")
    assert "Traceback" not in err

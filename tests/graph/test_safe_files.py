"""Opening and saving a project touch only regular files, and a save leaves no temp behind.

``fileformat.load`` and ``fileformat.save`` are what the window and the command
line call, so the refusals are tested through them.
"""

from __future__ import annotations

import fcntl
import os
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.graph.builders import chain_rule
from visualgrad.graph import fileformat as ff
from visualgrad.graph import safe_files
from visualgrad.graph.fileformat import FileFormatError

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes, devices and flock")


def _folder(path) -> list[str]:
    return sorted(os.listdir(path))


def _device(path) -> None:
    """A character device like /dev/null at ``path``, or a skip where nodes cannot be made."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs CAP_MKNOD")


def _temp_name(name: str, digits: str) -> str:
    return f".{name}{safe_files.MARK}{digits}.tmp"


# ---- opening -----------------------------------------------------------------------------------
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    pipe = tmp_path / "p.vgraph"
    os.mkfifo(pipe)
    messages = []

    def load():
        try:
            ff.load(pipe)
        except FileFormatError as error:
            messages.append(str(error))

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(5)
    if thread.is_alive():  # blocked in open: give it a writer so the test fails, not hangs
        os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(5)
    assert messages == [f"{pipe}: cannot read the file: it is a named pipe, not a regular file"]


def test_a_folder_is_refused_as_a_project(tmp_path):
    with pytest.raises(FileFormatError) as caught:
        ff.load(tmp_path)
    assert (
        str(caught.value) == f"{tmp_path}: cannot read the file: it is a folder, not a regular file"
    )


def test_a_link_to_a_device_is_refused_as_a_project(tmp_path):
    link = tmp_path / "zero.vgraph"
    link.symlink_to("/dev/zero")
    with pytest.raises(FileFormatError) as caught:
        ff.load(link)
    assert str(caught.value) == f"{link}: cannot read the file: it is a device, not a regular file"


# ---- saving: what is refused ---------------------------------------------------------------------
def test_saving_over_a_folder_is_refused_and_changes_nothing(tmp_path):
    folder = tmp_path / "out.vgraph"
    folder.mkdir()
    with pytest.raises(IsADirectoryError, match="it is a folder, not a regular file"):
        ff.save(chain_rule(), folder)
    assert _folder(tmp_path) == ["out.vgraph"] and _folder(folder) == []


def test_saving_over_a_named_pipe_is_refused_and_keeps_the_pipe(tmp_path):
    pipe = tmp_path / "p.vgraph"
    os.mkfifo(pipe)
    with pytest.raises(OSError, match="it is a named pipe, not a regular file"):
        ff.save(chain_rule(), pipe)
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode) and _folder(tmp_path) == ["p.vgraph"]


@pytest.mark.parametrize("through_link", [False, True])
def test_saving_over_a_device_is_refused_and_keeps_the_device(tmp_path, through_link):
    device = tmp_path / "null"
    _device(device)
    target = device
    if through_link:
        target = tmp_path / "link.vgraph"
        target.symlink_to(device)
    with pytest.raises(OSError, match="it is a device, not a regular file"):
        ff.save(chain_rule(), target)
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert len(_folder(tmp_path)) == (2 if through_link else 1)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("", "no file name given"),
        ("new/", "it names a folder (it ends with a separator)"),
        ("missing/x.vgraph", "the folder {tmp}/missing does not exist"),
    ],
)
def test_saving_to_a_path_that_names_no_file_is_refused(tmp_path, monkeypatch, path, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OSError) as caught:
        ff.save(chain_rule(), path)
    assert caught.value.strerror == message.format(tmp=tmp_path)
    assert _folder(tmp_path) == []


# ---- saving: temp files --------------------------------------------------------------------------
def test_a_save_names_its_temp_as_ours_and_leaves_none(tmp_path, monkeypatch):
    seen = []
    real_replace = os.replace

    def replace(source, target):
        seen.append(os.path.basename(source))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    ff.save(chain_rule(), tmp_path / "model.vgraph")
    (name,) = seen
    assert name.startswith(".model.vgraph.visualgrad-save-") and name.endswith(".tmp")
    assert len(name) == len(_temp_name("model.vgraph", "01234567"))
    assert _folder(tmp_path) == ["model.vgraph"]


def test_a_save_removes_dead_saves_temps_and_keeps_a_live_ones_and_others(tmp_path):
    dead = tmp_path / _temp_name("model.vgraph", "0123abcd")
    live = tmp_path / _temp_name("model.vgraph", "89abcdef")
    kept = [".model.vgraph.0123abcd.tmp", _temp_name("other.vgraph", "0123abcd"), live.name]
    for name in [dead.name, *kept]:
        (tmp_path / name).write_bytes(b"half a file")
    with open(live, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a save that is still writing holds it
        ff.save(chain_rule(), tmp_path / "model.vgraph")
    assert _folder(tmp_path) == sorted([*kept, "model.vgraph"])


KILLED_MID_SAVE = """
import os, sys, time
from tests.graph.builders import chain_rule
from visualgrad.graph import fileformat

def stall(fd):
    print("writing", flush=True)
    time.sleep(60)

os.fsync = stall
fileformat.save(chain_rule(), sys.argv[1])
"""


def test_the_temp_of_a_killed_save_is_removed_by_the_next_save(tmp_path):
    target = tmp_path / "model.vgraph"
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_MID_SAVE, str(target)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert process.stdout.readline() == "writing\n"
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        process.kill()
        process.stdout.close()
    (left,) = _folder(tmp_path)
    assert left.startswith(".model.vgraph.visualgrad-save-")
    ff.save(chain_rule(), target)
    assert _folder(tmp_path) == ["model.vgraph"]
    assert ff.load(target).nodes.keys() == chain_rule().nodes.keys()

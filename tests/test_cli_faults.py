"""The command line refuses bad targets and bad arguments in one line, and ends cleanly on a signal.

Each refusal: exit 2, exactly one line on stderr, no traceback, nothing written
and no temp file left. SIGINT and SIGTERM end the line the progress bar was on,
say so in one line, and exit 130 and 143.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from visualgrad import cli

ROOT = Path(__file__).resolve().parents[1]
XOR = str(ROOT / "samples" / "xor.vgraph")
SPIRAL = str(ROOT / "samples" / "spiral.vgraph")
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes, devices and signals")


def run(*args: str, timeout: float = 60, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "visualgrad", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=cwd)


def refused(result: subprocess.CompletedProcess) -> str:
    """The one line a refusal printed, after checking that it is the only one."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("visualgrad: "), result.stderr
    return lines[0]


def listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


# ---- targets that are not files ------------------------------------------------------------------
@POSIX
def test_check_refuses_a_named_pipe_at_once(tmp_path):
    pipe = tmp_path / "p.vgraph"
    os.mkfifo(pipe)
    line = refused(run("check", str(pipe), timeout=30))
    assert (
        line == f"visualgrad: {pipe}: cannot read the file: it is a named pipe, not a regular file"
    )


def test_train_refuses_to_save_over_a_folder_before_training(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    line = refused(run("train", XOR, "--epochs", "1", "--save", str(folder)))
    assert line == f"visualgrad: {folder}: cannot write: it is a folder, not a regular file"
    assert listing(tmp_path) == ["out"] and listing(folder) == []


def test_train_refuses_a_save_with_an_empty_name(tmp_path):
    line = refused(run("train", XOR, "--epochs", "1", "--save", "", cwd=tmp_path))
    assert line == "visualgrad: --save '': cannot write: no file name given"
    assert listing(tmp_path) == []


@POSIX
@pytest.mark.parametrize("through_link", [False, True])
def test_train_refuses_to_save_over_a_device(tmp_path, through_link):
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a private /dev/null
    except PermissionError:
        pytest.skip("making a device node needs CAP_MKNOD")
    target = device
    if through_link:
        target = tmp_path / "link.vgraph"
        target.symlink_to(device)
    line = refused(run("train", XOR, "--epochs", "1", "--save", str(target)))
    assert line == f"visualgrad: {target}: cannot write: it is a device, not a regular file"
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert listing(tmp_path) == (["link.vgraph", "null"] if through_link else ["null"])


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("out", "out: cannot write: it is a folder, not a regular file"),
        ("", "-o '': cannot write: no file name given"),
    ],
)
def test_export_refuses_what_is_not_a_file(tmp_path, output, expected):
    (tmp_path / "out").mkdir()
    assert refused(run("export", XOR, "-o", output, cwd=tmp_path)) == f"visualgrad: {expected}"
    assert listing(tmp_path) == ["out"] and listing(tmp_path / "out") == []


def test_export_writes_the_script_and_no_temp(tmp_path):
    result = run("export", XOR, "-o", "model.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert listing(tmp_path) == ["model.py"]
    compile((tmp_path / "model.py").read_text(encoding="utf-8"), "model.py", "exec")


# ---- a save that fails -------------------------------------------------------------------------
def test_a_failed_save_keeps_the_old_file_and_says_so_in_one_line(tmp_path, monkeypatch, capsys):
    target = tmp_path / "model.vgraph"
    target.write_bytes(b"the old file")

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    code = cli.main(["train", XOR, "--epochs", "1", "--quiet", "--save", str(target)])
    assert code == 2
    assert capsys.readouterr().err == (
        f"visualgrad: {target}: cannot write: No space left on device\n"
    )
    assert target.read_bytes() == b"the old file" and listing(tmp_path) == ["model.vgraph"]


@pytest.fixture
def tiny_file_system(tmp_path):
    """A 512 KiB tmpfs, where mounting one is allowed (root on Linux); a skip elsewhere."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("mounting a tmpfs is not allowed here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_full_file_system_keeps_the_old_file_and_says_so_in_one_line(tiny_file_system):
    target = tiny_file_system / "model.vgraph"
    target.write_bytes(b"the old file")
    filler = tiny_file_system / "filler"
    with pytest.raises(OSError, match="No space left"), open(filler, "wb", buffering=0) as out:
        while True:
            out.write(b"\0" * 4096)
    line = refused(run("train", XOR, "--epochs", "1", "--quiet", "--save", str(target)))
    assert line == f"visualgrad: {target}: cannot write: No space left on device"
    assert target.read_bytes() == b"the old file"
    assert listing(tiny_file_system) == ["filler", "model.vgraph"]


# ---- arguments ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["train", XOR, "--epochs", "abc"],
            "argument --epochs: invalid int value: 'abc'; see 'visualgrad train --help'",
        ),
        (
            ["train", XOR, "--backend", "nonexistent"],
            "argument --backend: invalid choice: 'nonexistent' (choose from 'simple', 'fast', "
            "'cuda'); see 'visualgrad train --help'",
        ),
        (["train"], "the following arguments are required: FILE; see 'visualgrad train --help'"),
        (["--bogus"], "unrecognized arguments: --bogus; see 'visualgrad --help'"),
        (["train", XOR, "--epochs", "0"], "--epochs must be at least 1"),
        ([XOR, "extra"], f"unexpected arguments after {XOR}: extra"),
    ],
)
def test_a_bad_argument_is_one_line_and_exit_2(capsys, argv, expected):
    assert cli.main(argv) == 2
    assert capsys.readouterr().err == f"visualgrad: {expected}\n"


def test_help_still_shows_the_usage(capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(["train", "--help"])
    assert caught.value.code == 0
    assert capsys.readouterr().out.startswith("usage: visualgrad train [-h] [--epochs EPOCHS]")


# ---- progress ----------------------------------------------------------------------------------
def test_progress_off_a_terminal_is_plain_lines_of_finished_epochs():
    result = run("train", XOR, "--epochs", "3")
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("epoch 1/3 loss ") and lines[-1].startswith("epoch 3/3 loss ")
    assert all(line.startswith("epoch ") and "[" not in line for line in lines)


@POSIX
def test_progress_on_a_terminal_is_one_redrawn_bar():
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "visualgrad", "train", XOR, "--epochs", "3"],
        stdout=subprocess.DEVNULL,
        stderr=follower,
        cwd=ROOT,
    )
    os.close(follower)
    shown = b""
    try:
        while select.select([leader], [], [], 60)[0]:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the process closed its end
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
        assert process.wait(30) == 0
    text = shown.decode()
    assert text.startswith("\repoch 1/3 [") and "\repoch 3/3 [" + "#" * 30 + "]" in text
    assert text.endswith("  \r\n")  # the bar's line is ended (a terminal writes \n as \r\n)
    assert text.count("\n") == 1


# ---- signals -----------------------------------------------------------------------------------
def _wait_for(stream, text: str, seconds: float = 60) -> str:
    """Lines read from ``stream`` up to the first that holds ``text``."""
    seen, deadline = "", time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = stream.readline()
        seen += line
        if text in line or not line:
            return seen
    return seen


@POSIX
@pytest.mark.parametrize(
    ("sent", "code", "message"),
    [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")],
)
def test_a_signal_during_training_ends_the_line_says_so_and_saves_nothing(
    tmp_path, sent, code, message
):
    target = tmp_path / "model.vgraph"
    process = subprocess.Popen(
        [sys.executable, "-m", "visualgrad", "train", SPIRAL, "--epochs", "100000"]
        + ["--save", str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        progress = _wait_for(process.stderr, "epoch 1/100000")
        assert "epoch 1/100000" in progress
        process.send_signal(sent)
        stdout, rest = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == code
    lines = (progress + rest).splitlines()
    assert lines[-1] == f"visualgrad: {message}"
    assert all(line.startswith("epoch ") for line in lines[:-1])
    assert "Traceback" not in rest and stdout == ""
    assert listing(tmp_path) == []


TERMINATED_MID_SAVE = """
import os, sys, time
from visualgrad import cli

def stall(fd):
    print("saving", flush=True)
    time.sleep(60)

os.fsync = stall
sys.exit(cli.main(["train", sys.argv[1], "--epochs", "1", "--quiet", "--save", sys.argv[2]]))
"""


@POSIX
def test_sigterm_during_the_save_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "model.vgraph"
    target.write_bytes(b"the old file")
    process = subprocess.Popen(
        [sys.executable, "-c", TERMINATED_MID_SAVE, XOR, str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert process.stdout.readline() == "saving\n"
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 143
    assert stderr == "visualgrad: terminated\n"
    assert target.read_bytes() == b"the old file" and listing(tmp_path) == ["model.vgraph"]


@POSIX
def test_a_listing_whose_reader_has_gone_ends_quietly():
    """`visualgrad samples | head -1`: the reader goes away, and no traceback follows."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write now fails with EPIPE, as after head has exited
    try:
        writer = subprocess.run(
            [sys.executable, "-m", "visualgrad", "samples"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert (writer.returncode, writer.stderr) == (141, "")

"""The command line, run as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.graph.builders import chain_rule, mlp
from visualgrad.graph import fileformat

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
# a project whose group name is a list: was a TypeError traceback from `check` (exit 1)
BAD_GROUP = json.dumps(
    {
        **json.loads(fileformat.to_json(chain_rule())),
        "groups": [{"name": ["g"], "members": ["a"], "position": [0, 0]}],
    }
)


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "visualgrad", *args], capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def files(tmp_path):
    paths = {"chain": tmp_path / "chain.vgraph", "xor": tmp_path / "xor.vgraph"}
    fileformat.save(chain_rule(), paths["chain"])
    fileformat.save(mlp(), paths["xor"])
    return paths


def test_version():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("visualgrad ")


def test_tour_shows_the_chain_rule_numbers_and_learns_xor():
    result = run("tour")
    assert result.returncode == 0, result.stderr
    assert "e = c * d = 6" in result.stdout
    assert "= 2 * 1 + 3 * 1 = 5" in result.stdout
    assert "step 400" in result.stdout and "accuracy 100%" in result.stdout
    assert result.stdout.splitlines()[-1] == (
        "In the window, step through both and watch the network train:"
        " `visualgrad chain_rule`, `visualgrad xor`"
    )


def test_check_passes_good_files(files):
    result = run("check", str(files["chain"]), str(files["xor"]))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(": ok (") == 2


def test_run_json_gives_the_loss_and_source_gradients(files):
    result = run("run", str(files["chain"]), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"loss": 6.0, "gradients": {"a": 2.0, "b": 5.0, "one": 3.0}}


def test_train_json_is_repeatable_and_saves(files, tmp_path):
    out = tmp_path / "trained.vgraph"
    first = run(
        "train", str(files["xor"]), "--epochs", "3", "--seed", "1", "--json", "--save", str(out)
    )
    second = run("train", str(files["xor"]), "--epochs", "3", "--seed", "1", "--json")
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout.splitlines()[-1])
    assert summary["epochs"] == 3 and len(summary["loss"]) == 3
    assert summary["loss"] == json.loads(second.stdout.splitlines()[-1])["loss"]
    assert "epoch 3/3" in first.stderr  # the progress bar
    assert fileformat.load(out).nodes["hidden"].weights is not None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"format": "visualgrad", "version": 9}', "written by a newer visualgrad (version 9"),
        ("{not json", "damaged JSON"),
        ('{"hello": 1}', "not a visualgrad file"),
        (BAD_GROUP, "groups[0]: name must be text"),
    ],
)
def test_bad_files_exit_2_with_one_line(tmp_path, content, message):
    path = tmp_path / "bad.vgraph"
    path.write_text(content)
    for command in (["check"], ["run"], ["train"]):
        result = run(*command, str(path))
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and str(path) in lines[0] and message in lines[0]


def test_a_shape_mismatch_is_named_with_its_node(tmp_path):
    graph = mlp()
    graph.set_params("out", {"in_features": 3})
    path = tmp_path / "mismatch.vgraph"
    fileformat.save(graph, path)
    result = run("check", str(path))
    assert result.returncode == 2
    assert result.stderr.strip() == f"visualgrad: {path}: Linear 'out': expects (*, 3), got (*, 10)"


def test_missing_file_and_bad_arguments_exit_2(tmp_path):
    result = run("run", str(tmp_path / "nowhere.vgraph"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert run("--bogus").returncode == 2
    assert run("train", str(tmp_path / "x.vgraph"), "--epochs", "0").returncode == 2


def without_screen() -> dict:
    env = {k: v for k, v in os.environ.items()}
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(name, None)
    return env


def test_the_window_without_a_screen_says_so_in_one_line():
    result = subprocess.run(
        [sys.executable, "-m", "visualgrad"],
        capture_output=True,
        text=True,
        timeout=60,
        env=without_screen(),
    )
    assert result.returncode == 2
    assert "no screen" in result.stderr and "Traceback" not in result.stderr


def test_the_window_refuses_a_damaged_file_before_it_opens(tmp_path):
    bad = tmp_path / "bad.vgraph"
    bad.write_text("{", encoding="utf-8")
    result = run(str(bad))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "bad.vgraph" in result.stderr


def test_the_window_opens_on_a_sample_and_stays_open(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path)}
    env["XDG_DATA_HOME"] = str(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "visualgrad", "samples/xor.vgraph"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=str(SAMPLES.parent),
    )
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            process.wait(timeout=8)  # still running: the window is up and waiting for a person
    finally:
        process.kill()
        _, stderr = process.communicate()
    assert "Traceback" not in stderr

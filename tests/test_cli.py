"""The command line, run as a user runs it."""

from __future__ import annotations

import subprocess
import sys


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "visualgrad", *args], capture_output=True, text=True, timeout=120
    )


def test_version():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("visualgrad ")


def test_tour_shows_the_chain_rule_numbers_and_learns_xor():
    result = run()
    assert result.returncode == 0, result.stderr
    assert "e = c * d = 6" in result.stdout
    assert "= 2 * 1 + 3 * 1 = 5" in result.stdout
    assert "step 400" in result.stdout and "accuracy 100%" in result.stdout


def test_unknown_argument_exits_2_without_traceback():
    result = run("--bogus")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr

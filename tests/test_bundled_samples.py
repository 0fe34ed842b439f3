"""The sample projects ship inside the package and are found by name from anywhere."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from visualgrad import cli
from visualgrad.graph import samples

ROOT = Path(__file__).resolve().parents[1]


def test_the_checkouts_samples_folder_is_the_packaged_one():
    packaged = sorted(p.name for p in (ROOT / "visualgrad" / "samples").glob("*.vgraph"))
    top = sorted(p.name for p in (ROOT / "samples").glob("*.vgraph"))
    assert top == packaged and len(packaged) == 13
    match, mismatch, errors = filecmp.cmpfiles(
        ROOT / "samples", ROOT / "visualgrad" / "samples", packaged, shallow=False
    )
    assert (mismatch, errors) == ([], [])


def test_samples_are_found_through_the_package_not_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert samples.folder() == ROOT / "visualgrad" / "samples"
    assert "xor" in samples.names() and "digits_cnn" in samples.names()
    assert samples.find("xor") == samples.folder() / "xor.vgraph"
    assert samples.find("xor.vgraph") == samples.folder() / "xor.vgraph"


def test_a_path_that_exists_wins_over_a_sample_of_the_same_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "xor").write_text("mine")
    assert samples.find("xor") == Path("xor")
    assert samples.find("nosuchsample") == Path("nosuchsample")
    assert samples.find("sub/xor") == Path("sub/xor")


def test_check_and_run_accept_a_samples_name(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", "xor", "chain_rule"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "xor: ok (8 nodes, 7 edges)",
        "chain_rule: ok (7 nodes, 7 edges)",
    ]
    assert cli.main(["run", "chain_rule"]) == 0
    assert "dL/da = 2" in capsys.readouterr().out


def test_samples_lists_each_bundled_sample_with_its_summary(capsys):
    assert cli.main(["samples"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[:-1]] == samples.names()
    assert "chain_rule           The chain rule by hand" in lines
    assert all(len(line) <= 100 for line in lines)


def test_samples_copy_writes_editable_copies_and_never_overwrites(tmp_path, capsys):
    out = tmp_path / "mine"
    assert cli.main(["samples", "--copy", str(out)]) == 0
    assert sorted(p.stem for p in out.glob("*.vgraph")) == samples.names()
    assert (out / "xor.vgraph").read_bytes() == (samples.folder() / "xor.vgraph").read_bytes()
    (out / "xor.vgraph").write_text("edited")
    capsys.readouterr()
    assert cli.main(["samples", "--copy", str(out)]) == 2
    err = capsys.readouterr().err
    first = out / f"{samples.names()[0]}.vgraph"
    assert err == f"visualgrad: {first} already exists; nothing was copied\n"
    assert (out / "xor.vgraph").read_text() == "edited"


def test_samples_copy_onto_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert cli.main(["samples", "--copy", str(tmp_path / "file")]) == 2
    assert capsys.readouterr().err == f"visualgrad: {tmp_path / 'file'} is not a folder\n"


@pytest.mark.parametrize("name", samples.names())
def test_every_sample_is_described(name):
    (sample,) = [s for s in samples.samples() if s.name == name]
    assert sample.description and sample.nodes > 0

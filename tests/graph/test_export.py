"""Export to PyTorch: each sample's script gives visualgrad's loss, trains, runs under torchrun.

Writing a script needs no PyTorch, so those tests always run; running one needs it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from visualgrad.cli import main
from visualgrad.graph import catalog, fileformat
from visualgrad.graph.data import first_batch, pass_batch
from visualgrad.graph.execute import Program
from visualgrad.graph.graph import Graph

needs_torch = pytest.mark.skipif(
    importlib.util.find_spec("torch") is None, reason="running an exported script needs torch"
)
SAMPLES = sorted((Path(__file__).parents[2] / "samples").glob("*.vgraph"))


def _export(sample: Path, tmp_path: Path) -> Path:
    out = tmp_path / f"{sample.stem}.py"
    assert main(["export", str(sample), "--to", "torch", "-o", str(out)]) == 0
    return out


def _script(path: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    return subprocess.run(
        [sys.executable, str(path), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=True,
    )


def test_every_node_type_has_a_torch_form():
    missing = [name for name, node_type in catalog.CATALOG.items() if node_type.torch is None]
    assert missing == []


@needs_torch
@pytest.mark.parametrize("sample", SAMPLES, ids=[s.stem for s in SAMPLES])
def test_exported_script_gives_the_same_first_batch_loss(sample, tmp_path):
    graph = fileformat.load(sample)
    expected = Program(graph).trace(pass_batch(graph)).loss
    result = _script(_export(sample, tmp_path), "--check")
    assert json.loads(result.stdout.strip().splitlines()[-1])["loss"] == pytest.approx(
        expected, rel=1e-6
    )


@needs_torch
@pytest.mark.parametrize("sample", ["xor", "chain_rule", "softmax_classifier"])
def test_exported_script_trains_an_epoch(sample, tmp_path):
    script = _export(next(s for s in SAMPLES if s.stem == sample), tmp_path)
    result = _script(script, "--epochs", "1")
    assert result.stdout.startswith("epoch 1/1  loss ")


@needs_torch
def test_exported_script_trains_on_two_processes_with_torchrun(tmp_path):
    script = _export(next(s for s in SAMPLES if s.stem == "xor"), tmp_path)
    env = {**os.environ, "MASTER_ADDR": "127.0.0.1", "CUDA_VISIBLE_DEVICES": ""}
    env["GLOO_SOCKET_IFNAME"] = "lo"
    failures = []
    for _ in range(2):  # a second try where a process was killed by a signal (seen once in CI)
        with socket.socket() as probe:  # a free port on loopback for the rendezvous
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2"]
        command += ["--master_addr=127.0.0.1", f"--master_port={port}"]
        command += [str(script), "--epochs", "2"]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=120, env=env, check=False
        )
        if result.returncode == 0 or "Signal" not in result.stderr:
            break
        failures.append(result.stderr[-3000:])
    assert result.returncode == 0, "\n".join(failures) + result.stderr[-6000:]
    assert result.stdout.count("epoch ") == 2  # printed by rank 0 only


def test_exported_scripts_read_like_code_a_person_wrote(tmp_path):
    """ruff, a test dependency, lints them: where it is missing this fails, never skips."""
    scripts = [_export(sample, tmp_path) for sample in SAMPLES]
    command = [
        sys.executable,
        "-m",
        "ruff",
        "check",
        "--no-cache",
        "--isolated",
        "--select",
        "E,F,W",
        "--line-length",
        "100",
        *map(str, scripts),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def _graph_of_the_other_node_types() -> Graph:
    """The node types no sample uses, in one graph on the digits: a Conv1d branch (through
    Reshape, Transpose, Max, Softmax, Clamp, LeakyReLU, Softplus) and an AvgPool2d branch,
    summed, LogSoftmax, NLLLoss."""
    graph = Graph()
    graph.set_training(dataset="digits", dataset_size=200, batch_size=16, epochs=1)
    add = graph.add_node
    add("Input", "x")
    add("Target", "label")
    add("Reshape", "rows", {"shape": [-1, 8, 8]})
    add("Conv1d", "conv", {"in_channels": 8, "out_channels": 4, "kernel_size": 3})
    add("Transpose", "swap", {"dim0": -2, "dim1": -1})
    add("Max", "peak", {"dim": -1})
    add("Softmax", "share", {"dim": -1})
    add("Clamp", "clip", {"min": 0.05, "max": 0.5})
    add("LeakyReLU", "leaky", {"negative_slope": 0.1})
    add("Softplus", "smooth")
    add("Linear", "from_rows", {"in_features": 6, "out_features": 10})
    add("Reshape", "image", {"shape": [-1, 1, 8, 8]})
    add("AvgPool2d", "pool", {"kernel_size": 2})
    add("Flatten", "flat")
    add("Linear", "from_pool", {"in_features": 16, "out_features": 10})
    add("Add", "scores")
    add("LogSoftmax", "log_probs", {"dim": -1})
    add("NLLLoss", "nll")
    add("Loss", "loss")
    for source, target, port in [
        ("x", "rows", "x"),
        ("rows", "conv", "x"),
        ("conv", "swap", "x"),
        ("swap", "peak", "x"),
        ("peak", "share", "x"),
        ("share", "clip", "x"),
        ("clip", "leaky", "x"),
        ("leaky", "smooth", "x"),
        ("smooth", "from_rows", "x"),
        ("x", "image", "x"),
        ("image", "pool", "x"),
        ("pool", "flat", "x"),
        ("flat", "from_pool", "x"),
        ("from_rows", "scores", "a"),
        ("from_pool", "scores", "b"),
        ("scores", "log_probs", "x"),
        ("log_probs", "nll", "input"),
        ("label", "nll", "target"),
        ("nll", "loss", "loss"),
    ]:
        output = graph.nodes[source].spec.outputs[0].name
        graph.connect(source, output, target, port)
    return graph


@needs_torch
def test_the_node_types_no_sample_uses_export_to_the_same_loss(tmp_path):
    graph = _graph_of_the_other_node_types()
    path = tmp_path / "others.vgraph"
    fileformat.save(graph, path)
    expected = Program(graph).trace(first_batch(graph.training)).loss
    result = _script(_export(path, tmp_path), "--check")
    assert json.loads(result.stdout.strip().splitlines()[-1])["loss"] == pytest.approx(
        expected, rel=1e-6
    )
    covered = {n.type for n in graph}
    assert {"Conv1d", "AvgPool2d", "Softmax", "LogSoftmax", "NLLLoss", "Max"} <= covered
    assert {"Transpose", "Reshape"} <= covered

"""Training in float32: the setting, the Program, the trainer, the command line, the export.

Stepping and gradient checks stay in float64 whatever the setting says.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.graph.builders import mlp
from visualgrad.graph import fileformat
from visualgrad.graph.data import pass_batch
from visualgrad.graph.execute import Program
from visualgrad.graph.export import to_torch
from visualgrad.graph.snapshots import load, program_weights
from visualgrad.graph.train import Trainer

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _float32(graph):
    graph.set_training(dtype="float32", epochs=3, batch_size=16, dataset_size=64)
    return graph


def test_a_float32_program_gives_the_float64_trace_within_float32_precision(backend):
    graph = mlp()
    wide = Program(graph, backend)
    narrow = Program(graph, backend, dtype="float32")
    batch = pass_batch(graph, backend)
    values, _ = narrow.forward(batch)
    assert all(v.dtype == np.float32 for v in values.values())
    assert all(p.dtype == np.float32 for p in narrow.parameters())
    a, b = narrow.trace(batch), wide.trace(batch)
    assert a.loss == pytest.approx(b.loss, rel=1e-5)
    for node, grads in b.weight_gradients.items():
        for name, grad in grads.items():
            np.testing.assert_allclose(a.weight_gradients[node][name], grad, rtol=1e-4, atol=1e-6)
    for event, other in zip(a.backward, b.backward):
        np.testing.assert_allclose(event.gradient, other.gradient, rtol=1e-4, atol=1e-6)


def test_stepping_stays_in_float64_whatever_the_training_dtype():
    graph = _float32(mlp())
    program = Program(graph)
    assert program.dtype == "float64"
    values, _ = program.forward(pass_batch(graph))
    assert all(v.dtype == np.float64 for v in values.values())


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_training_in_float32_learns_as_float64_does_and_keeps_float32_state(optimizer):
    results = {}
    for dtype in ("float32", "float64"):
        graph = mlp()
        graph.set_training(dtype=dtype, epochs=3, batch_size=16, optimizer=optimizer)
        trainer = Trainer(graph)
        results[dtype] = trainer.run()
        for p in trainer.program.parameters():
            assert p.dtype == dtype
            state = trainer.optimizer.state[id(p)]
            assert all(s.dtype == dtype for s in state.values() if hasattr(s, "dtype"))
    narrow, wide = results["float32"], results["float64"]
    np.testing.assert_allclose(narrow.loss, wide.loss, rtol=1e-4)
    assert narrow.accuracy == wide.accuracy


def test_snapshot_weights_load_into_a_float32_program_in_float32():
    program = Program(mlp(), dtype="float32")
    doubled = {n: {k: 2 * v for k, v in ws.items()} for n, ws in program_weights(program).items()}
    load(program, doubled)
    assert all(p.dtype == np.float32 for p in program.parameters())
    for node_id, ws in doubled.items():
        for name, values in ws.items():
            np.testing.assert_array_equal(program.weights[node_id][name].to_numpy(), values)


def test_the_dtype_setting_round_trips_through_the_file(tmp_path):
    path = tmp_path / "narrow.vgraph"
    fileformat.save(_float32(mlp()), path)
    assert json.loads(path.read_text())["training"]["dtype"] == "float32"
    assert fileformat.load(path).training.dtype == "float32"


def _train(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "visualgrad", "train", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_command_line_trains_a_sample_in_float32_when_asked_and_saves_the_choice(tmp_path):
    path, out = tmp_path / "spiral.vgraph", tmp_path / "trained.vgraph"
    graph = fileformat.load(SAMPLES / "spiral.vgraph")
    graph.set_training(epochs=2)
    fileformat.save(graph, path)
    narrow = _train(str(path), "--dtype", "float32", "--json", "--save", str(out))
    wide = _train(str(path), "--json")
    assert narrow.returncode == 0 and wide.returncode == 0, narrow.stderr + wide.stderr
    losses = [json.loads(r.stdout.splitlines()[-1])["loss"] for r in (narrow, wide)]
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-4)
    assert fileformat.load(out).training.dtype == "float32"
    refused = _train(str(path), "--dtype", "float16")
    assert refused.returncode == 2 and "float16" in refused.stderr


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="needs torch")
def test_the_exported_script_computes_in_the_training_dtype(tmp_path):
    graph = _float32(mlp())
    script = to_torch(graph)
    assert "torch.set_default_dtype(torch.float32)" in script
    path = tmp_path / "narrow.py"
    path.write_text(script)
    result = subprocess.run(
        [sys.executable, str(path), "--check"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    loss = json.loads(result.stdout.splitlines()[-1])["loss"]
    expected = Program(graph, dtype="float32").trace(pass_batch(graph)).loss
    assert loss == pytest.approx(expected, rel=1e-5)

"""Which node types a dragged wire can meet, and what a wire's tooltip says."""

from __future__ import annotations

import numpy as np

from visualgrad.graph import catalog
from visualgrad.graph.catalog import ANY, INDEX, TENSOR, Port
from visualgrad.graph.wiring import types_accepting, types_between, wire_summary


def test_a_tensor_wire_is_offered_every_type_with_a_tensor_input_and_no_source():
    offered = types_accepting(Port("y", TENSOR))
    assert "Linear" in offered and "Loss" in offered and "MSELoss" in offered
    assert "Embedding" not in offered  # its input takes indices
    sources = [n for n, s in catalog.CATALOG.items() if not s.inputs]
    assert not set(sources) & set(offered)
    assert offered == [n for n in catalog.CATALOG if n in offered]  # catalog order


def test_an_index_wire_is_offered_what_takes_indices_and_a_dataset_wire_anything():
    assert types_accepting(Port("ids", INDEX)) == [
        "Pick",
        "Embedding",
        "MSELoss",
        "BCELoss",
        "CrossEntropyLoss",
        "NLLLoss",
        "PerceptronLoss",
    ]
    with_inputs = [n for n, s in catalog.CATALOG.items() if s.inputs]
    assert types_accepting(Port("x", ANY)) == with_inputs


def test_a_node_spliced_into_an_edge_needs_an_input_and_an_output_that_fit():
    between = types_between(Port("y", TENSOR), Port("x", TENSOR))
    assert "ReLU" in between and "Linear" in between
    assert "Loss" not in between  # no output
    assert "Scalar" not in between  # no input
    assert "Embedding" not in between
    assert types_between(Port("x", ANY), Port("ids", INDEX)) == ["ArgMax", "ArgMin"]


def test_a_wire_summary_has_its_shape_then_what_a_pass_sent_along_it():
    before = wire_summary("a.y -> b.x", "(*, 2)", None, None)
    assert before.splitlines() == [
        "a.y -> b.x",
        "shape (*, 2)",
        "step through a pass to see its value and gradient",
    ]
    value = np.array([[1.0, -3.0], [2.0, 4.0]])
    after = wire_summary("a.y -> b.x", "(*, 2)", value, np.array(0.25)).splitlines()
    assert after[2] == "value: shape (2, 2): min -3, max 4, mean 1"
    assert after[3] == "gradient: 0.25"

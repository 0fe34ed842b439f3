"""Parameter kinds: one registry says how each kind is checked, typed, shown and edited."""

from __future__ import annotations

import pytest

from visualgrad.graph import catalog
from visualgrad.graph.catalog import PARAM_KINDS, Param


def test_each_kind_names_the_editor_the_window_gives_it():
    editors = {name: kind.editor for name, kind in PARAM_KINDS.items()}
    assert editors == {
        "int": "spin",
        "float": "text",
        "bool": "check",
        "choice": "choice",
        "ints": "text",
        "floats": "text",
        "dim": "text",
    }
    assert PARAM_KINDS["ints"].hint == "numbers, separated by commas (empty: none)"


def test_every_default_in_the_catalog_passes_its_own_check():
    for node_type in catalog.CATALOG.values():
        for param in node_type.params:
            assert param.coerce(param.default) == param.default, (node_type.name, param.name)


@pytest.mark.parametrize(
    ("kind", "value", "text"),
    [
        ("int", 3, "3"),
        ("float", 0.125, "0.125"),
        ("float", 1e-07, "1e-07"),
        ("bool", True, "True"),
        ("choice", "uniform", "uniform"),
        ("ints", [2, -1], "2, -1"),
        ("floats", [1.5, 2.0], "1.5, 2"),
        ("dim", None, "none"),
        ("dim", -1, "-1"),
    ],
)
def test_a_value_is_shown_as_text_that_reads_back_as_the_same_value(kind, value, text):
    param = Param("p", kind, value, choices=("normal", "uniform"))
    assert param.show(value) == text
    assert param.coerce(param.parse(text)) == value


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        ("int", "2.5", "p: expected a whole number, got '2.5'"),
        ("float", "two", "p: expected a number, got 'two'"),
        ("bool", "yes", "p: expected true or false, got 'yes'"),
        ("floats", "1, 2,", "p: expected numbers separated by commas"),
        ("dim", "last", "p: expected a whole number, got 'last'"),
    ],
)
def test_typed_text_that_is_no_value_says_what_was_expected(kind, text, message):
    with pytest.raises(ValueError) as error:
        Param("p", kind, None).parse(text)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("int", 65, "parameter 'p': 65 is above the maximum 64"),
        ("float", -0.5, "parameter 'p': -0.5 is below the minimum 0"),
        ("float", float("inf"), "parameter 'p': expected a finite number, got inf"),
        ("ints", [1, 1.5], "parameter 'p': expected a whole number, got 1.5"),
        ("choice", "zeros", "parameter 'p': expected one of normal, uniform, got 'zeros'"),
    ],
)
def test_a_value_outside_its_kind_is_refused_with_the_parameter_named(kind, value, message):
    param = Param("p", kind, None, low=0, high=64, choices=("normal", "uniform"))
    with pytest.raises(ValueError) as error:
        param.coerce(value)
    assert str(error.value) == message


def test_a_parameter_of_an_unknown_type_is_refused_where_it_is_declared():
    with pytest.raises(ValueError, match="parameter 'p': expected a type among int, float, "):
        Param("p", "complex", 0)

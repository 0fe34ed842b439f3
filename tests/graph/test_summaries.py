"""What the window writes and draws of values, read without a window."""

from __future__ import annotations

import numpy as np

from visualgrad.graph import catalog
from visualgrad.graph.graph import Node
from visualgrad.graph.summaries import heat_cell, heat_grid, heat_index, params_line


def placed(type_name: str, **params) -> Node:
    spec = catalog.get(type_name)
    return Node("n", type_name, spec.check_params(params))


def test_a_nodes_line_writes_each_value_as_the_inspector_does_and_cuts_long_lists():
    assert params_line(placed("Sum")) == "dim=none  keepdim=False"
    assert params_line(placed("Sum", dim=1)) == "dim=1  keepdim=False"
    line = params_line(placed("Constant", values=[0.5, 1.0, 1.5, 2.0, 2.5], shape=[5]))
    assert line == "values=[0.5, 1, 1.5, 2, ...]  shape=[5]"
    assert params_line(placed("Constant", values=[0.25], shape=[1])) == "values=[0.25]  shape=[1]"


def test_a_heat_grid_samples_evenly_and_scales_by_the_largest_magnitude():
    matrix = np.arange(-50.0, 50.0).reshape(10, 10)  # -50 .. 49
    grid = heat_grid(matrix, 5, 2)
    np.testing.assert_array_equal(grid, matrix[np.ix_([0, 2, 4, 6, 9], [0, 9])] / 50.0)
    assert grid[0, 0] == -1.0 and grid[-1, -1] == 0.98


def test_a_heat_grid_draws_a_vector_as_a_row_folds_more_dimensions_and_reads_nan_as_zero():
    np.testing.assert_array_equal(heat_grid(np.array([2.0, np.nan, -4.0]), 8, 8), [[0.5, 0, -1]])
    assert heat_grid(np.ones((2, 3, 4)), 64, 64).shape == (6, 4)
    np.testing.assert_array_equal(heat_grid(np.zeros((2, 2)), 8, 8), np.zeros((2, 2)))


def test_a_heatmap_cell_names_the_element_it_shows():
    array = np.arange(2 * 3 * 100, dtype=float).reshape(2, 3, 100) + 1
    grid = heat_grid(array, 64, 64)
    scale = np.abs(array).max()
    for row, column in [(0, 0), (4, 10), (5, 63)]:
        at = heat_index(array.shape, 64, 64, row, column)
        assert grid[row, column] * scale == array[at]
        assert heat_cell(array.shape, 64, 64, at) == (row, column)
    assert heat_index((5,), 64, 64, 0, 3) == (3,)
    assert heat_index((4, 2), 64, 64, 3, 1) == (3, 1)
    skipped = min(set(range(100)) - set(np.linspace(0, 99, 64).astype(int)))
    assert heat_cell((2, 3, 100), 64, 64, (0, 0, skipped)) is None  # not among the 64 drawn

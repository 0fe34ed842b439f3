"""The cuda backend's own kernels: compiled per dtype (float32 runs float32), and the
matrix products' three paths against numpy, on tiny shapes for the simulator."""

from __future__ import annotations

import numpy as np
import pytest

from visualgrad import engine as vg
from visualgrad.engine.backends import cuda_matmul

RTOL, ATOL = 2e-5, 2e-6  # float32 holds about 7 significant digits
rng = np.random.default_rng(11)


def on_cuda(array: np.ndarray, dtype: str) -> vg.Tensor:
    return vg.tensor(array, backend="cuda", dtype=dtype)


def both(array: np.ndarray) -> tuple[vg.Tensor, vg.Tensor]:
    return on_cuda(array, "float32"), on_cuda(array, "float64")


def close_in_float32(narrow: vg.Tensor, wide: vg.Tensor) -> None:
    assert narrow.dtype == np.float32 and wide.dtype == np.float64
    np.testing.assert_allclose(narrow.to_numpy(), wide.to_numpy(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize(
    "shape, dim",
    [((3, 5), 1), ((40, 3), 1), ((70, 2), 0)],
    ids=["short rows", "many rows", "a long column (tree)"],
)
@pytest.mark.parametrize("op", ["sum", "max"])
def test_reductions_in_float32_match_float64(shape, dim, op):
    narrow, wide = both(rng.standard_normal(shape))
    if op == "sum":
        close_in_float32(narrow.sum(dim), wide.sum(dim))
    else:
        close_in_float32(narrow.max(dim).values, wide.max(dim).values)


@pytest.mark.parametrize(
    "a_shape, b_shape, kernel",
    [
        ((3, 5), (5, 4), "short"),
        ((3, 34), (34, 5), "tiled"),
        ((2, 2, 33), (33, 3), "tiled"),
        ((5, 35), (35, 7), "gemm"),
    ],
    ids=["short inner", "tiled", "batched, tiled", "register blocked"],
)
def test_products_in_float32_match_float64(a_shape, b_shape, kernel):
    assert cuda_matmul.path(a_shape[-2], a_shape[-1], b_shape[-1]) == kernel
    a, b = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    (a32, a64), (b32, b64) = both(a), both(b)
    close_in_float32(a32 @ b32, a64 @ b64)
    close_in_float32(a32 @ b32.T.contiguous().T, a64 @ b64)  # b through transposed strides


def float32_running_sum(values: np.ndarray) -> np.float32:
    total = np.float32(0.0)
    for v in values.astype(np.float32):
        total = np.float32(total + v)
    return total


@pytest.mark.parametrize("inner", [8, 40], ids=["short inner", "tiled"])
def test_a_float32_product_accumulates_in_float32(inner):
    row = np.ones(inner)
    row[0] = 1e8  # 1e8 + 1 is 1e8 in float32 (its spacing there is 8), not in float64
    product = on_cuda(row[None, :], "float32") @ on_cuda(np.ones((inner, 1)), "float32")
    assert product.to_numpy()[0, 0] == float32_running_sum(row) == np.float32(1e8)
    wide = on_cuda(row[None, :], "float64") @ on_cuda(np.ones((inner, 1)), "float64")
    assert wide.to_numpy()[0, 0] == 1e8 + inner - 1


def test_a_float32_sum_of_short_rows_accumulates_in_float32():
    row = np.ones(8)
    row[0] = 1e8
    assert on_cuda(row[None, :], "float32").sum(1).to_numpy()[0] == np.float32(1e8)
    assert on_cuda(row[None, :], "float64").sum(1).to_numpy()[0] == 1e8 + 7


# ---- the register-blocked GEMM: edges, batches, transposes, against numpy ------------------
GEMM_SHAPES = {
    "whole tiles": ((2 * cuda_matmul.GEMM_M, 9 * cuda_matmul.GEMM_K), (36, 2 * cuda_matmul.GEMM_N)),
    "ragged edges": ((5, 35), (35, 7)),
    "a batch of two": ((2, 5, 33), (33, 7)),
    "broadcast batches": ((2, 1, 4, 34), (1, 2, 34, 8)),
}


@pytest.mark.parametrize("name", sorted(GEMM_SHAPES))
def test_the_register_blocked_gemm_matches_numpy(name):
    a_shape, b_shape = GEMM_SHAPES[name]
    assert cuda_matmul.path(a_shape[-2], a_shape[-1], b_shape[-1]) == "gemm"
    a, b = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    product = on_cuda(a, "float64") @ on_cuda(b, "float64")
    np.testing.assert_allclose(product.to_numpy(), a @ b, rtol=1e-12)


@pytest.mark.parametrize("transposed", ["a", "b", "both"])
def test_the_register_blocked_gemm_reads_transposed_inputs(transposed):
    """As backward hands it views: grad @ b.T, a.T @ grad."""
    a, b = rng.standard_normal((6, 34)), rng.standard_normal((34, 9))
    left = on_cuda(a.T, "float64").T if transposed in ("a", "both") else on_cuda(a, "float64")
    right = on_cuda(b.T, "float64").T if transposed in ("b", "both") else on_cuda(b, "float64")
    assert not (left.is_contiguous() and right.is_contiguous())
    np.testing.assert_allclose((left @ right).to_numpy(), a @ b, rtol=1e-12)

"""The cuda backend's row kernels (fused softmax, cross-entropy, embedding, max pooling)
and the optimizers' updates: one thread per row or per element, contiguous storage."""

from __future__ import annotations

import math

from numba import cuda

from .. import operators
from .cuda_scalars import apply_map


# ---- row kernels: one thread per row of a contiguous (rows, n) tensor ----------------------
@cuda.jit
def cuda_softmax_rows(x, out, rows, n, log):
    i = cuda.grid(1)
    if i < rows:
        base = i * n
        m = x[base]
        for j in range(1, n):
            v = x[base + j]
            if v > m or v != v:
                m = v
        total = 0.0
        for j in range(n):
            total += apply_map(3, x[base + j] - m)
        shift = math.log(total)
        for j in range(n):
            shifted = x[base + j] - m
            out[base + j] = shifted - shift if log else apply_map(3, shifted) / total


@cuda.jit
def cuda_softmax_back_rows(y, g, out, rows, n, log):
    i = cuda.grid(1)
    if i < rows:
        base = i * n
        total = 0.0
        for j in range(n):
            total += g[base + j] if log else g[base + j] * y[base + j]
        for j in range(n):
            k = base + j
            if log:
                out[k] = g[k] - apply_map(3, y[k]) * total
            else:
                out[k] = y[k] * (g[k] - total)


@cuda.jit
def cuda_nll_rows(logp, target, out, rows, n):
    i = cuda.grid(1)
    if i < rows:
        out[i] = -logp[i * n + int(target[i])]


@cuda.jit
def cuda_nll_back_rows(grad, target, out, logp, rows, n, with_logp):
    i = cuda.grid(1)
    if i < rows:
        t = int(target[i])
        for j in range(n):
            k = i * n + j
            p = apply_map(3, logp[k]) if with_logp else 0.0
            out[k] = grad[i] * (p - (1.0 if j == t else 0.0))


@cuda.jit
def cuda_embedding(weight, index, out, rows, width):
    i = cuda.grid(1)
    if i < rows * width:
        out[i] = weight[int(index[i // width]) * width + i % width]


@cuda.jit
def cuda_embedding_back(grad, index, out, rows, width):
    i = cuda.grid(1)
    if i < rows * width:
        cuda.atomic.add(out, int(index[i // width]) * width + i % width, grad[i])


@cuda.jit
def cuda_window_max(cols, out, index, rows, k, length):
    i = cuda.grid(1)
    if i < rows * length:
        r, j = i // length, i % length
        base = r * k * length + j
        best, at = cols[base], 0
        for w in range(1, k):
            v = cols[base + w * length]
            if best == best and (v > best or v != v):
                best, at = v, w
        out[i] = best
        index[i] = at


@cuda.jit
def cuda_window_max_back(grad, index, out, rows, k, length):
    i = cuda.grid(1)
    if i < rows * length:
        r, j = i // length, i % length
        out[r * k * length + int(index[i]) * length + j] = grad[i]


# ---- optimizer updates: one thread per element ---------------------------------------------
_sgd_update = cuda.jit(device=True)(operators.sgd_update)
_adam_update = cuda.jit(device=True)(operators.adam_update)


@cuda.jit
def cuda_sgd(p, g, velocity, lr, momentum, weight_decay, first, nesterov):
    i = cuda.grid(1)
    if i < p.size:
        p[i], velocity[i] = _sgd_update(
            p[i], g[i], velocity[i], lr, momentum, weight_decay, first, nesterov
        )


@cuda.jit
def cuda_adam(p, g, m, v, step_size, beta1, beta2, eps, v_scale, weight_decay):
    i = cuda.grid(1)
    if i < p.size:
        p[i], m[i], v[i] = _adam_update(
            p[i], g[i], m[i], v[i], step_size, beta1, beta2, eps, v_scale, weight_decay
        )

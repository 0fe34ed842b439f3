"""The fast backend's optimizer updates: torch's SGD and Adam, in place, element by element."""

from __future__ import annotations

from numba import prange, uint64

from .. import operators
from .fast_common import CHUNK, PARALLEL_MIN, njit
from .fast_common import scalar as _scalar

sgd_update = _scalar(operators.sgd_update)
adam_update = _scalar(operators.adam_update)


@njit(cache=True)
def _sgd_span(p, g, velocity, lr, momentum, weight_decay, first, nesterov, start, stop):
    real = p.dtype.type  # float32 parameters step in float32, as torch's, at twice the width
    lr, momentum, weight_decay = real(lr), real(momentum), real(weight_decay)
    start, stop = uint64(start), uint64(stop)  # unsigned: no wraparound checks, so it vectorises
    if momentum == 0.0:  # no velocity to keep: a loop without it vectorises
        for i in range(start, stop):
            p[i] = p[i] - lr * (g[i] + weight_decay * p[i])
        return
    for i in range(start, stop):
        p[i], velocity[i] = sgd_update(
            p[i], g[i], velocity[i], lr, momentum, weight_decay, first, nesterov
        )


@njit(cache=True)
def _adam_span(p, g, m, v, step_size, beta1, beta2, eps, v_scale, weight_decay, start, stop):
    for i in range(uint64(start), uint64(stop)):
        p[i], m[i], v[i] = adam_update(
            p[i], g[i], m[i], v[i], step_size, beta1, beta2, eps, v_scale, weight_decay
        )


@njit(cache=True, parallel=True)
def fast_sgd(p, g, velocity, lr, momentum, weight_decay, first, nesterov):
    """torch's SGD update in place; see ``Backend.sgd_step``."""
    n = p.size
    if n < PARALLEL_MIN:
        _sgd_span(p, g, velocity, lr, momentum, weight_decay, first, nesterov, 0, n)
    else:
        for c in prange((n + CHUNK - 1) // CHUNK):
            stop = min(n, (c + 1) * CHUNK)
            _sgd_span(p, g, velocity, lr, momentum, weight_decay, first, nesterov, c * CHUNK, stop)


@njit(cache=True, parallel=True)
def fast_adam(p, g, m, v, step_size, beta1, beta2, eps, v_scale, weight_decay):
    """torch's Adam update in place; see ``Backend.adam_step``."""
    n = p.size
    if n < PARALLEL_MIN:
        _adam_span(p, g, m, v, step_size, beta1, beta2, eps, v_scale, weight_decay, 0, n)
    else:
        for c in prange((n + CHUNK - 1) // CHUNK):
            stop = min(n, (c + 1) * CHUNK)
            _adam_span(
                p, g, m, v, step_size, beta1, beta2, eps, v_scale, weight_decay, c * CHUNK, stop
            )

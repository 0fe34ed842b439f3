"""The fast backend's window kernels: im2col and col2im of (N, C, H, W) planes, the window
maximum of columns, and max pooling read straight from the input."""

from __future__ import annotations

import numpy as np
from numba import prange, uint64

from .fast_common import PARALLEL_MIN, U1, njit


@njit(cache=True)
def _unfold_planes(out, a, a_shape, a_strides, kh, kw, sh, sw, ph, pw, oh, ow, lo, hi):
    c, h, w = a_shape[1], a_shape[2], a_shape[3]
    per_channel = kh * kw * oh * ow
    for nc in range(lo, hi):
        base = uint64(nc // c) * uint64(a_strides[0]) + uint64(nc % c) * uint64(a_strides[1])
        o = uint64(nc * per_channel)
        for i in range(kh):
            for j in range(kw):
                for y in range(oh):
                    row = y * sh + i - ph
                    for x in range(ow):
                        col = x * sw + j - pw
                        if 0 <= row < h and 0 <= col < w:
                            out[o] = a[base + uint64(row * a_strides[2] + col * a_strides[3])]
                        else:
                            out[o] = 0.0
                        o += U1


@njit(cache=True, parallel=True)
def fast_unfold(out, a, a_shape, a_strides, kh, kw, sh, sw, ph, pw, oh, ow):
    """im2col into contiguous out (N, C*kh*kw, OH*OW); see ``Backend.unfold``."""
    planes = a_shape[0] * a_shape[1]
    if out.size < PARALLEL_MIN:  # a parallel region costs ~20 us to enter, even on one thread
        _unfold_planes(out, a, a_shape, a_strides, kh, kw, sh, sw, ph, pw, oh, ow, 0, planes)
    else:
        for nc in prange(planes):
            _unfold_planes(out, a, a_shape, a_strides, kh, kw, sh, sw, ph, pw, oh, ow, nc, nc + 1)


@njit(cache=True)
def _fold_planes(out, cols, out_shape, kh, kw, sh, sw, ph, pw, oh, ow, lo, hi):
    h, w = out_shape[2], out_shape[3]
    per_channel = kh * kw * oh * ow
    for nc in range(lo, hi):
        base = uint64(nc * h * w)
        o = uint64(nc * per_channel)
        for i in range(kh):
            for j in range(kw):
                for y in range(oh):
                    row = y * sh + i - ph
                    for x in range(ow):
                        col = x * sw + j - pw
                        if 0 <= row < h and 0 <= col < w:
                            out[base + uint64(row * w + col)] += cols[o]
                        o += U1


@njit(cache=True, parallel=True)
def fast_fold(out, cols, out_shape, kh, kw, sh, sw, ph, pw, oh, ow):
    """col2im: add contiguous cols (N, C*kh*kw, OH*OW) into contiguous zeroed out (N, C, H, W)."""
    planes = out_shape[0] * out_shape[1]
    if cols.size < PARALLEL_MIN:
        _fold_planes(out, cols, out_shape, kh, kw, sh, sw, ph, pw, oh, ow, 0, planes)
    else:
        for nc in prange(planes):
            _fold_planes(out, cols, out_shape, kh, kw, sh, sw, ph, pw, oh, ow, nc, nc + 1)


@njit(cache=True)
def _window_max_rows(cols, out, index, lo, hi):
    k, length = cols.shape[1], cols.shape[2]
    for r in range(lo, hi):
        for j in range(length):
            best, at = cols[r, 0, j], 0
            for i in range(1, k):
                v = cols[r, i, j]
                if best == best and (v > best or v != v):
                    best, at = v, i
            out[r, j] = best
            index[r, j] = at


@njit(cache=True, parallel=True)
def fast_window_max(cols, out, index):
    """Each window's maximum down the middle of (R, K, L) cols, and the first k holding it."""
    rows = cols.shape[0]
    if cols.size < PARALLEL_MIN:
        _window_max_rows(cols, out, index, 0, rows)
    else:
        for r in prange(rows):
            _window_max_rows(cols, out, index, r, r + 1)


@njit(cache=True)
def window_max_scatter(grad, index, out):
    """out[r, index[r, l], l] = grad[r, l] into zeroed (R, K, L) out (one store each: serial)."""
    rows, length = grad.shape
    for r in range(rows):
        for j in range(length):
            out[r, np.int64(index[r, j]), j] = grad[r, j]


@njit(cache=True)
def _pool_planes(a, out, index, h, w, kh, kw, sh, sw, oh, ow, lo, hi):
    """Max pooling of planes lo..hi of contiguous flat ``a``, straight from the input:
    ``index`` gets each winner's place in its plane (row * w + column)."""
    for plane in range(lo, hi):
        base, o = uint64(plane * h * w), uint64(plane * oh * ow)
        for y in range(oh):
            for x in range(ow):
                first = uint64(y * sh * w + x * sw)
                best, at = a[base + first], first
                for i in range(kh):
                    row = first + uint64(i * w)
                    for j in range(kw):
                        v = a[base + row + uint64(j)]
                        if best == best and (v > best or v != v):  # NaN wins, then the first
                            best, at = v, row + uint64(j)
                out[o] = best
                index[o] = at
                o += U1


@njit(cache=True, parallel=True)
def fast_max_pool(a, out, index, h, w, kh, kw, sh, sw, oh, ow):
    """See ``Backend.max_pool2d``: (N*C) planes of ``a`` into ``out`` and ``index``, flat."""
    planes = out.size // (oh * ow)
    if out.size * kh * kw < PARALLEL_MIN:
        _pool_planes(a, out, index, h, w, kh, kw, sh, sw, oh, ow, 0, planes)
    else:
        for plane in prange(planes):
            _pool_planes(a, out, index, h, w, kh, kw, sh, sw, oh, ow, plane, plane + 1)


@njit(cache=True)
def _pool_back_planes(grad, index, out, hw, ohw, lo, hi):
    for plane in range(lo, hi):
        base, o = uint64(plane * hw), uint64(plane * ohw)
        for q in range(uint64(ohw)):
            out[base + uint64(index[o + q])] += grad[o + q]


@njit(cache=True, parallel=True)
def fast_max_pool_back(grad, index, out, hw, ohw):
    """Each window's gradient added into zeroed flat ``out`` at its winner's place
    (windows that overlap add up; a plane is one thread's, so none race)."""
    planes = grad.size // ohw
    if out.size < PARALLEL_MIN:
        _pool_back_planes(grad, index, out, hw, ohw, 0, planes)
    else:
        for plane in prange(planes):
            _pool_back_planes(grad, index, out, hw, ohw, plane, plane + 1)

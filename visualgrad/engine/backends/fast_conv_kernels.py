"""The numba kernels of the fast backend's conv2d (``fast_conv``): im2col and col2im of a
chunk of images into and out of a (rows, B*OH*OW) buffer, and the pooled passes, where each
of numba's threads takes every threads-th chunk and runs its unfold, its single-threaded
BLAS GEMMs (numpy's OpenBLAS, called by address: ``openblas.bind``) and its fold, so that a
chunk's columns stay in the cache of the core that made them.

Positions are unsigned, so numba skips its negative-index checks and the copies vectorize
(measured: the unfold of the benchmark's (32, 16, 28, 28) 4x faster than with signed ones).
"""

from __future__ import annotations

import functools

import numpy as np
from numba import prange, uint64

from .fast_common import njit as common_njit
from .openblas import NO_TRANS, ROW_MAJOR, TRANS

njit = functools.partial(common_njit, cache=True)
ROW, KEEP, FLIP = np.int32(ROW_MAJOR), np.int32(NO_TRANS), np.int32(TRANS)


@njit
def unfold_chunk(cols, x, strides, first, images, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow, pad):
    """Images ``first`` .. ``first + images`` of ``x`` (N, C, H, W, flat with ``strides``)
    into ``cols`` (rows, B*OH*OW), contiguous: row (ch*kh + i)*kw + j, column
    b*OH*OW + y*OW + xx holds x[first + b, ch, y*sh + i - ph, xx*sw + j - pw], zero in the
    padding. Rows past C*kh*kw are left as they are.

    Each image is first copied into ``pad`` (C, H + 2ph, W + 2pw, flat), whose border the
    caller zeroed, so that every row of columns is one plain copy (float32: 2.2x faster than
    checking the bounds of each row)."""
    flat, width = cols.ravel(), uint64(cols.shape[1])
    hp, wp = h + 2 * ph, w + 2 * pw
    for b in range(images):
        for ch in range(c):
            base = (first + b) * strides[0] + ch * strides[1]
            for r in range(h):
                q = uint64((ch * hp + r + ph) * wp + pw)
                p = uint64(base + r * strides[2])
                if strides[3] == 1:
                    for t in range(uint64(w)):
                        pad[q + t] = x[p + t]
                else:
                    for t in range(uint64(w)):
                        pad[q + t] = x[p + t * uint64(strides[3])]
        for ch in range(c):
            for i in range(kh):
                for j in range(kw):
                    o = uint64((ch * kh + i) * kw + j) * width + uint64(b * oh * ow)
                    src = uint64((ch * hp + i) * wp + j)
                    for _ in range(oh):
                        if sw == 1:
                            for t in range(uint64(ow)):
                                flat[o + t] = pad[src + t]
                        else:
                            for t in range(uint64(ow)):
                                flat[o + t] = pad[src + t * uint64(sw)]
                        o += uint64(ow)
                        src += uint64(sh * wp)


@njit
def fold_chunk(out, cols, first, images, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow, pad):
    """The adjoint of ``unfold_chunk``: add the columns of images ``first`` ..
    ``first + images`` into ``out``, the flat contiguous (N, C, H, W) input gradient,
    through ``pad`` (C, H + 2ph, W + 2pw, flat), a scratch buffer."""
    flat, width = cols.ravel(), uint64(cols.shape[1])
    hp, wp = h + 2 * ph, w + 2 * pw
    for b in range(images):
        pad[:] = 0.0
        for ch in range(c):
            for i in range(kh):
                for j in range(kw):
                    o = uint64((ch * kh + i) * kw + j) * width + uint64(b * oh * ow)
                    dst = uint64((ch * hp + i) * wp + j)
                    for _ in range(oh):
                        if sw == 1:
                            for t in range(uint64(ow)):
                                pad[dst + t] += flat[o + t]
                        else:
                            for t in range(uint64(ow)):
                                pad[dst + t * uint64(sw)] += flat[o + t]
                        o += uint64(ow)
                        dst += uint64(sh * wp)
        for ch in range(c):
            base = uint64(((first + b) * c + ch) * h * w)
            for r in range(h):
                q = uint64((ch * hp + r + ph) * wp + pw)
                p = base + uint64(r * w)
                for t in range(uint64(w)):
                    out[p + t] += pad[q + t]


@njit
def gather_chunk(out, g, strides, first, images, o, oh, ow):
    """out (O, B*OH*OW) = images ``first`` .. ``first + images`` of g (N, O, OH, OW, flat
    with ``strides``), each image's (O, OH*OW) block side by side."""
    flat, width, length = out.ravel(), uint64(out.shape[1]), uint64(oh * ow)
    for b in range(images):
        for oo in range(o):
            at = uint64(oo) * width + uint64(b) * length
            base = (first + b) * strides[0] + oo * strides[1]
            for y in range(oh):
                p = uint64(base + y * strides[2])
                for xx in range(uint64(ow)):
                    flat[at + xx] = g[p + xx * uint64(strides[3])]
                at += uint64(ow)


@njit
def spread_chunk(out, spread, first, images, o, length):
    """The adjoint of ``gather_chunk`` for a contiguous ``out`` (N, O, OH*OW), flat."""
    flat, width = spread.ravel(), uint64(spread.shape[1])
    for b in range(images):
        for oo in range(o):
            p = uint64(((first + b) * o + oo) * length)
            q = uint64(oo) * width + uint64(b * length)
            for t in range(uint64(length)):
                out[p + t] = flat[q + t]


@njit(parallel=True)
def pool_forward(gemm, one, zero, x, strides, matrix, out, cols, spread, pads, plan):
    """conv2d forward on numba's threads: ``out`` (N, O, OH, OW, flat) = ``matrix``
    (O, rows) times the columns of each chunk, ``cols[t]`` and ``spread[t]`` thread t's
    buffers and ``pads[t]`` its padded image (border zeroed). ``plan``: N, O, rows, images
    per chunk, then ``fold_chunk``'s shape arguments (C, H, W, kh, kw, sh, sw, ph, pw, OH,
    OW)."""
    n, o, rows, images = plan[0], plan[1], plan[2], plan[3]
    c, h, w, kh, kw, sh, sw, ph, pw, oh, ow = plan[4:15]
    length, size = oh * ow, uint64(out.itemsize)
    width, threads, chunks = images * length, cols.shape[0], (n + images - 1) // images
    m_ptr, o_ptr = matrix.ctypes.data, out.ctypes.data
    for t in prange(threads):
        mine, c_ptr, s_ptr = cols[t], cols[t].ctypes.data, spread[t].ctypes.data
        for chunk in range(t, chunks, threads):
            first = chunk * images
            count = min(images, n - first)
            unfold_chunk(mine, x, strides, first, count, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow,
                         pads[t])  # fmt: skip
            if images == 1:  # straight into the image's output
                at = o_ptr + uint64(first * o * length) * size
                gemm(ROW, KEEP, KEEP, o, length, rows, one, m_ptr, rows, c_ptr, width, zero, at,
                     length)  # fmt: skip
            else:
                gemm(ROW, KEEP, KEEP, o, count * length, rows, one, m_ptr, rows, c_ptr, width,
                     zero, s_ptr, width)  # fmt: skip
                spread_chunk(out, spread[t], first, count, o, length)


@njit(parallel=True)
def pool_backward(gemm, one, zero, x, strides, weight, g, g_strides, grad_x, total, cols,
                  gathered, spread, pads, plan):  # fmt: skip
    """conv2d backward on numba's threads. ``total[t]`` (rows, O), zeroed, gets thread t's
    share of the weight's gradient transposed (its row C*kh*kw the bias's, through the
    ones row of ``cols``) and ``grad_x`` (flat, zeroed) the input's; ``pads[t]`` holds
    thread t's padded images, for the unfold (border zeroed) and for the fold. ``plan`` is
    ``pool_forward``'s, then: the weight's gradient wanted, the input's wanted, and
    whether g (contiguous) is read in place rather than gathered (one image a chunk)."""
    n, o, rows, images = plan[0], plan[1], plan[2], plan[3]
    c, h, w, kh, kw, sh, sw, ph, pw, oh, ow = plan[4:15]
    need_w, need_x, direct = plan[15], plan[16], plan[17]
    length, size, k = oh * ow, uint64(g.itemsize), c * kh * kw
    width, threads, chunks = images * length, total.shape[0], (n + images - 1) // images
    w_ptr, g_base = weight.ctypes.data, g.ctypes.data
    for t in prange(threads):
        t_ptr, c_ptr = total[t].ctypes.data, cols[t].ctypes.data
        s_ptr, gathered_ptr = spread[t].ctypes.data, gathered[t].ctypes.data
        for chunk in range(t, chunks, threads):
            first = chunk * images
            count = min(images, n - first)
            g_ptr, ldg = g_base + uint64(first * o * length) * size, length
            if not direct:
                gather_chunk(gathered[t], g, g_strides, first, count, o, oh, ow)
                g_ptr, ldg = gathered_ptr, width
            if need_w:
                unfold_chunk(cols[t], x, strides, first, count, c, h, w, kh, kw, sh, sw, ph, pw,
                             oh, ow, pads[t, 0])  # fmt: skip
                gemm(ROW, KEEP, FLIP, rows, o, count * length, one, c_ptr, width, g_ptr, ldg,
                     one, t_ptr, o)  # fmt: skip
            if need_x:
                gemm(ROW, FLIP, KEEP, k, count * length, o, one, w_ptr, k, g_ptr, ldg, zero,
                     s_ptr, width)  # fmt: skip
                fold_chunk(grad_x, spread[t], first, count, c, h, w, kh, kw, sh, sw, ph, pw,
                           oh, ow, pads[t, 1])  # fmt: skip

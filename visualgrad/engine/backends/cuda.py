"""The cuda backend: numba.cuda kernels on NVIDIA GPUs (and on numba's simulator).

Same contract as ``base.Backend``. Storage is a device array: tensors stay on
the GPU between ops. Shapes and strides go to the device once and are kept
there (``_meta``), not sent with every launch.

- map / zip / unfold: one thread per output element; neighbouring threads
  write neighbouring memory.
- reduce: many short rows take one thread each; a long row takes a tree
  reduction in shared memory, several blocks sharing the row and a second pass
  folding their partial results, so any length works.
- matmul (``cuda_matmul``): one thread per output for a short inner size,
  shared-memory tiles for middling products, a register-blocked GEMM for large ones.
- fold: one thread per input element gathers from every window that covers
  it, so no atomics are needed.
- row kernels (softmax, cross-entropy, embedding, max pooling): one thread per row
  or per output element; embedding's backward adds with atomics.
- sgd / adam: one thread per element, updating the parameter and its state in place.

What runs where, for a training step:

- On the device: every kernel above, so parameters, gradients and optimizer state
  stay device arrays from step to step; the trainer (graph/train.py) reads the loss
  back only every few steps (``read_scalars``: one copy for many scalars) and tests
  the weights for NaN/Inf there too.
- On the host: the Python around the kernels (Functions, the autodiff graph, shapes,
  launch sizes); copies in: each batch, dropout's mask and the class indices that
  cross_entropy / nll_loss / embedding check on the host (a copy out and one in,
  each call); argmax and argmin, computed by numpy.
- Precision: reductions and matmuls are compiled per dtype, so a float32 tensor
  accumulates in float32 in float32 shared memory and registers. The scalar
  functions of map / zip and the row kernels compute in float64 registers (numba's
  float literals) and store in the tensor's dtype.

This file holds the backend and the map, zip, reduce, unfold and fold kernels;
``cuda_scalars`` the ops' scalar functions, ``cuda_matmul`` the products and
``cuda_rows`` the row kernels and optimizer updates.
"""

from __future__ import annotations

import functools

import numpy as np
from numba import config, cuda

from .. import operators
from ..tensor_data import FLOAT64, TensorData, broadcast_strides, kernel_layout, windows_out
from . import cuda_matmul
from .base import Backend, Pair
from .cuda_rows import (
    cuda_adam,
    cuda_embedding,
    cuda_embedding_back,
    cuda_nll_back_rows,
    cuda_nll_rows,
    cuda_sgd,
    cuda_softmax_back_rows,
    cuda_softmax_rows,
    cuda_window_max,
    cuda_window_max_back,
)
from .cuda_scalars import apply_map, apply_zip, positions

SIMULATED = bool(config.ENABLE_CUDASIM)
THREADS = 8 if SIMULATED else 256  # the simulator runs each thread as a Python thread

MAP_CODES, ZIP_CODES, REDUCE_CODES = (
    operators.MAP_CODES,
    operators.ZIP_CODES,
    operators.REDUCE_CODES,
)


@cuda.jit
def cuda_fill(out, value):
    i = cuda.grid(1)
    if i < out.size:
        out[i] = value


@cuda.jit
def cuda_put(out, i, a):
    """``out[i] = a[0]``: gathers one-element tensors into one buffer, to read in one copy."""
    if cuda.grid(1) == 0:
        out[i] = a[0]


@cuda.jit
def cuda_map(code, size, shape, out, out_strides, a, a_strides):
    i = cuda.grid(1)
    if i < size:
        po, pa = positions(i, shape, out_strides, a_strides)
        out[po] = apply_map(code, a[pa])


@cuda.jit
def cuda_zip(code, size, shape, out, out_strides, a, a_strides, b, b_strides):
    i = cuda.grid(1)
    if i < size:
        po, pa = positions(i, shape, out_strides, a_strides)
        _, pb = positions(i, shape, out_strides, b_strides)
        out[po] = apply_zip(code, a[pa], b[pb])


@functools.cache
def _reducers(dtype: np.dtype):
    """The two reduction kernels for storage of ``dtype`` (rows, tree): their accumulators
    and shared memory are of that type, so float32 tensors reduce in float32."""
    real = np.dtype(dtype).type

    @cuda.jit
    def cuda_reduce_rows(code, start, rows, out, shape, out_strides, a, a_strides, size, stride):
        """One thread per output element folds its whole row: for many short rows."""
        i = cuda.grid(1)
        if i < rows:
            po, pa = positions(i, shape, out_strides, a_strides)
            acc = real(start)
            for k in range(size):
                acc = real(apply_zip(code, acc, a[pa + k * stride]))
            out[po] = acc

    @cuda.jit
    def cuda_reduce(code, start, partial, shape, a, a_strides, size, stride, blocks_per_row):
        """Block b folds part of row b // blocks_per_row into ``partial[b]``.

        ``shape`` is the output's shape (1 along the reduced dim); each thread walks
        its share of the row, then the block folds its threads' results as a tree.
        """
        cache = cuda.shared.array(THREADS, real)
        row, part = cuda.blockIdx.x // blocks_per_row, cuda.blockIdx.x % blocks_per_row
        t = cuda.threadIdx.x
        _, base = positions(row, shape, a_strides, a_strides)
        acc = real(start)
        k = part * THREADS + t
        while k < size:
            acc = real(apply_zip(code, acc, a[base + k * stride]))
            k += blocks_per_row * THREADS
        cache[t] = acc
        cuda.syncthreads()
        step = THREADS // 2
        while step > 0:
            if t < step:
                cache[t] = apply_zip(code, cache[t], cache[t + step])
            cuda.syncthreads()
            step //= 2
        if t == 0:
            partial[cuda.blockIdx.x] = cache[0]

    return cuda_reduce_rows, cuda_reduce


@cuda.jit
def cuda_unfold(out, a, a_shape, a_strides, kh, kw, sh, sw, ph, pw, oh, ow):
    """One thread per element of contiguous out (N, C*kh*kw, OH*OW)."""
    idx = cuda.grid(1)
    c, h, w = a_shape[1], a_shape[2], a_shape[3]
    if idx < out.size:
        window = idx % (oh * ow)
        row = idx // (oh * ow)
        j = row % kw
        i = (row // kw) % kh
        ch = (row // (kw * kh)) % c
        n = row // (kw * kh * c)
        y = (window // ow) * sh + i - ph
        x = (window % ow) * sw + j - pw
        if 0 <= y < h and 0 <= x < w:
            out[idx] = a[n * a_strides[0] + ch * a_strides[1] + y * a_strides[2] + x * a_strides[3]]
        else:
            out[idx] = 0.0


@cuda.jit
def cuda_fold(out, cols, out_shape, kh, kw, sh, sw, ph, pw, oh, ow):
    """One thread per element of contiguous out (N, C, H, W), summing every window over it."""
    idx = cuda.grid(1)
    c, h, w = out_shape[1], out_shape[2], out_shape[3]
    if idx < out.size:
        x = idx % w
        y = (idx // w) % h
        nc = idx // (w * h)
        ch, n = nc % c, nc // c
        acc = 0.0
        for i in range(kh):
            ty = y + ph - i
            if ty < 0 or ty % sh != 0 or ty // sh >= oh:
                continue
            for j in range(kw):
                tx = x + pw - j
                if tx < 0 or tx % sw != 0 or tx // sw >= ow:
                    continue
                row = (ch * kh + i) * kw + j
                acc += cols[(n * c * kh * kw + row) * oh * ow + (ty // sh) * ow + tx // sw]
        out[idx] = acc


_meta_cache: dict[tuple[int, ...], object] = {}


def _meta(values: tuple[int, ...]):
    """``values`` as an int64 array on the device, sent once and then reused."""
    array = _meta_cache.get(values)
    if array is None:
        if len(_meta_cache) > 4096:
            _meta_cache.clear()
        array = _meta_cache[values] = cuda.to_device(np.array(values, dtype=np.int64))
    return array


def _grid(n: int) -> tuple[int, int]:
    return (n + THREADS - 1) // THREADS, THREADS


def _elementwise(kernel, code: int, out: TensorData, *inputs: TensorData) -> None:
    """Launch ``kernel`` (cuda_map or cuda_zip) with one thread per element of ``out``:
    the op code, the size and shape, then each tensor's storage and broadcast strides."""
    if out.size == 0:
        return
    shape, out_strides = kernel_layout(out, out.shape)
    args = [code, out.size, _meta(shape), out.storage, _meta(out_strides)]
    for data in inputs:
        args += [data.storage, _meta(kernel_layout(data, out.shape)[1])]
    kernel[_grid(out.size)](*args)


class CudaBackend(Backend):
    name = "cuda"
    host_memory = False

    def read_scalars(self, scalars) -> np.ndarray:
        buffer = cuda.device_array(len(scalars), dtype=np.float64)
        for i, data in enumerate(scalars):
            cuda_put[1, 1](buffer, i, data.storage)
        return buffer.copy_to_host() if len(scalars) else np.zeros(0)

    def from_numpy(self, array: np.ndarray, dtype: np.dtype = FLOAT64):
        """On the default stream, so that a batch going over does not wait for the kernels
        before it: an async copy from pageable memory is staged before it returns (CUDA's
        API synchronization rules), where a plain one first syncs the stream. The simulator
        has no streams to wait on."""
        host = np.ascontiguousarray(array, dtype=dtype).ravel()
        return cuda.to_device(host, stream=0 if SIMULATED else cuda.default_stream())

    def to_numpy(self, data: TensorData) -> np.ndarray:
        host = data.storage.copy_to_host()
        strides = tuple(s * host.itemsize for s in data.strides)
        return np.ndarray(data.shape, host.dtype, buffer=host, strides=strides).copy()

    def empty(self, size: int, dtype: np.dtype = FLOAT64):
        return cuda.device_array(size, dtype=dtype)

    def zeros(self, size: int, dtype: np.dtype = FLOAT64):
        out = self.empty(size, dtype)
        if size:
            cuda_fill[_grid(size)](out, 0.0)
        return out

    def map(self, op: str, a: TensorData, out: TensorData) -> None:
        _elementwise(cuda_map, MAP_CODES[op], out, a)

    def zip(self, op: str, a: TensorData, b: TensorData, out: TensorData) -> None:
        _elementwise(cuda_zip, ZIP_CODES[op], out, a, b)

    def reduce(self, op: str, a: TensorData, dim: int, out: TensorData) -> None:
        code, start = REDUCE_CODES[op]
        rows, size = out.size, a.shape[dim]
        if rows == 0:
            return
        if size <= 64 or rows >= 4 * THREADS:
            _reducers(a.storage.dtype)[0][_grid(rows)](
                code,
                start,
                rows,
                out.storage,
                _meta(out.shape),
                _meta(out.strides),
                a.storage,
                _meta(a.strides),
                size,
                a.strides[dim],
            )
            return
        blocks = max(1, min((size + THREADS - 1) // THREADS, 1024 // max(rows, 1)))
        if blocks == 1 and out.is_contiguous():
            partial = out.storage
        else:
            partial = self.empty(rows * blocks, out.dtype)
        _reducers(a.storage.dtype)[1][rows * blocks, THREADS](
            code,
            start,
            partial,
            _meta(out.shape or (1,)),
            a.storage,
            _meta(a.strides or (0,)),
            size,
            a.strides[dim],
            blocks,
        )
        if partial is out.storage:
            return
        folded = TensorData.contiguous_over(partial, (rows, blocks))
        if blocks > 1:
            staged = TensorData.contiguous_over(self.empty(rows, out.dtype), (rows, 1))
            self.reduce(op, folded, 1, staged)
            folded = staged
        self.map("id", TensorData.contiguous_over(folded.storage, out.shape), out)

    def matmul(self, a: TensorData, b: TensorData, out: TensorData) -> None:
        n, m, p = a.shape[-2], a.shape[-1], b.shape[-1]
        batch, out_strides = out.shape[:-2], out.strides
        a_strides = broadcast_strides(a.shape[:-2], a.strides[:-2], batch) + a.strides[-2:]
        b_strides = broadcast_strides(b.shape[:-2], b.strides[:-2], batch) + b.strides[-2:]
        if not batch:  # one matrix: a batch of one, so the kernel's batch loop has a dim
            batch, out_strides = (1,), (0,) + out_strides
            a_strides, b_strides = (0,) + a_strides, (0,) + b_strides
        count = int(np.prod(batch))
        if count == 0 or n == 0 or p == 0:
            return
        args = (
            out.storage,
            _meta(out_strides),
            a.storage,
            _meta(a_strides),
            b.storage,
            _meta(b_strides),
            _meta(batch),
            n,
            m,
            p,
        )
        cuda_matmul.launch(args, out.storage.dtype, count, n, m, p)

    def unfold(
        self, a: TensorData, kernel: Pair, stride: Pair, padding: Pair, out: TensorData
    ) -> None:
        oh, ow = windows_out(a.shape[2:], kernel, stride, padding)
        cuda_unfold[_grid(out.size)](
            out.storage,
            a.storage,
            _meta(a.shape),
            _meta(a.strides),
            *kernel,
            *stride,
            *padding,
            oh,
            ow,
        )

    def fold(
        self, cols: TensorData, kernel: Pair, stride: Pair, padding: Pair, out: TensorData
    ) -> None:
        oh, ow = windows_out(out.shape[2:], kernel, stride, padding)
        cuda_fold[_grid(out.size)](
            out.storage, cols.storage, _meta(out.shape), *kernel, *stride, *padding, oh, ow
        )

    def softmax(self, a: TensorData, out: TensorData, log: bool) -> None:
        rows, n = a.shape
        cuda_softmax_rows[_grid(rows)](a.storage, out.storage, rows, n, log)

    def softmax_backward(self, y: TensorData, grad: TensorData, out: TensorData, log: bool) -> None:
        rows, n = y.shape
        cuda_softmax_back_rows[_grid(rows)](y.storage, grad.storage, out.storage, rows, n, log)

    def nll(self, logp: TensorData, target: TensorData, out: TensorData) -> None:
        rows, n = logp.shape
        cuda_nll_rows[_grid(rows)](logp.storage, target.storage, out.storage, rows, n)

    def nll_backward(
        self, grad: TensorData, target: TensorData, out: TensorData, logp: TensorData | None
    ) -> None:
        rows, n = out.shape
        source = out.storage if logp is None else logp.storage  # read only when logp is given
        cuda_nll_back_rows[_grid(rows)](
            grad.storage, target.storage, out.storage, source, rows, n, logp is not None
        )

    def embedding(self, weight: TensorData, index: TensorData, out: TensorData) -> None:
        rows, width = out.shape
        if out.size:
            cuda_embedding[_grid(out.size)](weight.storage, index.storage, out.storage, rows, width)

    def embedding_backward(self, grad: TensorData, index: TensorData, out: TensorData) -> None:
        rows, width = grad.shape
        if grad.size:
            cuda_embedding_back[_grid(grad.size)](
                grad.storage, index.storage, out.storage, rows, width
            )

    def window_max(self, cols: TensorData, out: TensorData, index: TensorData) -> None:
        rows, k, length = cols.shape
        if out.size:
            cuda_window_max[_grid(out.size)](
                cols.storage, out.storage, index.storage, rows, k, length
            )

    def window_max_backward(self, grad: TensorData, index: TensorData, out: TensorData) -> None:
        rows, k, length = out.shape
        if grad.size:
            cuda_window_max_back[_grid(grad.size)](
                grad.storage, index.storage, out.storage, rows, k, length
            )

    def sgd_step(self, param, grad, velocity, rule) -> None:
        if param.size:
            cuda_sgd[_grid(param.size)](param.storage, grad.storage, velocity.storage, *rule)

    def adam_step(self, param, grad, m, v, rule) -> None:
        if param.size:
            storages = (param.storage, grad.storage, m.storage, v.storage)
            cuda_adam[_grid(param.size)](*storages, *rule)

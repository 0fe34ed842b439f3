"""The simple backend: numpy storage and kernels that are obviously correct.

Each kernel computes the storage position of every element with the index
math of ``tensor_data`` and applies the scalar function of ``operators`` to
whole arrays. It is the reference every faster backend is compared with.
"""

from __future__ import annotations

import numpy as np

from .. import operators
from ..tensor_data import FLOAT64, TensorData, broadcast_strides, positions, windows_out
from .base import Backend, Pair


def _read(a: TensorData, shape: tuple[int, ...] | None = None) -> np.ndarray:
    """The values of ``a`` as an array, broadcast to ``shape`` if given."""
    shape = a.shape if shape is None else shape
    return a.storage[positions(shape, broadcast_strides(a.shape, a.strides, shape))]


def _write(out: TensorData, values: np.ndarray) -> None:
    out.storage[positions(out.shape, out.strides)] = values


def _window_index(kernel: Pair, stride: Pair, out_hw: Pair) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of the padded input read by window (oh, ow) at offset (i, j).

    Shaped to broadcast to (kh, kw, OH, OW).
    """
    (kh, kw), (sh, sw), (oh, ow) = kernel, stride, out_hw
    rows = np.arange(kh)[:, None, None, None] + sh * np.arange(oh)[None, None, :, None]
    cols = np.arange(kw)[None, :, None, None] + sw * np.arange(ow)[None, None, None, :]
    return rows, cols


class NumpyStorage(Backend):
    """Storage in host memory as flat numpy arrays: the simple and the fast backend's."""

    def from_numpy(self, array: np.ndarray, dtype: np.dtype = FLOAT64) -> np.ndarray:
        return np.array(array, dtype=dtype).ravel()

    def zeros(self, size: int, dtype: np.dtype = FLOAT64) -> np.ndarray:
        return np.zeros(size, dtype=dtype)

    def empty(self, size: int, dtype: np.dtype = FLOAT64) -> np.ndarray:
        return np.empty(size, dtype=dtype)


class SimpleBackend(NumpyStorage):
    name = "simple"

    def to_numpy(self, data: TensorData) -> np.ndarray:
        return _read(data).copy()

    def map(self, op: str, a: TensorData, out: TensorData) -> None:
        fn = operators.MAP_OPS[op]
        with np.errstate(all="ignore"):
            _write(out, fn(_read(a, out.shape)))

    def zip(self, op: str, a: TensorData, b: TensorData, out: TensorData) -> None:
        fn = operators.ZIP_OPS[op]
        with np.errstate(all="ignore"):
            _write(out, fn(_read(a, out.shape), _read(b, out.shape)))

    def reduce(self, op: str, a: TensorData, dim: int, out: TensorData) -> None:
        fn, start = operators.REDUCE_OPS[op]
        values = np.moveaxis(_read(a), dim, 0)
        acc = np.full(values.shape[1:], start)
        with np.errstate(all="ignore"):
            for row in values:
                acc = fn(acc, row)
        _write(out, np.expand_dims(acc, dim))

    def matmul(self, a: TensorData, b: TensorData, out: TensorData) -> None:
        x, y = _read(a), _read(b)
        acc = np.zeros(out.shape)
        with np.errstate(all="ignore"):
            for k in range(x.shape[-1]):
                acc = acc + x[..., :, k : k + 1] * y[..., k : k + 1, :]
        _write(out, acc)

    def unfold(
        self, a: TensorData, kernel: Pair, stride: Pair, padding: Pair, out: TensorData
    ) -> None:
        n, c, h, w = a.shape
        ph, pw = padding
        out_hw = windows_out((h, w), kernel, stride, padding)
        padded = np.pad(_read(a), ((0, 0), (0, 0), (ph, ph), (pw, pw)))
        rows, cols = _window_index(kernel, stride, out_hw)
        patches = padded[:, :, rows, cols]  # (N, C, kh, kw, OH, OW)
        _write(out, patches.reshape(out.shape))

    def fold(
        self, cols: TensorData, kernel: Pair, stride: Pair, padding: Pair, out: TensorData
    ) -> None:
        n, c, h, w = out.shape
        (kh, kw), (ph, pw) = kernel, padding
        out_hw = windows_out((h, w), kernel, stride, padding)
        padded = np.zeros((n, c, h + 2 * ph, w + 2 * pw))
        rows, cols_ = _window_index(kernel, stride, out_hw)
        patches = _read(cols).reshape(n, c, kh, kw, *out_hw)
        np.add.at(padded, (slice(None), slice(None), rows, cols_), patches)
        _write(out, padded[:, :, ph : ph + h, pw : pw + w])

    def softmax(self, a: TensorData, out: TensorData, log: bool) -> None:
        x = _read(a)
        if x.size == 0:
            return
        with np.errstate(all="ignore"):
            shifted = x - x.max(axis=-1, keepdims=True)
            e = np.exp(shifted)
            total = e.sum(axis=-1, keepdims=True)
            _write(out, shifted - np.log(total) if log else e / total)

    def softmax_backward(self, y: TensorData, grad: TensorData, out: TensorData, log: bool) -> None:
        v, g = _read(y), _read(grad)
        with np.errstate(all="ignore"):
            if log:
                _write(out, g - np.exp(v) * g.sum(axis=-1, keepdims=True))
            else:
                _write(out, v * (g - (g * v).sum(axis=-1, keepdims=True)))

    def nll(self, logp: TensorData, target: TensorData, out: TensorData) -> None:
        rows = np.arange(logp.shape[0])
        _write(out, -_read(logp)[rows, _read(target).astype(np.int64)])

    def nll_backward(
        self, grad: TensorData, target: TensorData, out: TensorData, logp: TensorData | None
    ) -> None:
        g = _read(grad)
        with np.errstate(all="ignore"):
            values = np.zeros(out.shape) if logp is None else np.exp(_read(logp)) * g[:, None]
        values[np.arange(out.shape[0]), _read(target).astype(np.int64)] -= g
        _write(out, values)

    def embedding(self, weight: TensorData, index: TensorData, out: TensorData) -> None:
        _write(out, _read(weight)[_read(index).astype(np.int64)])

    def embedding_backward(self, grad: TensorData, index: TensorData, out: TensorData) -> None:
        values = np.zeros(out.shape)
        np.add.at(values, _read(index).astype(np.int64), _read(grad))
        _write(out, values)

    def window_max(self, cols: TensorData, out: TensorData, index: TensorData) -> None:
        values = _read(cols)
        with np.errstate(all="ignore"):
            nan = np.isnan(values)
            winner = np.where(nan.any(axis=1), nan.argmax(axis=1), values.argmax(axis=1))
        _write(index, winner.astype(np.float64))
        _write(out, np.take_along_axis(values, winner[:, None, :], axis=1)[:, 0, :])

    def window_max_backward(self, grad: TensorData, index: TensorData, out: TensorData) -> None:
        values = np.zeros(out.shape)
        winner = _read(index).astype(np.int64)[:, None, :]
        np.put_along_axis(values, winner, _read(grad)[:, None, :], axis=1)
        _write(out, values)

    def sgd_step(self, param, grad, velocity, rule) -> None:
        momentum = rule[1]
        param.storage[:], new_velocity = operators.sgd_update(
            param.storage, grad.storage, velocity.storage, *rule
        )
        if momentum:
            velocity.storage[:] = new_velocity

    def adam_step(self, param, grad, m, v, rule) -> None:
        with np.errstate(all="ignore"):
            param.storage[:], m.storage[:], v.storage[:] = operators.adam_update(
                param.storage, grad.storage, m.storage, v.storage, *rule
            )

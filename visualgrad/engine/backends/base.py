"""The narrow seam between tensors and the kernels that compute them.

A backend owns flat storage and supplies six kernels, row kernels for the
fused softmax, cross-entropy and embedding Functions, and the two optimizers'
updates. conv2d's two passes have a default made of unfold, matmul and fold, which a
backend may replace with a faster one (the fast backend's, ``fast_conv``). Everything above it
(Functions, Tensor, nn, optim) is written once, in terms of these.

Every kernel writes every element of ``out``, a TensorData the caller
allocated (``fold`` adds into ``out``, which starts at zero); inputs may be
strided (permuted) and are broadcast to ``out.shape`` by numpy's rules.
Storage holds float32 or float64; a kernel writes ``out`` in its own dtype, whatever its
inputs' (``map("id")`` is the cast), and the callers give the inputs of the other kernels
one dtype.
Operation names are the keys of ``operators.MAP_OPS``, ``ZIP_OPS`` and
``REDUCE_OPS``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..tensor_data import FLOAT64, TensorData

Pair = tuple[int, int]
SGDRule = tuple[float, float, float, bool, bool]
AdamRule = tuple[float, float, float, float, float, float]


class Backend(ABC):
    """Storage and kernels for one kind of device."""

    name: str = ""
    host_memory: bool = True  # storage in host memory: reading a value back is no device sync

    @abstractmethod
    def from_numpy(self, array: np.ndarray, dtype: np.dtype = FLOAT64) -> Any:
        """Flat storage of ``dtype`` (float32 or float64) holding a copy of ``array`` in
        row-major order."""

    @abstractmethod
    def to_numpy(self, data: TensorData) -> np.ndarray:
        """A new numpy array of ``data.shape`` and dtype with the tensor's values."""

    @abstractmethod
    def zeros(self, size: int, dtype: np.dtype = FLOAT64) -> Any:
        """Flat storage of ``size`` zeros of ``dtype``."""

    def read_scalars(self, scalars: Sequence[TensorData]) -> np.ndarray:
        """The values of one-element tensors as one float64 array (a device: in one copy)."""
        return np.array([self.to_numpy(d).reshape(()) for d in scalars], dtype=np.float64)

    def empty(self, size: int, dtype: np.dtype = FLOAT64) -> Any:
        """Flat storage of ``size`` elements of ``dtype`` that a kernel will overwrite."""
        return self.zeros(size, dtype)

    @abstractmethod
    def map(self, op: str, a: TensorData, out: TensorData) -> None:
        """``out[i] = f(a[i])``, ``a`` broadcast to ``out.shape``."""

    @abstractmethod
    def zip(self, op: str, a: TensorData, b: TensorData, out: TensorData) -> None:
        """``out[i] = f(a[i], b[i])``, both broadcast to ``out.shape``."""

    @abstractmethod
    def reduce(self, op: str, a: TensorData, dim: int, out: TensorData) -> None:
        """Fold ``a`` along ``dim`` with f from its start value; ``out.shape[dim] == 1``."""

    @abstractmethod
    def matmul(self, a: TensorData, b: TensorData, out: TensorData) -> None:
        """Batched matrix product: ``a`` (..., n, m) times ``b`` (..., m, p).

        All three have the same number of dimensions (at least 2); the batch
        dimensions of ``a`` and ``b`` broadcast to those of ``out`` (..., n, p).
        """

    @abstractmethod
    def unfold(
        self, a: TensorData, kernel: Pair, stride: Pair, padding: Pair, out: TensorData
    ) -> None:
        """im2col: every (kh, kw) window of ``a`` (N, C, H, W) as a column.

        ``out`` is (N, C*kh*kw, OH*OW) with OH = (H + 2*ph - kh) // sh + 1 (OW alike);
        ``out[n, (c*kh + i)*kw + j, oh*OW + ow] = a[n, c, oh*sh + i - ph, ow*sw + j - pw]``,
        zero where that index falls in the padding.
        """

    @abstractmethod
    def fold(
        self, cols: TensorData, kernel: Pair, stride: Pair, padding: Pair, out: TensorData
    ) -> None:
        """col2im, the adjoint of ``unfold``: add every column back into ``out`` (N, C, H, W).

        ``out`` starts at zero; where windows overlap their values are summed.
        """

    # ---- the fused Linear: one product and a bias ----------------------------------------------
    def linear(
        self, x: TensorData, weight: TensorData, bias: TensorData | None, out: TensorData
    ) -> None:
        """``out`` (rows, O) = ``x`` (rows, I) @ ``weight`` (O, I)^T, plus ``bias`` (O,) or
        None; all of one dtype, ``x`` and ``out`` contiguous. This default is a matmul and a
        zip."""
        self.matmul(x, weight.permute((1, 0)), out)
        if bias is not None:
            self.zip("add", out, bias, out)

    def linear_backward(
        self,
        x: TensorData,
        weight: TensorData,
        grad: TensorData,
        grad_x: TensorData | None,
        grad_w: TensorData | None,
        grad_b: TensorData | None,
    ) -> None:
        """The gradients of ``linear`` that are not None, from the output's ``grad`` (rows,
        O, contiguous): ``grad_x`` = grad @ weight, ``grad_w`` = grad^T @ x, ``grad_b`` the
        sum of grad's rows; each new and contiguous."""
        if grad_x is not None:
            self.matmul(grad, weight, grad_x)
        if grad_w is not None:
            self.matmul(grad.permute((1, 0)), x, grad_w)
        if grad_b is not None:
            self.reduce("sum", grad, 0, grad_b.view((1, grad_b.size)))

    # ---- convolution: what conv2d needs, built from unfold, matmul and fold ------------------
    def conv2d_forward(
        self,
        x: TensorData,
        weight: TensorData,
        bias: TensorData | None,
        stride: Pair,
        padding: Pair,
        out: TensorData,
    ) -> None:
        """``out`` (N, O, OH, OW) = the cross-correlation of ``x`` (N, C, H, W, any strides)
        with ``weight`` (O, C, kh, kw), plus ``bias`` (O,) or None, all of one dtype.

        ``weight``, ``bias`` and ``out`` are contiguous. This default unfolds the whole
        batch and makes one batched GEMM (the simple and cuda backends use it).
        """
        n, o, oh, ow = out.shape
        k, length = weight.size // o, oh * ow
        cols = self._scratch((n, k, length), out.dtype)
        self.unfold(x, weight.shape[2:], stride, padding, cols)
        out3 = out.view((n, o, length))
        self.matmul(weight.view((1, o, k)), cols, out3)
        if bias is not None:
            self.zip("add", out3, bias.view((1, o, 1)), out3)

    def conv2d_backward(
        self,
        x: TensorData,
        weight: TensorData,
        grad: TensorData,
        stride: Pair,
        padding: Pair,
        grad_x: TensorData | None,
        grad_w: TensorData | None,
        grad_b: TensorData | None,
    ) -> None:
        """The gradients of ``conv2d_forward`` that are not None, from the output's ``grad``
        (any strides): ``grad_x`` (contiguous, starting at zero) gets the input's,
        ``grad_w`` the weight's, ``grad_b`` the bias's. The columns are unfolded again
        (as torch does) rather than kept from the forward pass."""
        n, o, oh, ow = grad.shape
        k, length = weight.size // o, oh * ow
        dtype = grad.dtype
        if not grad.is_contiguous():
            grad = self._copied(grad)
        g = grad.view((n, o, length))
        if grad_w is not None:
            cols = self._scratch((n, k, length), dtype)
            self.unfold(x, weight.shape[2:], stride, padding, cols)
            per_image = self._scratch((n, o, k), dtype)
            self.matmul(g, cols.permute((0, 2, 1)), per_image)
            self.reduce("sum", per_image, 0, grad_w.view((1, o, k)))
        if grad_b is not None:
            per_image = self._scratch((n, o, 1), dtype)
            self.reduce("sum", g, 2, per_image)
            self.reduce("sum", per_image, 0, grad_b.view((1, o, 1)))
        if grad_x is not None:
            grad_cols = self._scratch((n, k, length), dtype)
            self.matmul(weight.view((1, o, k)).permute((0, 2, 1)), g, grad_cols)
            self.fold(grad_cols, weight.shape[2:], stride, padding, grad_x)

    def _scratch(self, shape: tuple[int, ...], dtype: np.dtype) -> TensorData:
        """A new contiguous TensorData of ``shape`` for a kernel to overwrite."""
        size = int(np.prod(shape))
        return TensorData.contiguous_over(self.empty(size, dtype), shape, size)

    def _copied(self, data: TensorData) -> TensorData:
        """A contiguous copy of ``data``."""
        out = self._scratch(data.shape, data.dtype)
        self.map("id", data, out)
        return out

    # ---- row kernels: contiguous (rows, n) tensors, one row at a time -----------------------
    @abstractmethod
    def softmax(self, a: TensorData, out: TensorData, log: bool) -> None:
        """Softmax of every row of ``a`` (rows, n) into ``out``, or log-softmax when ``log``.

        Stable: each row's maximum is subtracted before ``exp``. Both are contiguous.
        """

    @abstractmethod
    def softmax_backward(self, y: TensorData, grad: TensorData, out: TensorData, log: bool) -> None:
        """The input's gradient, from the output ``y`` and its gradient ``grad``, row by row.

        softmax: ``out = y * (grad - sum(grad * y))``; log-softmax:
        ``out = grad - exp(y) * sum(grad)``. All (rows, n) and contiguous.
        """

    @abstractmethod
    def nll(self, logp: TensorData, target: TensorData, out: TensorData) -> None:
        """``out[i] = -logp[i, target[i]]``: ``logp`` (rows, n), ``target`` and ``out`` (rows,).

        ``target`` holds class indices as whole floats in ``[0, n)``; the caller checks them.
        """

    @abstractmethod
    def nll_backward(
        self, grad: TensorData, target: TensorData, out: TensorData, logp: TensorData | None
    ) -> None:
        """The gradient of ``nll`` (``logp`` None) or of cross-entropy (``logp`` its log-softmax).

        ``out[i, j] = grad[i] * (exp(logp[i, j]) - [j == target[i]])``, with no exp term
        when ``logp`` is None: for cross-entropy that is ``grad * (p - onehot)``.
        ``grad`` and ``target`` are (rows,), ``out`` (rows, n), all contiguous.
        """

    def whole_in_range(self, data: TensorData, upper: int) -> bool:
        """True when every element of ``data`` is a whole number in ``[0, upper)``: class
        indices the row kernels may read as they are (NaN is not)."""
        values = self.to_numpy(data)
        return bool(np.all((values >= 0) & (values < upper) & (np.floor(values) == values)))

    @abstractmethod
    def embedding(self, weight: TensorData, index: TensorData, out: TensorData) -> None:
        """``out[i] = weight[index[i]]``: rows of ``weight`` (V, D) picked by ``index`` (rows,).

        ``index`` holds whole floats in ``[0, V)``, checked by the caller; ``out`` is (rows, D).
        """

    @abstractmethod
    def embedding_backward(self, grad: TensorData, index: TensorData, out: TensorData) -> None:
        """``out[index[i]] += grad[i]`` for every row i: ``out`` (V, D) starts at zero, and a
        row picked several times gets the sum of their gradients."""

    @abstractmethod
    def window_max(self, cols: TensorData, out: TensorData, index: TensorData) -> None:
        """Max pooling's forward on im2col columns: ``cols`` (R, K, L), the K values of each
        window down the middle dimension; ``out[r, l]`` is their maximum and ``index[r, l]``
        (a whole float) the first k that holds it, NaN winning as in torch."""

    @abstractmethod
    def window_max_backward(self, grad: TensorData, index: TensorData, out: TensorData) -> None:
        """``out[r, index[r, l], l] = grad[r, l]``, all else 0: the whole gradient of each
        window goes to the one element that won it, as torch's does. ``out`` is (R, K, L)."""

    # ---- max pooling: the default from unfold, window_max and fold ---------------------------
    def max_pool2d(
        self, a: TensorData, kernel: Pair, stride: Pair, out: TensorData, index: TensorData
    ) -> None:
        """``out`` (N, C, OH, OW): the maximum of each (kh, kw) window of contiguous ``a``
        (N, C, H, W), ``stride`` apart, NaN winning and the first on a tie, as torch's.
        ``index`` (float64, out's shape) records each winner in a form only this backend's
        ``max_pool2d_backward`` reads; this default keeps its place in the window."""
        n, c, h, w = a.shape
        length = out.shape[2] * out.shape[3]
        cols = self._scratch((n * c, kernel[0] * kernel[1], length), a.dtype)
        self.unfold(a.view((n * c, 1, h, w)), kernel, stride, (0, 0), cols)
        self.window_max(cols, out.view((n * c, length)), index.view((n * c, length)))

    def max_pool2d_backward(
        self, grad: TensorData, index: TensorData, kernel: Pair, stride: Pair, out: TensorData
    ) -> None:
        """Add each window's gradient (``grad``, contiguous, the shape of ``index``) into
        zeroed ``out`` (N, C, H, W) at the element ``max_pool2d`` picked."""
        n, c, h, w = out.shape
        length = grad.shape[2] * grad.shape[3]
        shape = (n * c, kernel[0] * kernel[1], length)
        size = int(np.prod(shape))
        cols = TensorData.contiguous_over(self.zeros(size, grad.dtype), shape, size)
        rows = (n * c, length)
        self.window_max_backward(grad.view(rows), index.view(rows), cols)
        self.fold(cols, kernel, stride, (0, 0), out.view((n * c, 1, h, w)))

    # ---- optimizer updates: in place, element by element, all contiguous and one shape ------
    @abstractmethod
    def sgd_step(
        self, param: TensorData, grad: TensorData, velocity: TensorData, rule: SGDRule
    ) -> None:
        """torch's SGD, ``operators.sgd_update`` on every element: ``rule`` is (lr,
        momentum, weight_decay, first, nesterov); ``velocity`` is untouched without
        momentum."""

    @abstractmethod
    def adam_step(
        self, param: TensorData, grad: TensorData, m: TensorData, v: TensorData, rule: AdamRule
    ) -> None:
        """torch's Adam, ``operators.adam_update`` on every element: ``rule`` is
        (step_size, beta1, beta2, eps, v_scale, weight_decay), the bias corrections folded
        into step_size (lr / (1 - beta1^t)) and v_scale (1 / (1 - beta2^t))."""

    def __repr__(self) -> str:
        return f"<backend {self.name}>"

"""nn.functional against hand formulas and direct loops, with torch's shapes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from visualgrad import engine as vg
from visualgrad.engine.nn import functional as F

from .checks import check_gradients


def conv2d_reference(x, w, b, stride, padding):
    """Cross-correlation by its definition, one output element at a time."""
    n, c, h, width = x.shape
    o, _, kh, kw = w.shape
    (sh, sw), (ph, pw) = stride, padding
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    oh, ow = (h + 2 * ph - kh) // sh + 1, (width + 2 * pw - kw) // sw + 1
    out = np.zeros((n, o, oh, ow))
    for i in range(oh):
        for j in range(ow):
            window = xp[:, :, i * sh : i * sh + kh, j * sw : j * sw + kw]
            out[:, :, i, j] = np.einsum("nchw,ochw->no", window, w)
    return out + (0 if b is None else b[None, :, None, None])


def test_softmax_of_the_course_examples(backend):
    np.testing.assert_allclose(
        F.softmax(vg.tensor([1.0, 2.0], backend=backend)).to_numpy(),
        [0.2689414, 0.7310586],
        rtol=1e-6,
    )
    big = F.softmax(vg.tensor([10.0, 20.0], backend=backend)).to_numpy()
    np.testing.assert_allclose(big, [4.5398e-05, 0.99995], rtol=1e-4)
    shifted = F.softmax(vg.tensor([20.0, 30.0], backend=backend)).to_numpy()
    np.testing.assert_allclose(shifted, big, rtol=1e-12)


def test_log_softmax_is_stable_for_logits_of_1000(backend):
    out = F.log_softmax(vg.tensor([[1000.0, 0.0, -1000.0]], backend=backend), dim=1).to_numpy()
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out, [[0.0, -1000.0, -2000.0]])
    assert np.isfinite(F.softmax(vg.tensor([1000.0, 999.0], backend=backend)).to_numpy()).all()


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_and_log_softmax_gradients(backend, dim):
    x = np.random.default_rng(1).normal(size=(3, 4))
    check_gradients(lambda t: F.softmax(t, dim), [x], backend)
    check_gradients(lambda t: F.log_softmax(t, dim), [x], backend)
    np.testing.assert_allclose(
        F.softmax(vg.tensor(x, backend=backend), dim).to_numpy().sum(dim), 1.0
    )


@given(
    n=st.integers(1, 2),
    c=st.integers(1, 2),
    o=st.integers(1, 3),
    h=st.integers(3, 6),
    w=st.integers(3, 6),
    k=st.integers(1, 3),
    stride=st.integers(1, 2),
    padding=st.integers(0, 1),
    bias=st.booleans(),
)
def test_conv2d_matches_the_definition(backend, n, c, o, h, w, k, stride, padding, bias):
    rng = np.random.default_rng(h * w)
    x, wt = rng.normal(size=(n, c, h, w)), rng.normal(size=(o, c, k, k))
    b = rng.normal(size=o) if bias else None
    out = F.conv2d(
        vg.tensor(x, backend=backend),
        vg.tensor(wt, backend=backend),
        None if b is None else vg.tensor(b, backend=backend),
        stride,
        padding,
    )
    np.testing.assert_allclose(
        out.to_numpy(),
        conv2d_reference(x, wt, b, (stride, stride), (padding, padding)),
        rtol=1e-10,
        atol=1e-10,
    )


def test_conv2d_gradients(backend):
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(2, 2, 5, 4)), rng.normal(size=(3, 2, 3, 2)), rng.normal(size=3)
    check_gradients(
        lambda x_, w_, b_: F.conv2d(x_, w_, b_, stride=(2, 1), padding=1), [x, w, b], backend
    )


def test_conv1d_matches_the_definition_and_its_gradients(backend):
    rng = np.random.default_rng(2)
    x, w, b = rng.normal(size=(2, 3, 7)), rng.normal(size=(4, 3, 3)), rng.normal(size=4)
    out = F.conv1d(
        vg.tensor(x, backend=backend),
        vg.tensor(w, backend=backend),
        vg.tensor(b, backend=backend),
        stride=2,
        padding=1,
    )
    expected = conv2d_reference(x[:, :, None, :], w[:, :, None, :], b, (1, 2), (0, 1))[:, :, 0, :]
    assert out.shape == (2, 4, 4)
    np.testing.assert_allclose(out.to_numpy(), expected, rtol=1e-10)
    check_gradients(lambda x_, w_, b_: F.conv1d(x_, w_, b_, padding=1), [x, w, b], backend)


@pytest.mark.parametrize(("kernel", "stride"), [(2, None), (3, 1), ((2, 3), (1, 2))])
def test_pooling_matches_numpy_and_gradients(backend, kernel, stride):
    x = np.random.default_rng(4).permutation(2 * 2 * 5 * 6).reshape(2, 2, 5, 6) * 0.1
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    sh, sw = (
        (kh, kw) if stride is None else ((stride, stride) if isinstance(stride, int) else stride)
    )
    oh, ow = (5 - kh) // sh + 1, (6 - kw) // sw + 1
    windows = np.stack(
        [
            x[:, :, i * sh : i * sh + kh, j * sw : j * sw + kw].reshape(2, 2, -1)
            for i in range(oh)
            for j in range(ow)
        ],
        axis=-1,
    )
    for fn, reduce in ((F.max_pool2d, np.max), (F.avg_pool2d, np.mean)):
        out = fn(vg.tensor(x, backend=backend), kernel, stride)
        assert out.shape == (2, 2, oh, ow)
        np.testing.assert_allclose(out.to_numpy(), reduce(windows, axis=2).reshape(2, 2, oh, ow))
        check_gradients(lambda t, fn=fn: fn(t, kernel, stride), [x], backend)


def test_embedding_picks_rows_and_scatters_gradients(backend):
    weight = vg.tensor(np.arange(12.0).reshape(4, 3), requires_grad=True, backend=backend)
    ids = np.array([[0, 2, 2], [3, 1, 0]])
    out = F.embedding(ids, weight)
    assert out.shape == (2, 3, 3)
    np.testing.assert_array_equal(out.to_numpy(), np.arange(12.0).reshape(4, 3)[ids])
    out.sum().backward()
    np.testing.assert_array_equal(
        weight.grad.to_numpy(), np.repeat([[2.0], [1.0], [2.0], [1.0]], 3, axis=1)
    )
    with pytest.raises(ValueError, match="index 4 is out of range for 4 classes"):
        F.embedding([4], weight)
    with pytest.raises(TypeError, match="integer indices"):
        F.embedding([0.5], weight)


def test_mse_loss_reductions(backend):
    p, t = np.array([[1.0], [2.0], [4.0]]), np.array([[0.0], [2.0], [2.0]])
    x = vg.tensor(p, backend=backend)
    assert F.mse_loss(x, t).item() == pytest.approx(5 / 3)
    assert F.mse_loss(x, t, reduction="sum").item() == 5.0
    assert F.mse_loss(x, t, reduction="none").shape == (3, 1)
    check_gradients(lambda a: F.mse_loss(a, vg.tensor(t, backend=backend)), [p], backend)
    with pytest.raises(ValueError, match=r"input shape \(3, 1\) and target shape \(3,\) differ"):
        F.mse_loss(x, t.ravel())
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.mse_loss(x, t, reduction="avg")


def test_binary_cross_entropy_formula_clamp_and_gradient(backend):
    p, t = np.array([0.9, 0.2, 0.6]), np.array([1.0, 0.0, 0.0])
    expected = -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))
    assert F.binary_cross_entropy(vg.tensor(p, backend=backend), t).item() == pytest.approx(
        expected
    )
    check_gradients(
        lambda a: F.binary_cross_entropy(a, vg.tensor(t, backend=backend)), [p], backend
    )
    saturated = F.binary_cross_entropy(vg.tensor([1.0, 0.0], backend=backend), [0.0, 1.0]).item()
    assert saturated == pytest.approx(100.0)  # each log clamped at -100, as torch does


def test_cross_entropy_and_nll_loss_with_class_indices(backend):
    logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    target = [0, 1]
    log_p = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    expected = -np.mean(log_p[[0, 1], target])
    assert F.cross_entropy(vg.tensor(logits, backend=backend), target).item() == pytest.approx(
        expected
    )
    assert F.nll_loss(vg.tensor(log_p, backend=backend), target).item() == pytest.approx(expected)
    check_gradients(lambda a: F.cross_entropy(a, target), [logits], backend)
    with pytest.raises(ValueError, match="index 3 is out of range for 3 classes"):
        F.cross_entropy(vg.tensor(logits, backend=backend), [0, 3])
    with pytest.raises(ValueError, match=r"target shape \(3,\) does not match input \(2, 3\)"):
        F.nll_loss(vg.tensor(logits, backend=backend), [0, 1, 2])


def test_dropout_is_inverted_and_off_in_eval(backend):
    x = vg.ones(1000, backend=backend)
    out = F.dropout(x, 0.25).to_numpy()
    assert set(np.unique(out)) <= {0.0, 1 / 0.75}
    assert 0.18 < (out == 0).mean() < 0.32
    np.testing.assert_array_equal(F.dropout(x, 0.25, training=False).to_numpy(), x.to_numpy())
    with pytest.raises(ValueError, match="p must be between 0 and 1"):
        F.dropout(x, 1.5)


def test_conv_refuses_mismatched_channels_with_shapes(backend):
    x, w = vg.zeros(1, 3, 5, 5, backend=backend), vg.zeros(2, 2, 3, 3, backend=backend)
    with pytest.raises(
        ValueError, match=r"input \(1, 3, 5, 5\) has 3 channels but weight \(2, 2, 3, 3\) expects 2"
    ):
        F.conv2d(x, w)
    with pytest.raises(ValueError, match="larger than the padded input"):
        F.conv2d(vg.zeros(1, 2, 2, 2, backend=backend), w)

"""float32 alongside float64: made, kept, promoted and differentiated as torch does.

float64 stays the default; every op on float32 tensors gives float32 results (and
gradients) equal to the float64 ones within float32's precision, on every backend.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from visualgrad import engine as vg
from visualgrad.engine.nn import functional as F

RTOL, ATOL = 2e-5, 2e-6  # float32 holds about 7 significant digits
rng = np.random.default_rng(3)


def pair(array: np.ndarray, backend: str) -> tuple[vg.Tensor, vg.Tensor]:
    """The same values as a float32 and a float64 leaf that require grad."""
    return tuple(
        vg.tensor(array, requires_grad=True, backend=backend, dtype=d)
        for d in ("float32", "float64")
    )


# ---- making tensors ------------------------------------------------------------------------
def test_float64_is_the_default():
    assert vg.tensor([1.0, 2.0]).dtype == np.float64
    assert vg.zeros(2).dtype == vg.ones(2).dtype == vg.randn(2).dtype == np.float64
    assert vg.tensor(np.ones(2, dtype=np.float32)).dtype == np.float64


@pytest.mark.parametrize("dtype", ["float32", np.float32, np.dtype("float32"), vg.float32])
def test_dtype_is_taken_as_a_string_or_a_numpy_dtype(dtype):
    t = vg.tensor([[1.5, -2.0]], dtype=dtype)
    assert t.dtype == np.float32 and t.dtype == "float32"
    assert t.to_numpy().dtype == np.float32
    np.testing.assert_array_equal(t.to_numpy(), [[1.5, -2.0]])


@pytest.mark.parametrize("dtype", ["int64", np.int32, "float16", "complex128", "nonsense"])
def test_other_dtypes_are_refused_with_one_line(dtype):
    with pytest.raises(TypeError, match="expected float32 or float64") as error:
        vg.tensor([1.0], dtype=dtype)
    assert "\n" not in str(error.value)


def test_creation_functions_take_a_dtype_and_like_functions_keep_it(backend):
    made = [
        vg.zeros(2, 3, backend=backend, dtype="float32"),
        vg.ones(2, backend=backend, dtype="float32"),
        vg.full((2,), 7.0, backend=backend, dtype="float32"),
        vg.rand(3, backend=backend, dtype="float32"),
        vg.randn(3, backend=backend, dtype="float32"),
        vg.arange(0, 1, 0.25, backend=backend, dtype="float32"),
        vg.eye(3, backend=backend, dtype="float32"),
    ]
    assert all(t.dtype == np.float32 for t in made)
    like = [vg.zeros_like, vg.ones_like, vg.rand_like, vg.randn_like]
    assert all(f(made[0]).dtype == np.float32 for f in like)
    assert vg.full_like(made[0], 2.0).dtype == np.float32
    assert vg.zeros_like(made[0], dtype="float64").dtype == np.float64
    assert vg.tensor(made[0]).dtype == np.float32  # a tensor keeps its dtype, as in torch
    np.testing.assert_array_equal(made[5].to_numpy(), [0.0, 0.25, 0.5, 0.75])


def test_the_same_seed_draws_the_same_numbers_in_either_dtype():
    vg.manual_seed(5)
    wide = vg.randn(4).to_numpy()
    vg.manual_seed(5)
    narrow = vg.randn(4, dtype="float32").to_numpy()
    np.testing.assert_array_equal(narrow, wide.astype(np.float32))


def test_to_float_and_double_convert_and_keep_the_backend(backend):
    x = vg.tensor([1.0, 2.0], backend=backend)
    assert x.float().dtype == np.float32 and x.float().backend is x.backend
    assert x.to("float32").double().dtype == np.float64
    assert x.double() is x  # nothing to convert
    assert x.float().to("simple").dtype == np.float32  # a move keeps the dtype
    assert x.float().to(None).dtype == np.float32  # None is the default backend, as before
    assert "dtype=float32" in repr(x.float()) and "dtype" not in repr(x)


def test_a_cast_is_differentiable_and_sends_the_gradient_back_in_the_inputs_dtype(backend):
    x = vg.tensor([0.5, -1.0, 2.0], requires_grad=True, backend=backend)
    y = (x.float() * x.float()).sum()
    assert y.dtype == np.float32
    y.backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_allclose(x.grad.to_numpy(), [1.0, -2.0, 4.0], rtol=RTOL)


def test_backward_takes_a_gradient_of_another_dtype(backend):
    x = vg.tensor([1.0, 2.0], requires_grad=True, backend=backend, dtype="float32")
    (x * 3).backward(vg.tensor([1.0, 0.5], backend=backend))
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.to_numpy(), [3.0, 1.5])


# ---- promotion, checked against torch --------------------------------------------------------
CASES = [
    ("float32", (3,), "float32", (3,)),
    ("float32", (3,), "float64", (3,)),
    ("float64", (2, 3), "float32", (3,)),
    ("float32", (3,), "float64", ()),  # a 0-d tensor does not promote one with dims
    ("float64", (), "float32", (2,)),
    ("float32", (), "float64", ()),
]


@pytest.mark.parametrize(("da", "sa", "db", "sb"), CASES)
def test_mixed_dtypes_promote_as_torch_does(backend, da, sa, db, sb):
    a_np, b_np = rng.standard_normal(sa), rng.standard_normal(sb)
    a, b = vg.tensor(a_np, backend=backend, dtype=da), vg.tensor(b_np, backend=backend, dtype=db)
    ta = torch.tensor(a_np, dtype=getattr(torch, da))
    tb = torch.tensor(b_np, dtype=getattr(torch, db))
    for ours, theirs in ((a + b, ta + tb), (a * b, ta * tb), (a / b, ta / tb)):
        assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")
        np.testing.assert_allclose(ours.to_numpy(), theirs.numpy(), rtol=RTOL, atol=ATOL)


def test_a_product_of_mixed_dtypes_is_float64_where_torch_refuses_it(backend):
    a = vg.tensor(np.eye(2), backend=backend, dtype="float32")
    b = vg.tensor([[1.0, 2.0], [3.0, 4.0]], backend=backend)
    assert (a @ b).dtype == (b @ a).dtype == np.float64
    np.testing.assert_array_equal((a @ b).to_numpy(), b.to_numpy())


def test_python_numbers_do_not_promote(backend):
    x = vg.tensor([1.0, 4.0], backend=backend, dtype="float32")
    for y in (x + 1, 2.0 * x, x - 0.5, 1.0 / x, x**2, x / 3, 1 - x, x > 2.0, x == 4.0):
        assert y.dtype == np.float32
    assert vg.tensor(3.0, backend=backend, dtype="float32").__add__(2.5).dtype == np.float32


def test_each_input_of_a_mixed_op_gets_its_gradient_in_its_own_dtype(backend):
    a = vg.tensor([1.0, 2.0, 3.0], requires_grad=True, backend=backend, dtype="float32")
    b = vg.tensor([[0.5], [-1.0]], requires_grad=True, backend=backend)
    out = (a * b).sum()
    assert out.dtype == np.float64
    out.backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
    np.testing.assert_allclose(a.grad.to_numpy(), [-0.5, -0.5, -0.5], rtol=RTOL)
    np.testing.assert_allclose(b.grad.to_numpy(), [[6.0], [6.0]], rtol=RTOL)


# ---- float32 results equal float64 ones --------------------------------------------------------
def _close(narrow: vg.Tensor, wide: vg.Tensor) -> None:
    assert narrow.dtype == np.float32 and wide.dtype == np.float64
    np.testing.assert_allclose(narrow.to_numpy(), wide.to_numpy(), rtol=1e-4, atol=1e-5)


ELEMENTWISE = {
    "exp": lambda x: x.exp(),
    "log": lambda x: x.abs().log(),
    "relu": lambda x: x.relu(),
    "sigmoid": lambda x: x.sigmoid(),
    "tanh": lambda x: x.tanh(),
    "sqrt": lambda x: (x * x + 1).sqrt(),
    "pow": lambda x: x**3,
    "division": lambda x: 1.0 / (x * x + 1),
    "log1p": lambda x: (x * x).log1p(),
    "clamp": lambda x: x.clamp(-0.5, 0.5),
    "leaky_relu": lambda x: F.leaky_relu(x, 0.1),
}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_ops_in_float32_match_float64(backend, name):
    narrow, wide = pair(rng.standard_normal((2, 3)), backend)
    outs = [ELEMENTWISE[name](x) for x in (narrow, wide)]
    _close(*outs)
    for out in outs:
        (out * out).sum().backward()
    _close(narrow.grad, wide.grad)


BIG = {  # on fast, tensors this big take numpy's paths (fast.UFUNC_MIN and below)
    "exp": lambda x: x.exp(),
    "log": lambda x: x.abs().log(),
    "log1p": lambda x: x.abs().log1p(),
    "expm1": lambda x: x.expm1(),
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "sqrt": lambda x: x.abs().sqrt(),
    "neg and copy": lambda x: (-x).permute(2, 0, 1).contiguous(),
    "add, mul and max": lambda x: (x * x + x).clamp(min=0.1),
    "pow": lambda x: x.abs() ** 1.5,
    "sum": lambda x: x.sum(1),
}


@pytest.mark.parametrize("name", sorted(BIG))
def test_big_float32_tensors_match_float64_and_stay_float32(not_simulated, name):
    narrow, wide = pair(rng.standard_normal((3, 40, 30)), not_simulated)
    outs = [BIG[name](x) for x in (narrow, wide)]
    _close(*outs)
    for out in outs:
        out.sum().backward()
    _close(narrow.grad, wide.grad)


REDUCTIONS_AND_LAYERS = {
    "sum": lambda x: x.sum(1),
    "mean": lambda x: x.mean(),
    "max": lambda x: x.max(0).values,
    "var": lambda x: x.var(1),
    "matmul": lambda x: x @ x.T,
    "permuted": lambda x: x.permute(1, 0).contiguous() * 2,
    "softmax": lambda x: F.softmax(x, dim=1),
    "log_softmax": lambda x: F.log_softmax(x, dim=0),
    "cross_entropy": lambda x: F.cross_entropy(x, [1, 0]),
    "nll_loss": lambda x: F.nll_loss(F.log_softmax(x, 1), [2, 1]),
    "mse_loss": lambda x: F.mse_loss(x, np.ones((2, 3))),
    "bce": lambda x: F.binary_cross_entropy(x.sigmoid(), np.full((2, 3), 0.25)),
    "bce_logits": lambda x: F.binary_cross_entropy_with_logits(x, np.full((2, 3), 0.75)),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS_AND_LAYERS))
def test_reductions_products_and_fused_losses_in_float32_match_float64(backend, name):
    narrow, wide = pair(rng.standard_normal((2, 3)), backend)
    outs = [REDUCTIONS_AND_LAYERS[name](x) for x in (narrow, wide)]
    _close(*outs)
    for out in outs:
        out.sum().backward() if out.dims else out.backward()
    _close(narrow.grad, wide.grad)


def test_convolution_pooling_and_embedding_in_float32_match_float64(backend):
    images, weights = rng.standard_normal((1, 2, 4, 4)), rng.standard_normal((2, 2, 3, 3))
    results = []
    for dtype in ("float32", "float64"):
        x = vg.tensor(images, requires_grad=True, backend=backend, dtype=dtype)
        w = vg.tensor(weights, requires_grad=True, backend=backend, dtype=dtype)
        table = vg.tensor(weights.reshape(6, 6), requires_grad=True, backend=backend, dtype=dtype)
        conv = F.conv2d(x, w, padding=1)
        out = F.max_pool2d(conv, 2).sum() + F.avg_pool2d(x, 2).sum()
        out = out + (F.embedding([[0, 5], [5, 2]], table) ** 2).sum()
        out.backward()
        results.append((conv, out, x.grad, w.grad, table.grad))
    for narrow, wide in zip(*results):
        _close(narrow, wide)


# ---- modules and optimizers --------------------------------------------------------------
def _trained(dtype: str, backend: str, optimizer) -> vg.nn.Module:
    vg.manual_seed(1)
    model = vg.nn.Sequential(vg.nn.Linear(3, 4), vg.nn.Tanh(), vg.nn.Linear(4, 2)).to(backend)
    model.to(dtype)
    opt = optimizer(list(model.parameters()))
    x = vg.tensor(np.linspace(-1, 1, 15).reshape(5, 3), backend=backend, dtype=dtype)
    for _ in range(3):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), [0, 1, 1, 0, 1])
        assert loss.dtype == dtype
        loss.backward()
        opt.step()
    return model, opt


@pytest.mark.parametrize(
    "optimizer",
    [
        lambda ps: vg.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
        lambda ps: vg.optim.Adam(ps, lr=0.01),
        lambda ps: vg.optim.AdamW(ps, lr=0.01),
    ],
    ids=["sgd", "adam", "adamw"],
)
def test_a_float32_model_trains_like_a_float64_one_and_keeps_its_state_in_float32(
    backend, optimizer
):
    narrow, opt = _trained("float32", backend, optimizer)
    wide, _ = _trained("float64", backend, optimizer)
    for p in narrow.parameters():
        assert p.dtype == np.float32 and p.grad.dtype == np.float32
        assert all(s.dtype == np.float32 for s in opt.state[id(p)].values() if hasattr(s, "dtype"))
    for p, q in zip(narrow.parameters(), wide.parameters()):
        np.testing.assert_allclose(p.to_numpy(), q.to_numpy(), rtol=1e-4, atol=1e-5)


def test_module_float_and_double_convert_every_parameter_in_place():
    model = vg.nn.Sequential(vg.nn.Linear(2, 3), vg.nn.ReLU(), vg.nn.Linear(3, 1))
    weights = list(model.parameters())
    assert model.float() is model
    assert [p for p in model.parameters()] == weights  # the same Parameter objects
    assert all(p.dtype == np.float32 and p.requires_grad for p in weights)
    model.load_state_dict({k: v.to_numpy() for k, v in model.state_dict().items()})
    assert all(p.dtype == np.float32 for p in model.parameters())
    assert all(p.dtype == np.float64 for p in model.double().parameters())

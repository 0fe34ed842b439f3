"""The scalar functions every backend applies elementwise, named and written once.

Each function works on a Python float and, unchanged, on a numpy array, so the
simple backend can apply it to whole arrays and numba can compile it for one
element. No branches on values: ``np.maximum`` and comparisons times 1.0 instead.
"""

from __future__ import annotations

import numpy as np


def neg(x):
    return -x


def identity(x):
    return x + 0.0


def inv(x):
    return 1.0 / x


def exp(x):
    return np.exp(x)


def log(x):
    return np.log(x)


def relu(x):
    """max(x, 0), NaN kept; + 0.0 makes relu(-0.0) 0.0 (not -0.0) in every kernel, as in
    numpy's and torch's."""
    return np.maximum(x, 0.0) + 0.0


def sigmoid(x):
    # tanh form: stable for large |x| in both directions, no branch.
    return 0.5 * (np.tanh(0.5 * x) + 1.0)


def tanh(x):
    return np.tanh(x)


def sqrt(x):
    return np.sqrt(x)


def abs_(x):
    return np.abs(x)


def sign(x):
    return (x > 0.0) * 1.0 - (x < 0.0) * 1.0


def log1p(x):
    return np.log1p(x)


def expm1(x):
    return np.expm1(x)


def softplus(x):
    """log(1 + e^x), computed stably: max(x, 0) + log(1 + e^-|x|)."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def add(x, y):
    return x + y


def mul(x, y):
    return x * y


def pow_(x, y):
    return x**y


def lt(x, y):
    return (x < y) * 1.0


def gt(x, y):
    return (x > y) * 1.0


def eq(x, y):
    return (x == y) * 1.0


def max_(x, y):
    return np.maximum(x, y)


def relu_back(x, grad):
    """The gradient of relu at ``x`` times ``grad``: ``grad`` where x > 0, else 0."""
    return (x > 0.0) * grad


# The backward of a map op as one zip op: (what forward kept, grad) -> grad of the input.
def log_back(x, grad):
    """d log(x) / dx = 1 / x, times ``grad``."""
    return grad / x


def abs_back(x, grad):
    """d |x| / dx = sign(x), times ``grad``."""
    return ((x > 0.0) * 1.0 - (x < 0.0) * 1.0) * grad


def inv_back(y, grad):
    """d (1/x) / dx = -1/x^2 = -y^2 for the output y = 1/x, times ``grad``."""
    return -grad * y * y


def sigmoid_back(s, grad):
    """d sigmoid(x) / dx = s (1 - s) for the output s, times ``grad``."""
    return grad * s * (1.0 - s)


def tanh_back(t, grad):
    """d tanh(x) / dx = 1 - t^2 for the output t, times ``grad``."""
    return grad * (1.0 - t * t)


def sqrt_back(y, grad):
    """d sqrt(x) / dx = 1 / (2 y) for the output y = sqrt(x), times ``grad``."""
    return 0.5 * grad / y


def log1p_back(x, grad):
    """d log(1 + x) / dx = 1 / (1 + x), times ``grad``."""
    return grad / (1.0 + x)


def expm1_back(y, grad):
    """d (e^x - 1) / dx = e^x = y + 1 for the output y, times ``grad``."""
    return grad * (y + 1.0)


def softplus_back(x, grad):
    """d softplus(x) / dx = sigmoid(x), times ``grad``."""
    return grad * 0.5 * (np.tanh(0.5 * x) + 1.0)


# Binary cross-entropy of a probability p (or of a logit x) against a target t.
def bce(p, t):
    """-(t log p + (1 - t) log(1 - p)), each log clamped at -100 as torch does."""
    return -(t * np.maximum(np.log(p), -100.0) + (1.0 - t) * np.maximum(np.log(1.0 - p), -100.0))


def bce_back(p, t):
    """d bce / dp = (p - t) / (p (1 - p)), the denominator at least 1e-12 as in torch."""
    return (p - t) / np.maximum(p * (1.0 - p), 1e-12)


def bce_logits(x, t):
    """bce of sigmoid(x), computed stably: max(x, 0) - x t + log(1 + exp(-|x|))."""
    return np.maximum(x, 0.0) - x * t + np.log1p(np.exp(-np.abs(x)))


def bce_logits_back(x, t):
    """d bce_logits / dx = sigmoid(x) - t."""
    return 0.5 * (np.tanh(0.5 * x) + 1.0) - t


# The optimizers' updates of one element (or, unchanged, of whole arrays), as torch does them.
def sgd_update(p, g, velocity, lr, momentum, weight_decay, first, nesterov):
    """One SGD step; returns (the new p, the new velocity). Velocity is kept only with
    momentum: g on the ``first`` step, else momentum * velocity + g."""
    step = g + weight_decay * p
    v = velocity
    if momentum != 0.0:
        v = step if first else momentum * velocity + step
        step = step + momentum * v if nesterov else v
    return p - lr * step, v


def adam_update(p, g, m, v, step_size, beta1, beta2, eps, v_scale, weight_decay):
    """One Adam step with the bias corrections folded into ``step_size`` and ``v_scale``;
    returns (the new p, m, v)."""
    grad = g + weight_decay * p
    m = beta1 * m + (1.0 - beta1) * grad
    v = beta2 * v + (1.0 - beta2) * grad * grad
    return p - step_size * m / ((v * v_scale) ** 0.5 + eps), m, v


MAP_OPS = {
    "neg": neg,
    "id": identity,
    "inv": inv,
    "exp": exp,
    "log": log,
    "relu": relu,
    "sigmoid": sigmoid,
    "tanh": tanh,
    "sqrt": sqrt,
    "abs": abs_,
    "sign": sign,
    "log1p": log1p,
    "expm1": expm1,
    "softplus": softplus,
}

ZIP_OPS = {
    "add": add,
    "mul": mul,
    "pow": pow_,
    "lt": lt,
    "gt": gt,
    "eq": eq,
    "max": max_,
    "relu_back": relu_back,
    "log_back": log_back,
    "abs_back": abs_back,
    "inv_back": inv_back,
    "sigmoid_back": sigmoid_back,
    "tanh_back": tanh_back,
    "sqrt_back": sqrt_back,
    "bce": bce,
    "bce_back": bce_back,
    "bce_logits": bce_logits,
    "bce_logits_back": bce_logits_back,
    "log1p_back": log1p_back,
    "expm1_back": expm1_back,
    "softplus_back": softplus_back,
}

# name -> (binary function, start value) for reductions along one dimension.
REDUCE_OPS = {
    "sum": (add, 0.0),
    "max": (max_, -np.inf),
}

# Compiled backends pick an op inside one kernel by these integer codes.
MAP_CODES = {name: code for code, name in enumerate(MAP_OPS)}
ZIP_CODES = {name: code for code, name in enumerate(ZIP_OPS)}
REDUCE_CODES = {"sum": (ZIP_CODES["add"], 0.0), "max": (ZIP_CODES["max"], -np.inf)}

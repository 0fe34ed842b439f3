"""The workloads ``engine.py`` times against PyTorch: each one step of visualgrad's fast backend
and of torch, in float64 ("fast" and "torch") and in float32 ("fast32" and "torch32"), so that
each is compared like with like.

Each maker returns ``{contender: step}``; a step is a closure that runs one forward
and backward pass (and, for the training steps, an optimizer step) on data made once.
``engine.py`` runs each contender in a process of its own (``measure``): in one
process torch's threads, which spin after each op, and numba's and the BLAS's fight
for the same cores, and the MLP step took 5x longer than alone.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from visualgrad import engine as vg
from visualgrad.engine import nn
from visualgrad.engine.nn import functional as F

torch = None  # imported by measure() only in a torch contender's process
Step = Callable[[], object]
CONTENDERS = ("fast", "fast32", "torch", "torch32")
_wanted = "fast"


def _torch_kinds() -> dict[str, object]:
    if _wanted.startswith("fast") or torch is None:
        return {}
    return {_wanted: torch.float64 if _wanted == "torch" else torch.float32}


def _ours() -> str:
    """The dtype visualgrad's step computes in: float32 for the "fast32" contender."""
    return "float32" if _wanted == "fast32" else "float64"


def _ours_and_torch(
    arrays: list[np.ndarray], ours: Callable[..., vg.Tensor], theirs: Callable[..., object]
) -> dict[str, Step]:
    """Steps that run ``fn(*inputs).sum().backward()`` on leaves made from ``arrays``."""
    leaves = [vg.tensor(a, requires_grad=True, dtype=_ours()) for a in arrays]

    def fast() -> None:
        for leaf in leaves:
            leaf.grad = None
        ours(*leaves).sum().backward()

    steps: dict[str, Step] = {"fast": fast}
    for name, dtype in _torch_kinds().items():
        tensors = [torch.tensor(a, dtype=dtype, requires_grad=True) for a in arrays]

        def step(tensors=tensors) -> None:
            for t in tensors:
                t.grad = None
            theirs(*tensors).sum().backward()

        steps[name] = step
    return steps


def row_functions() -> dict[str, dict[str, Step]]:
    """softmax, log_softmax and cross_entropy of (512, 1000), forward and backward."""
    rng = np.random.default_rng(2)
    x, target = rng.normal(size=(512, 1000)), rng.integers(0, 1000, size=512)
    made = {
        "softmax_512x1000": _ours_and_torch(
            [x], lambda a: F.softmax(a, 1), lambda a: torch.softmax(a, 1)
        ),
        "log_softmax_512x1000": _ours_and_torch(
            [x], lambda a: F.log_softmax(a, 1), lambda a: torch.log_softmax(a, 1)
        ),
    }
    index = None if torch is None else torch.tensor(target)
    made["cross_entropy_512x1000"] = _ours_and_torch(
        [x],
        lambda a: F.cross_entropy(a, target),
        lambda a: torch.nn.functional.cross_entropy(a, index),
    )
    return made


def conv2d() -> dict[str, Step]:
    """conv2d of (32, 16, 28, 28) with 32 3x3 filters and padding 1, forward and backward."""
    rng = np.random.default_rng(3)
    arrays = [
        rng.normal(size=(32, 16, 28, 28)),
        rng.normal(size=(32, 16, 3, 3)),
        rng.normal(size=32),
    ]
    return _ours_and_torch(
        arrays,
        lambda x, w, b: F.conv2d(x, w, b, padding=1),
        lambda x, w, b: torch.nn.functional.conv2d(x, w, b, padding=1),
    )


def one_element_add() -> dict[str, Step]:
    a, b = vg.tensor([1.0], dtype=_ours()), vg.tensor([2.0], dtype=_ours())
    steps: dict[str, Step] = {"fast": lambda: a + b}
    for name, dtype in _torch_kinds().items():
        ta, tb = torch.tensor([1.0], dtype=dtype), torch.tensor([2.0], dtype=dtype)
        steps[name] = lambda ta=ta, tb=tb: ta + tb
    return steps


def _training_steps(
    ours: nn.Module,
    theirs_of: Callable[[], object],
    x: np.ndarray,
    y: np.ndarray,
    lr: float,
    binary: bool = False,
) -> dict[str, Step]:
    """One SGD step for ``ours`` and for torch's twin (same weights): cross-entropy of
    class indices, or with ``binary`` binary cross-entropy of the model's probabilities."""
    weights = [p.to_numpy() for p in ours.parameters()]  # float64, before any conversion
    ours.to(_ours())
    optimizer = vg.optim.SGD(ours.parameters(), lr=lr)
    xv = vg.tensor(x, dtype=_ours())
    yv = vg.tensor(y, dtype=_ours()) if binary else y
    loss_of = F.binary_cross_entropy if binary else F.cross_entropy

    def fast() -> float:
        optimizer.zero_grad()
        loss = loss_of(ours(xv), yv)
        loss.backward()
        optimizer.step()
        return loss.item()

    steps: dict[str, Step] = {"fast": fast}
    for name, dtype in _torch_kinds().items():
        model = theirs_of().to(dtype)
        with torch.no_grad():
            for p, w in zip(model.parameters(), weights):
                p.copy_(torch.from_numpy(w))
        torch_optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        xt = torch.tensor(x, dtype=dtype)
        yt = torch.tensor(y, dtype=dtype) if binary else torch.tensor(y)

        def step(model=model, torch_optimizer=torch_optimizer, xt=xt, yt=yt) -> float:
            torch_optimizer.zero_grad()
            torch_loss = (
                torch.nn.functional.binary_cross_entropy
                if binary
                else torch.nn.functional.cross_entropy
            )
            loss = torch_loss(model(xt), yt)
            loss.backward()
            torch_optimizer.step()
            return loss.item()

        steps[name] = step
    return steps


def mlp_2_100_100_1_model() -> nn.Module:
    """The MLP 2-100-100-1 with ReLUs and a sigmoid out, its weights from the current seed."""
    return nn.Sequential(
        nn.Linear(2, 100),
        nn.ReLU(),
        nn.Linear(100, 100),
        nn.ReLU(),
        nn.Linear(100, 1),
        nn.Sigmoid(),
    )


def mlp_2_100_100_1() -> dict[str, Step]:
    """The MLP 2-100-100-1 (ReLU, sigmoid) training step on xor, batch 256, BCE, SGD."""
    vg.manual_seed(0)
    data = vg.datasets.xor(n=256, seed=0, val_fraction=0.0)
    ours = mlp_2_100_100_1_model()

    def theirs():
        return torch.nn.Sequential(
            torch.nn.Linear(2, 100),
            torch.nn.ReLU(),
            torch.nn.Linear(100, 100),
            torch.nn.ReLU(),
            torch.nn.Linear(100, 1),
            torch.nn.Sigmoid(),
        )

    return _training_steps(ours, theirs, data.x, data.y, lr=0.1, binary=True)


def mlp_784() -> dict[str, Step]:
    """An MLP 784-256-10 training step, batch 128, cross-entropy, SGD."""
    vg.manual_seed(0)
    rng = np.random.default_rng(4)
    x, y = rng.random((128, 784)), rng.integers(0, 10, size=128)
    ours = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))

    def theirs():
        return torch.nn.Sequential(
            torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10)
        )

    return _training_steps(ours, theirs, x, y, lr=0.1)


def digits_cnn() -> dict[str, Step]:
    """The digits sample's CNN (conv 8 3x3, ReLU, 2x2 max pool, Linear 72-10), batch 64."""
    vg.manual_seed(0)
    data = vg.datasets.digits(n=64, seed=0, val_fraction=0.0)
    x, y = data.x, data.y
    ours = nn.Sequential(
        nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(72, 10)
    )

    def theirs():
        return torch.nn.Sequential(
            torch.nn.Conv2d(1, 8, 3),
            torch.nn.ReLU(),
            torch.nn.MaxPool2d(2),
            torch.nn.Flatten(),
            torch.nn.Linear(72, 10),
        )

    return _training_steps(ours, theirs, x, y, lr=0.1)


def measure(
    contender: str,
    timer: Callable[[dict[str, Step], int, int], dict[str, float]],
    quick: bool = False,
):
    """Seconds per step of every workload for ``contender`` alone, as {workload: seconds};
    ``quick`` times each once (to see that it runs: the numbers mean little)."""
    global torch, _wanted
    _wanted = contender
    if not contender.startswith("fast"):
        import torch as imported

        torch = imported
    plan = [
        *((name, steps, 9, 10) for name, steps in row_functions().items()),
        ("conv2d_32x16x28x28", conv2d(), 7, 2),
        ("mlp_2_100_100_1_step", mlp_2_100_100_1(), 9, 20),
        ("mlp_784_256_10_step", mlp_784(), 9, 10),
        ("digits_cnn_step", digits_cnn(), 9, 20),
        ("add_1_element", one_element_add(), 9, 2000),
    ]
    seconds = {}
    ours = "fast" if contender.startswith("fast") else contender  # fast32's step is "fast"
    for name, steps, repeat, number in plan:
        repeat, number = (1, 1) if quick else (repeat, number)
        seconds[name] = timer({contender: steps[ours]}, repeat, number)[contender]
    return seconds

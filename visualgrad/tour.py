"""A walk through the engine in the terminal: ``visualgrad tour``.

The chain rule on the course's worked example, then a small network learning
xor, printed step by step; the window shows both on the bundled samples.
"""

from __future__ import annotations

import sys
import time

from visualgrad import __version__


def main(out=sys.stdout) -> int:
    from visualgrad import engine as vg
    from visualgrad.engine import datasets, nn
    from visualgrad.engine.nn import functional as F

    backend = vg.backends.default()
    print(f"visualgrad {__version__} - engine tour on the {backend!r} backend", file=out)
    print("\n1. The chain rule: e = (a + b) * (b + 1) at a = 2, b = 1", file=out)
    a = vg.tensor(2.0, requires_grad=True)
    b = vg.tensor(1.0, requires_grad=True)
    c, d = a + b, b + 1
    e = c * d
    e.backward()
    print(
        f"   forward:  c = a + b = {c.item():g},  d = b + 1 = {d.item():g},  "
        f"e = c * d = {e.item():g}",
        file=out,
    )
    print(f"   backward: de/da = de/dc * dc/da = {d.item():g} * 1 = {a.grad.item():g}", file=out)
    print(
        f"             de/db = de/dc * dc/db + de/dd * dd/db = {d.item():g} * 1 + {c.item():g} * 1"
        f" = {b.grad.item():g}   (two paths meet at b: their gradients add)",
        file=out,
    )

    print("\n2. A 2-16-1 ReLU network learns xor (100 points, Adam, lr 0.05)", file=out)
    data = datasets.xor(n=100, seed=0, val_fraction=0.0)
    vg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid())
    optimizer = vg.optim.Adam(model.parameters(), lr=0.05)
    x, y = vg.tensor(data.x), vg.tensor(data.y)
    start = time.perf_counter()
    for step in range(1, 401):
        optimizer.zero_grad()
        loss = F.binary_cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        if step % 80 == 0:
            with vg.no_grad():
                accuracy = ((model(x).to_numpy() > 0.5) == (data.y > 0.5)).mean()
            print(f"   step {step:3d}  loss {loss.item():.4f}  accuracy {accuracy:.0%}", file=out)
    print(f"   trained in {time.perf_counter() - start:.1f} s", file=out)
    print(
        "\nIn the window, step through both and watch the network train:"
        " `visualgrad chain_rule`, `visualgrad xor`",
        file=out,
    )
    return 0

"""One element's row of the Jacobian: what one output element depends on, and how much.

For one element ``out[i, j]`` of a node's output, one backward pass seeded with 1 at that
element (0 elsewhere) gives ``d out[i, j] / d in[k, l]`` for every element of every
upstream tensor at once: the nodes' outputs it is computed from and the learnable
tensors on the way. The non-zero entries are the elements it depends on: a row of ``a``
and a column of ``b`` for a matrix product, the receptive field for a convolution. This
is MiniTorch's map / zip / reduce lesson, element by element.

For an element of the gradient ``dL/d out[i, j]`` the same row says where that gradient
goes next: upstream element ``in[k, l]`` receives ``dL/d out[i, j] * d out[i, j] / d in[k, l]``
of its own gradient through it (the chain rule, one term of its sum).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .. import engine as vg
from ..engine import Tensor
from .execute import Program
from .summaries import number

KINDS = ("value", "gradient")


@dataclass
class Upstream:
    """One upstream tensor: a node's output (``name`` None) or a node's learnable tensor."""

    node: str
    name: str | None
    row: np.ndarray  # d out[index] / d this tensor, shaped like it
    value: np.ndarray  # the tensor itself, on this pass

    @property
    def label(self) -> str:
        return self.node if self.name is None else f"{self.node}.{self.name}"

    @property
    def depends(self) -> np.ndarray:
        """The elements ``out[index]`` depends on: where the row is not zero."""
        return self.row != 0


@dataclass
class JacobianRow:
    node: str
    index: tuple[int, ...]
    kind: str  # "value": of out[index]; "gradient": of dL/d out[index]
    value: float  # out[index], or dL/d out[index]
    upstream: list[Upstream]

    def entries(self) -> list[tuple[Upstream, tuple[int, ...], float]]:
        """Every non-zero d out[index] / d in[k, l]: the tensor, (k, l) and the number."""
        found = []
        for up in self.upstream:
            for at in zip(*np.nonzero(up.depends), strict=True):
                at = tuple(int(k) for k in at)
                found.append((up, at, float(up.row[at])))
        return found

    def entry_text(self, up: Upstream, at: tuple[int, ...], derivative: float) -> str:
        """One line of the list: ``d out[i,j] / d in[k,l] = 0.25``; for a gradient, then the
        share of in[k, l]'s gradient that comes through this element: ``× dL/d out[i,j] → ...``."""
        out, into = f"{self.node}{index_text(self.index)}", f"{up.label}{index_text(at)}"
        line = f"d {out} / d {into} = {number(derivative)}"
        if self.kind == "gradient":
            line += f"   × dL/d{out} → {number(self.value * derivative)} of dL/d{into}"
        return line


def index_text(at: tuple[int, ...]) -> str:
    """An element's index as the list writes it: ``[1,2]``."""
    return "[" + ",".join(str(k) for k in at) + "]"


def ancestors(program: Program, node_id: str) -> list[str]:
    """The nodes ``node_id`` is computed from, in topological order."""
    seen, stack = set(), [node_id]
    while stack:
        for edge in program.graph.edges_into(stack.pop()).values():
            if edge.source not in seen:
                seen.add(edge.source)
                stack.append(edge.source)
    return [n for n in program.order if n in seen]


def _pass(program: Program, batch: Mapping[str, Tensor]) -> dict[str, Tensor]:
    for p in program.parameters():
        p.zero_grad_()
    values, _ = program.forward(batch, sources_require_grad=True)
    for value in values.values():
        if value.requires_grad:
            value.retain_grad()
    return values


def jacobian_row(
    program: Program,
    batch: Mapping[str, Tensor],
    node_id: str,
    index: tuple[int, ...],
    kind: str = "value",
) -> JacobianRow:
    """The row of the Jacobian of ``node_id``'s output element ``index`` on ``batch``,
    with respect to every upstream node output and learnable tensor."""
    if kind not in KINDS:
        raise ValueError(f"expected a kind among {', '.join(KINDS)}, got {kind!r}")
    values = _pass(program, batch)
    if node_id not in values:
        raise ValueError(f"{node_id!r}: no such node in this pass")
    out = values[node_id]
    index = tuple(int(k) for k in index)
    if len(index) != out.dims or any(not 0 <= k < n for k, n in zip(index, out.shape, strict=True)):
        raise ValueError(f"{node_id}: index {index} is outside its output of shape {out.shape}")
    if not out.requires_grad:
        raise ValueError(f"{node_id}: its value depends on nothing that has a gradient")
    value = float(out.to_numpy()[index])
    if kind == "gradient":
        loss = program.loss(values)
        loss.backward()
        value = float(out.grad.to_numpy()[index]) if out.grad is not None else 0.0
        values = _pass(program, batch)
        out = values[node_id]
    seed = np.zeros(out.shape)
    seed[index] = 1.0
    out.backward(vg.tensor(seed, backend=program.backend))
    upstream = []
    for source in ancestors(program, node_id):
        tensor = values.get(source)
        if tensor is not None and tensor.grad is not None:
            upstream.append(Upstream(source, None, tensor.grad.to_numpy(), tensor.to_numpy()))
    for owner in [*ancestors(program, node_id), node_id]:
        if program.graph.nodes[owner].spec.role == "source":
            continue  # a Parameter node's tensor is its output, listed above
        for name, p in program.weights.get(owner, {}).items():
            if p.grad is not None:
                upstream.append(Upstream(owner, name, p.grad.to_numpy(), p.to_numpy()))
    for p in program.parameters():
        p.zero_grad_()
    return JacobianRow(node_id, index, kind, value, upstream)

"""One element's row of the Jacobian: what one output element depends on, and how much.

For one element ``out[i, j]`` of a node's output, one backward pass seeded with 1 at that
element (0 elsewhere) gives ``d out[i, j] / d in[k, l]`` for every element of every
upstream tensor at once: the nodes' outputs it is computed from and the learnable
tensors on the way. Which elements it depends on is worked out apart from the numbers
(a derivative can be 0 at this point, under a ReLU that is off, and the element still be
connected): the same backward pass at probe points, where every input and learnable
tensor is drawn positive at random, lights a row of ``a`` and a column of ``b`` for a
matrix product and the receptive field for a convolution, whatever the values. This is
MiniTorch's map / zip / reduce lesson, element by element.

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
from .catalog import TENSOR
from .execute import Program
from .graph import Graph
from .summaries import number

KINDS = ("value", "gradient")
PROBES = 2  # random positive points whose derivatives together say what is connected


@dataclass
class Upstream:
    """One upstream tensor: a node's output (``name`` None) or a node's learnable tensor."""

    node: str
    name: str | None
    row: np.ndarray  # d out[index] / d this tensor, shaped like it
    value: np.ndarray  # the tensor itself, on this pass
    depends: np.ndarray  # the elements out[index] is computed from, whatever the derivative

    @property
    def label(self) -> str:
        return self.node if self.name is None else f"{self.node}.{self.name}"

    @property
    def flat(self) -> np.ndarray:
        """The connected elements whose derivative is 0 at this point (a ReLU that is off)."""
        return self.depends & (self.row == 0)


@dataclass
class JacobianRow:
    node: str
    index: tuple[int, ...]
    kind: str  # "value": of out[index]; "gradient": of dL/d out[index]
    value: float  # out[index], or dL/d out[index]
    upstream: list[Upstream]

    def entries(self) -> list[tuple[Upstream, tuple[int, ...], float]]:
        """Every d out[index] / d in[k, l] of a connected element (0 included): the tensor,
        (k, l) and the number."""
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
        if derivative == 0:
            line += "   (connected, derivative 0 here)"
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
    rows = _backward_from(program, values, node_id, index)
    connected = _connected(program, batch, node_id, index)
    upstream = [
        Upstream(key[0], key[1], grad, tensor, connected.get(key, grad != 0) | (grad != 0))
        for key, (grad, tensor) in rows.items()
    ]
    return JacobianRow(node_id, index, kind, value, upstream)


def _backward_from(
    program: Program, values: dict[str, Tensor], node_id: str, index: tuple[int, ...]
) -> dict[tuple[str, str | None], tuple[np.ndarray, np.ndarray]]:
    """d out[index] / d each upstream tensor, with the tensor, by (node, weight name)."""
    out = values[node_id]
    seed = np.zeros(out.shape)
    seed[index] = 1.0
    out.backward(vg.tensor(seed, backend=program.backend))
    found = {}
    for source in ancestors(program, node_id):
        tensor = values.get(source)
        if tensor is not None and tensor.grad is not None:
            found[source, None] = (tensor.grad.to_numpy(), tensor.to_numpy())
    for owner in [*ancestors(program, node_id), node_id]:
        if program.graph.nodes[owner].spec.role == "source":
            continue  # a Parameter node's tensor is its output, listed above
        for name, p in program.weights.get(owner, {}).items():
            if p.grad is not None:
                found[owner, name] = (p.grad.to_numpy(), p.to_numpy())
    for p in program.parameters():
        p.zero_grad_()
    return found


def _connected(
    program: Program, batch: Mapping[str, Tensor], node_id: str, index: tuple[int, ...]
) -> dict[tuple[str, str | None], np.ndarray]:
    """Where out[index] is connected to each upstream tensor: the elements whose derivative
    is not 0 at one of ``PROBES`` points where every input and learnable tensor is positive
    (each ReLU on, no product through a 0), the ones that feed an index port kept as they are."""
    rng = np.random.default_rng(0)
    found: dict[tuple[str, str | None], np.ndarray] = {}
    for _ in range(PROBES):
        probe = Program(program.graph, program.backend)
        for ws in probe.weights.values():
            for p in ws.values():
                p.data = vg.tensor(rng.uniform(0.5, 1.5, p.shape), backend=probe.backend).data
        moved = {
            key: vg.tensor(rng.uniform(0.5, 1.5, t.shape), backend=probe.backend)
            if _numeric(program.graph, key)
            else t
            for key, t in batch.items()
        }
        try:
            rows = _backward_from(probe, _pass(probe, moved), node_id, index)
        except ValueError:  # a node that refuses the probe's values: the numbers' row alone
            return {}
        for key, (grad, _) in rows.items():
            lit = np.nan_to_num(grad) != 0
            found[key] = found[key] | lit if key in found else lit
    return found


def _numeric(graph: Graph, key: str) -> bool:
    """Whether the batch's ``key`` is read as numbers only (not as indices or a target)."""
    readers = [n.id for n in graph if n.spec.batch == key]
    for reader in readers:
        for edge in graph.edges_from(reader):
            port = next(
                p for p in graph.nodes[edge.target].spec.inputs if p.name == edge.target_port
            )
            if port.kind != TENSOR:
                return False
    return bool(readers)

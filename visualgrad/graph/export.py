"""Export: a graph as one standalone PyTorch script that gives the same loss.

The script holds an ``nn.Module`` whose layers are named by node id and whose
``forward`` follows the graph in topological order, the parameter values the
graph starts from (or was trained to), the dataset, and the training loop with
the graph's optimizer, learning rate, batch size and epochs; launched by
``torchrun`` it trains with DistributedDataParallel. Each node's PyTorch form
comes from its catalog entry (``NodeType.torch``).
"""

from __future__ import annotations

import base64
import keyword
import textwrap
import zlib

import numpy as np

from .data import dataset_for
from .execute import Program
from .graph import Graph, GraphError, Node
from .groups import check_closed, ports

# Names the generated code uses itself, and the attributes every nn.Module already has.
_TAKEN_NAMES = {"self", "inputs", "targets", "torch", "nn", "F"}
_MODULE_ATTRIBUTE_NAMES = (
    "T_destination add_module apply bfloat16 buffers call_super_init children compile cpu "
    "cuda double dump_patches eval extra_repr float forward get_buffer get_extra_state "
    "get_parameter get_submodule half ipu load_state_dict modules mtia named_buffers "
    "named_children named_modules named_parameters parameters register_backward_hook "
    "register_buffer register_forward_hook register_forward_pre_hook "
    "register_full_backward_hook register_full_backward_pre_hook "
    "register_load_state_dict_post_hook register_load_state_dict_pre_hook register_module "
    "register_parameter register_state_dict_post_hook register_state_dict_pre_hook "
    "requires_grad_ set_extra_state set_submodule share_memory state_dict to to_empty train "
    "training type xpu zero_grad"
)
_MODULE_ATTRIBUTES = set(_MODULE_ATTRIBUTE_NAMES.split())
_LITERAL_LENGTH = 72  # arrays this short are written as literals, longer ones packed


def to_torch(graph: Graph) -> str:
    """The PyTorch script of ``graph``; GraphError or ValueError when it cannot be exported.

    Each group becomes an ``nn.Module`` class of its own, used by ``Model`` as a submodule
    that takes what crosses into the group and returns what is read outside it.
    """
    program = Program(graph)
    if program.loss_node is None:
        raise GraphError("the graph needs exactly one Loss node to be exported")
    program.check_inputs()
    for node in graph:
        if node.spec.torch is None:
            raise GraphError(f"{node.describe()}: {node.type} has no PyTorch form")
    for group in graph.groups:
        check_closed(graph, group.members, group.name)
    names = _variable_names(graph)
    main = _Code()
    classes: list[str] = []
    for unit, node_ids in _units(graph, program.order):
        if unit is None:
            main.add(graph, program, names, node_ids[0])
            continue
        attribute, code = names[unit], _Code(f"{names[unit]}.")
        for node_id in node_ids:
            code.add(graph, program, names, node_id)
        crossing = ports(graph, node_ids)
        reads = [*dict.fromkeys(names[e.source] for e in crossing.inputs)]
        reads += [
            s for s, kind in (("inputs", "x"), ("targets", "y")) if _reads(graph, node_ids, kind)
        ]
        gives = [*dict.fromkeys(names[e.source] for e in crossing.outputs)]
        if program.loss_node in node_ids and names[program.loss_node] not in gives:
            gives.append(names[program.loss_node])
        class_name = _class_name(unit, classes)
        classes.append(_group_class(class_name, unit, code, reads, gives))
        main.layers.append(f"self.{attribute} = {class_name}()  # group {unit!r}")
        main.weights.update(code.weights)
        call = f"self.{attribute}({', '.join(reads)})"
        main.forward.append(f"{', '.join(gives)} = {call}" if gives else call)
    main.forward.append(f"return {names[program.loss_node]}")
    data = dataset_for(graph.training, graph.data)
    text = "".join(main.forward) + "".join(classes)
    functional = "import torch.nn.functional as F\n" if "F." in text else ""
    return _SCRIPT.format(
        functional=functional,
        settings=_settings(graph),
        groups="".join(f"{c}\n\n" for c in classes),
        layers=_indented(main.layers or ["pass"], 8),
        forward=_indented(main.forward, 8),
        weights=_indented([f'"{k}": {_array(v)},' for k, v in main.weights.items()], 4),
        train_x=_array(_in(data.x, graph.training.dtype)),
        train_y=_array(_in(data.y, graph.training.dtype)),
        dtype=graph.training.dtype,
    )


class _Code:
    """The lines of one module's ``__init__`` and ``forward``, and its state-dict values."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix  # of its state-dict keys: the submodule's attribute and a dot
        self.layers: list[str] = []
        self.forward: list[str] = []
        self.weights: dict[str, np.ndarray] = {}

    def add(self, graph: Graph, program: Program, names: dict[str, str], node_id: str) -> None:
        """The lines that compute ``node_id``, in the order of the graph."""
        node = graph.nodes[node_id]
        template = _template(node)
        name = names[node_id]
        if node.spec.learnable:
            self.layers.extend(
                _commented(f"self.{name} = {template.format(**node.params)}", node.type)
            )
            for weight, value in program.weights[node_id].items():
                key = name if not node.spec.inputs else f"{name}.{weight}"
                self.weights[self.prefix + key] = value.to_numpy()
            call = ", ".join(names[e.source] for e in _inputs(graph, node))
            expression = f"self.{name}({call})" if node.spec.inputs else f"self.{name}"
        else:
            sources = {port: names[e.source] for port, e in graph.edges_into(node_id).items()}
            expression = template.format(**node.params, **sources)
        self.forward.extend(_commented(f"{name} = {expression}", node.type))


def _units(graph: Graph, order: list[str]) -> list[tuple[str | None, list[str]]]:
    """The order in runs: (None, [a node outside any group]) or (group, its members)."""
    units: list[tuple[str | None, list[str]]] = []
    for node_id in order:
        group = graph.groups.group_of(node_id)
        if group is not None and units and units[-1][0] == group:
            units[-1][1].append(node_id)
        else:
            units.append((group, [node_id]))
    return units


def _reads(graph: Graph, node_ids: list[str], batch: str) -> bool:
    """Whether a node among ``node_ids`` hands out the batch's ``batch`` ("x" or "y")."""
    return any(graph.nodes[n].spec.batch == batch for n in node_ids)


def _class_name(group: str, taken: list[str]) -> str:
    """``Block`` for the group ``block``: CamelCase, then ``Group``, unique among ``taken``."""
    base = "".join(part.capitalize() for part in group.split("_")) + "Group"
    name, n = base, 1
    while any(c.startswith(f"class {name}(") for c in taken):
        n += 1
        name = f"{base}{n}"
    return name


def _group_class(name: str, group: str, code: _Code, reads: list[str], gives: list[str]) -> str:
    arguments = "".join(f", {r}: torch.Tensor" for r in reads)
    result = {0: "None", 1: "torch.Tensor"}.get(len(gives), "tuple[torch.Tensor, ...]")
    returned = ", ".join(gives) or "None"
    return (
        f"class {name}(nn.Module):\n"
        f'    """The group {group!r}: its nodes, computed as one call."""\n\n'
        "    def __init__(self) -> None:\n"
        "        super().__init__()\n"
        f"{_indented(code.layers or ['pass'], 8)}\n\n"
        f"    def forward(self{arguments}) -> {result}:\n"
        f"{_indented([*code.forward, f'return {returned}'], 8)}\n"
    )


def _template(node: Node) -> str:
    form = node.spec.torch
    return form(node.params) if callable(form) else form


def _inputs(graph: Graph, node: Node):
    edges = graph.edges_into(node.id)
    return [edges[port.name] for port in node.spec.inputs]


def _variable_names(graph: Graph) -> dict[str, str]:
    """Each node's and each group's name in the script: its id, with an underscore where
    Python or torch already uses it."""
    names: dict[str, str] = {}
    for key in [*graph.nodes, *(g.name for g in graph.groups)]:
        name = key
        while (
            keyword.iskeyword(name)
            or name in _TAKEN_NAMES
            or name in _MODULE_ATTRIBUTES
            or name in names.values()
        ):
            name += "_"
        names[key] = name
    return names


def _settings(graph: Graph) -> str:
    s = graph.training
    return "\n".join(
        [
            f'OPTIMIZER = "{s.optimizer}"',
            f"LEARNING_RATE = {s.learning_rate!r}",
            f"MOMENTUM = {s.momentum!r}  # SGD only",
            f"BATCH_SIZE = {s.batch_size!r}",
            f"EPOCHS = {s.epochs!r}",
            f"SEED = {s.seed!r}  # the batches of an epoch are shuffled by SEED and the epoch",
            f"# dataset {s.dataset}: {s.dataset_size} examples drawn with seed "
            f"{s.dataset_seed}, {s.val_fraction:g} held out for validation",
        ]
    )


def _array(value: np.ndarray, indent: str = "") -> str:
    """Python source for ``value``: a literal when small, else its bytes compressed."""
    value = np.ascontiguousarray(value)
    dtype, shape = value.dtype.name, tuple(value.shape)
    literal = f"np.array({value.reshape(-1).tolist()!r}, dtype=np.{dtype}).reshape({shape})"
    if len(literal) <= _LITERAL_LENGTH:
        return literal
    packed = base64.b64encode(zlib.compress(value.tobytes(), 9)).decode("ascii")
    lines = "".join(f'{indent}    "{chunk}"\n' for chunk in textwrap.wrap(packed, 88))
    return f'unpack(\n{indent}    "{dtype}",\n{indent}    {shape},\n{lines[:-1]},\n{indent})'


def _in(values: np.ndarray, dtype: str) -> np.ndarray:
    """Floating-point ``values`` in the dtype the graph trains in (whole numbers as they are)."""
    return values.astype(dtype) if values.dtype.kind == "f" else values


def _commented(line: str, comment: str, width: int = 100 - 8) -> list[str]:
    """``line  # comment``, or the comment on a line of its own where that would be too long."""
    if len(line) + len(comment) + 4 <= width:
        return [f"{line}  # {comment}"]
    return [f"# {comment}", line]


def _indented(lines: list[str], spaces: int) -> str:
    return textwrap.indent("\n".join(lines), " " * spaces)


_SCRIPT = '''\
"""A visualgrad graph exported to PyTorch.

    python THIS.py --check           the loss of one forward pass on the first batch, as JSON
    python THIS.py --epochs N        train and print the loss of each epoch
    torchrun --nproc_per_node=2 THIS.py
                                     train with DistributedDataParallel, one shard per process

The parameters start from the values the graph holds, and the data is embedded at
the bottom of the file, so this script needs only numpy and torch.
"""

import argparse
import base64
import json
import math
import os
import zlib

import numpy as np
import torch
import torch.distributed as dist
{functional}from torch import nn
from torch.nn.parallel import DistributedDataParallel

{settings}

torch.set_default_dtype(torch.{dtype})  # visualgrad trains this graph in {dtype}


{groups}class Model(nn.Module):
    """The graph: each node with learnable tensors is an attribute named by its id."""

    def __init__(self) -> None:
        super().__init__()
{layers}

    def forward(self, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """The loss of a batch: the nodes in topological order, each named by its id."""
{forward}


def shuffled(epoch: int) -> np.ndarray:
    """The order of the training examples in ``epoch``: the permutation visualgrad draws."""
    return np.random.default_rng(SEED * 100_003 + epoch).permutation(len(TRAIN_X))


def batch(index: np.ndarray, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.from_numpy(TRAIN_X[index]).to(device), torch.from_numpy(TRAIN_Y[index]).to(device)


def initial_model(device: torch.device) -> Model:
    """The model with the parameter values the graph starts from."""
    model = Model()
    model.load_state_dict({{key: torch.from_numpy(value) for key, value in WEIGHTS.items()}})
    return model.to(device)


def check(device: torch.device) -> None:
    """Print the loss of one forward pass on the first batch, as ``visualgrad run`` does."""
    model = initial_model(device).eval()
    with torch.no_grad():
        loss = model(*batch(shuffled(0)[:BATCH_SIZE], device))
    print(json.dumps({{"loss": loss.item()}}))


def train(epochs: int, device: torch.device) -> None:
    """Train for ``epochs``; under torchrun each process takes its own shard of each epoch."""
    distributed = dist.is_initialized()
    rank, world = (dist.get_rank(), dist.get_world_size()) if distributed else (0, 1)
    model = initial_model(device)
    if OPTIMIZER == "adam":
        optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM)
    if distributed:
        model = DistributedDataParallel(model)
    model.train()
    for epoch in range(epochs):
        # Like DistributedSampler: pad the order to a multiple of the processes, then deal it.
        order = shuffled(epoch)
        order = np.resize(order, math.ceil(len(order) / world) * world)[rank::world]
        total = torch.zeros(2, device=device)  # the sum of the batch losses, and their count
        for start in range(0, len(order), BATCH_SIZE):
            optimizer.zero_grad()
            loss = model(*batch(order[start : start + BATCH_SIZE], device))
            loss.backward()
            optimizer.step()
            total += torch.stack([loss.detach(), torch.ones((), device=device)])
        if distributed:
            dist.all_reduce(total)
        if rank == 0:
            print(f"epoch {{epoch + 1}}/{{epochs}}  loss {{(total[0] / total[1]).item():.6f}}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="print the first batch's loss")
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="epochs to train")
    args = parser.parse_args()
    distributed = "RANK" in os.environ and "WORLD_SIZE" in os.environ
    if torch.cuda.is_available():
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
        torch.cuda.set_device(device)
    else:
        device = torch.device("cpu")
    if device.type != "cpu":  # on the CPU it is the default already, and costs every op time
        torch.set_default_device(device)
    if args.check:
        check(device)
        return
    if distributed:
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    try:
        train(args.epochs, device)
    finally:
        if distributed:
            dist.destroy_process_group()


# ---- data ---------------------------------------------------------------------------------


def unpack(dtype: str, shape: tuple[int, ...], text: str) -> np.ndarray:
    """An array from its zlib-compressed, base64-encoded bytes."""
    return np.frombuffer(zlib.decompress(base64.b64decode(text)), dtype=dtype).reshape(shape).copy()


# The parameter values the graph starts from, by state-dict key.
WEIGHTS = {{
{weights}
}}

# The training split of the dataset: inputs and targets.
TRAIN_X = {train_x}
TRAIN_Y = {train_y}


if __name__ == "__main__":
    main()
'''

"""The front door: ``visualgrad [FILE]`` and its subcommands.

``check``, ``run`` and ``train`` work without a screen. Bad input (a file, a
graph, an argument) exits with status 2 and one line on stderr naming the
file, the node and the problem; never a traceback. Ctrl-C and SIGTERM end a
subcommand with one line and status 130 and 143, the progress line ended and no
file half written.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, NoReturn, TextIO

import numpy as np

from visualgrad import __version__


class BadInput(Exception):
    """A problem of the user's input: printed as one line, exit status 2."""


def _project(path: str) -> str:
    """The file a FILE argument means: the path itself, or the bundled sample of that name."""
    from visualgrad.graph import samples

    return str(samples.find(path))


def _load(path: str):
    from visualgrad.graph import fileformat

    try:
        return fileformat.load(_project(path))
    except fileformat.FileFormatError as error:
        raise BadInput(str(error)) from None
    except OSError as error:
        raise BadInput(f"{path}: {error.strerror or error}") from None


def _guarded(path: str, action):
    """Run ``action``, turning the document's and engine's refusals into BadInput."""
    from visualgrad.graph.execute import NodeError
    from visualgrad.graph.graph import GraphError

    try:
        return action()
    except (GraphError, NodeError, ValueError, TypeError) as error:
        raise BadInput(f"{path}: {error}") from None


def _check(args: argparse.Namespace) -> int:
    from visualgrad.graph.shapes import infer_shapes

    for path in args.files:
        graph = _load(path)
        report = infer_shapes(graph)
        if report.errors:
            raise BadInput(f"{path}: {next(iter(report.errors.values()))}")
        print(f"{path}: ok ({len(graph.nodes)} nodes, {len(graph.edges)} edges)")
    return 0


def _listed(array: np.ndarray) -> Any:
    return float(array) if array.ndim == 0 else array.tolist()


def _run(args: argparse.Namespace) -> int:
    from visualgrad.graph.data import pass_batch
    from visualgrad.graph.execute import Program

    graph = _load(args.file)

    def one_pass():
        program = Program(graph, args.backend)
        return program.trace(pass_batch(graph, program.backend))

    trace = _guarded(args.file, one_pass)
    gradients = {}
    for node in graph:
        if node.spec.role == "source" and node.spec.learnable:  # a Parameter
            gradients[node.id] = _listed(trace.weight_gradients[node.id]["value"])
        elif node.spec.role == "source" and node.id in trace.gradients:
            gradients[node.id] = _listed(trace.gradients[node.id])
    if args.json:
        print(json.dumps({"loss": trace.loss, "gradients": gradients}))
        return 0
    print(f"loss = {trace.loss:.6g}")
    for node_id, gradient in gradients.items():
        shown = f"{gradient:.6g}" if isinstance(gradient, float) else f"array {np.shape(gradient)}"
        print(f"dL/d{node_id} = {shown}")
    return 0


class _ProgressBar:
    """Training progress on stderr: on a terminal one bar, redrawn at most ten times a second;
    elsewhere (a log, a pipe) one plain line per finished epoch, at most one every two seconds."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.redrawn = self.stream.isatty()
        self.last, self.open_line = -math.inf, False

    def __call__(self, progress) -> None:
        now = time.perf_counter()
        done = progress.step / max(progress.total_steps, 1)
        epoch = f"epoch {progress.epoch}/{progress.epochs}"
        accuracy = "" if progress.accuracy is None else f"  accuracy {progress.accuracy:.1%}"
        if self.redrawn:
            if now - self.last < 0.1 and done < 1:
                return
            bar = "#" * int(30 * done) + "." * (30 - int(30 * done))
            self.stream.write(f"\r{epoch} [{bar}] loss {progress.loss:.4f}{accuracy}  ")
            self.open_line = True
        else:
            finished = len(progress.epoch_losses) == progress.epoch  # called after an epoch
            last = progress.epoch == progress.epochs
            if not finished or (now - self.last < 2 and not last):
                return
            self.stream.write(f"{epoch} loss {progress.epoch_losses[-1]:.4f}{accuracy}\n")
        self.last = now
        self.stream.flush()

    def close(self) -> None:
        """End a half-drawn bar's line, so that what follows starts a line of its own."""
        if self.open_line:
            self.stream.write("\n")
            self.stream.flush()
            self.open_line = False


def _writing(option: str, path: str, write: Callable[[], object]) -> None:
    """Run ``write``, turning a refused target or a failed write into BadInput naming the path."""
    from visualgrad.graph.fileformat import FileFormatError

    try:
        write()
    except FileFormatError as error:
        raise BadInput(str(error)) from None
    except OSError as error:
        where = path or f"{option} {path!r}"
        raise BadInput(f"{where}: cannot write: {error.strerror or error}") from None


def _train(args: argparse.Namespace) -> int:
    from visualgrad.graph import fileformat, runs, safe_files
    from visualgrad.graph.train import Trainer

    graph = _load(args.file)
    if args.save is not None:  # before training, so that no training is thrown away
        _writing("--save", args.save, lambda: safe_files.check_target(args.save))
    if args.seed is not None:
        _guarded(args.file, lambda: graph.set_training(seed=args.seed))
    if args.dtype is not None:
        _guarded(args.file, lambda: graph.set_training(dtype=args.dtype))
    bar = None if args.quiet else _ProgressBar()
    recorder = runs.EpochRecorder(bar)
    trainer = _guarded(args.file, lambda: Trainer(graph, args.backend, recorder))
    try:
        result = _guarded(args.file, lambda: trainer.run(args.epochs))
    finally:
        if bar is not None:
            bar.close()
    if args.save is not None:
        label = f"command line, {time.strftime('%Y-%m-%d %H:%M')}"
        run = runs.make_run(label, graph.training, result.loss, *recorder.curves())
        graph.set_runs(runs.kept(list(graph.runs), run, runs.MAX_SAVED_RUNS))
        _writing("--save", args.save, lambda: fileformat.save(graph, args.save))
    summary = {
        "epochs": result.epochs,
        "loss": result.loss,
        "accuracy": result.accuracy,
        "val_accuracy": result.val_accuracy,
        "seconds": round(result.seconds, 3),
    }
    if args.json:
        print(json.dumps(summary))
    else:
        shown = {k: v for k, v in summary.items() if k != "loss"}
        print(
            f"final loss {result.loss[-1]:.6g}; " + ", ".join(f"{k} {v}" for k, v in shown.items())
        )
    return 0


def _export(args: argparse.Namespace) -> int:
    from visualgrad.graph import safe_files
    from visualgrad.graph.export import to_torch

    graph = _load(args.file)
    script = _guarded(args.file, lambda: to_torch(graph)).encode("utf-8")
    _writing("-o", args.output, lambda: safe_files.write_atomically(args.output, script))
    print(f"{args.file}: wrote {args.output}")
    return 0


def _samples(args: argparse.Namespace) -> int:
    from visualgrad.graph import samples

    if args.copy is not None:
        try:
            copies = samples.copy_to(args.copy)
        except (FileExistsError, NotADirectoryError) as error:
            raise BadInput(str(error)) from None
        except OSError as error:
            raise BadInput(f"{args.copy}: {error.strerror or error}") from None
        print(f"wrote {len(copies)} samples to {args.copy}")
        return 0
    bundled = samples.samples()
    width = max((len(s.name) for s in bundled), default=0)
    for sample in bundled:
        summary = sample.description.split(". ")[0].split(": ")[0].rstrip(".")
        if len(summary) > 72:
            summary = summary[:69].rsplit(" ", 1)[0] + "..."
        print(f"{sample.name:<{width}}  {summary}")
    print("open one with `visualgrad NAME`, or copy them all with `visualgrad samples --copy DIR`")
    return 0


def _tour(args: argparse.Namespace) -> int:
    from visualgrad import tour

    return tour.main()


def _install_desktop(args: argparse.Namespace) -> int:
    from visualgrad import desktop

    try:
        outcome = desktop.uninstall() if args.uninstall else desktop.install()
    except OSError as error:
        where = error.filename or desktop.data_home()
        raise BadInput(f"{where}: {error.strerror or error}") from None
    print("\n".join(outcome.report("removed" if args.uninstall else "wrote")))
    return 0


def _window(args: argparse.Namespace) -> int:
    """The window, on FILE or on the sample gallery; a bad FILE is refused before Qt starts."""
    if args.file is not None:
        _load(args.file)
    try:
        from visualgrad.ui.app import has_screen, run
    except ImportError as error:
        raise BadInput(f"the window needs PySide6 and pyqtgraph: {error}") from None
    if not has_screen():
        raise BadInput(
            "no screen to open the window on (DISPLAY is not set): run it on a desktop, or "
            "under a virtual one with xvfb-run; check, run, train and export work without"
        )
    return run(None if args.file is None else _project(args.file))


class _Parser(argparse.ArgumentParser):
    """argparse whose refusals are BadInput, one line; ``--help`` still prints the usage."""

    def error(self, message: str) -> NoReturn:
        raise BadInput(f"{message}; see '{self.prog} --help'")


def _command(commands, name: str, handler, help: str, file: bool = False):  # noqa: A002
    """A subcommand that runs ``handler``; with ``file``, it takes a FILE first."""
    command = commands.add_parser(name, help=help)
    if file:
        command.add_argument("file", metavar="FILE")
    command.set_defaults(handler=handler)
    return command


def _backend_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", choices=("simple", "fast", "cuda"), default=None)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="visualgrad",
        description="See backpropagation: graphs, step-by-step gradients, live training.",
    )
    parser.add_argument("--version", action="version", version=f"visualgrad {__version__}")
    parser.set_defaults(handler=_window, file=None)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    _command(commands, "tour", _tour, "a walk through the engine in the terminal")

    check = _command(commands, "check", _check, "validate project files")
    check.add_argument("files", nargs="+", metavar="FILE")

    run = _command(commands, "run", _run, "one forward and backward pass on the first batch", True)
    run.add_argument("--json", action="store_true", help="print one JSON object")
    _backend_option(run)

    train = _command(commands, "train", _train, "train the graph with its saved settings", True)
    train.add_argument("--epochs", type=int, default=None, help="override the saved epochs")
    _backend_option(train)
    train.add_argument("--seed", type=int, default=None, help="override the saved seed")
    train.add_argument(
        "--dtype", choices=("float64", "float32"), default=None, help="override the saved dtype"
    )
    train.add_argument("--json", action="store_true", help="print a JSON summary as the last line")
    train.add_argument("--save", metavar="OUT", help="write the trained graph to OUT")
    train.add_argument("--quiet", action="store_true", help="no progress bar")

    listed = _command(commands, "samples", _samples, "list the bundled sample projects")
    listed.add_argument("--copy", metavar="DIR", help="write them into DIR for editing")

    export = _command(
        commands, "export", _export, "write the graph as a standalone PyTorch script", True
    )
    export.add_argument("--to", choices=("torch",), default="torch", help="the target framework")
    export.add_argument("-o", "--output", metavar="OUT", required=True, help="the script to write")

    desktop = _command(
        commands,
        "install-desktop",
        _install_desktop,
        "add visualgrad and its .vgraph files to the desktop's menus",
    )
    desktop.add_argument("--uninstall", action="store_true", help="remove what it added")
    return parser


COMMANDS = ("tour", "check", "run", "train", "samples", "export", "install-desktop")


def _arguments(argv: list[str]) -> argparse.Namespace:
    """What ``argv`` asks for; BadInput for arguments that do not make sense."""
    if argv and not argv[0].startswith("-") and argv[0] not in COMMANDS:
        if len(argv) > 1:
            raise BadInput(f"unexpected arguments after {argv[0]}: {' '.join(argv[1:])}")
        return argparse.Namespace(handler=_window, file=argv[0])  # visualgrad FILE
    args = build_parser().parse_args(argv)
    if getattr(args, "epochs", None) is not None and args.epochs < 1:
        raise BadInput("--epochs must be at least 1")
    return args


class Terminated(BaseException):
    """SIGTERM, raised where the program is, so that it unwinds as Ctrl-C's KeyboardInterrupt."""


@contextlib.contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """Inside, SIGTERM raises Terminated: a half-written file is removed, the bar's line ended."""
    if threading.current_thread() is not threading.main_thread():  # signals reach only that one
        yield
        return

    def terminate(signum: int, frame: object) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = _arguments(argv)
        if args.handler is _window:  # Qt's event loop ends the window its own way
            return args.handler(args)
        with _sigterm_unwinds():
            return args.handler(args)
    except BadInput as error:
        print(f"visualgrad: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("visualgrad: interrupted", file=sys.stderr)
        return 130
    except Terminated:
        print("visualgrad: terminated", file=sys.stderr)
        return 143
    except BrokenPipeError:  # `visualgrad samples | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        return 141


if __name__ == "__main__":
    sys.exit(main())

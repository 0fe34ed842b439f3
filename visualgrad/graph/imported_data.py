"""A user's own dataset: read from a CSV or a ``.npy``/``.npz`` file, checked, and kept in
the project so that the file stays self-contained.

Reading refuses, with a one-line message, what training could not use: a file that is
too big, a cell that is not a number (named by its row and column), a missing value
(named by its row), a class target that is not a whole number. The arrays are stored in
the ``.vgraph`` as base64 of little-endian float64, which is exact and compact.
"""

from __future__ import annotations

import base64
import csv
import functools
import math
import os
import zipfile
from dataclasses import dataclass

import numpy as np

from ..engine.datasets import Dataset, _split_index

IMPORTED = "imported"  # the dataset name training settings use for a graph's own data
KINDS = ("class", "value")
MAX_FILE_BYTES = 20_000_000
MAX_VALUES = 2_000_000  # inputs and targets together
MAX_CLASSES = 1000


class DataError(ValueError):
    """Data that cannot be imported; the message names the file, row and column."""


@dataclass(frozen=True, eq=False)
class ImportedData:
    """Inputs ``x`` (n, d) float64 and targets ``y`` (n,) float64, with their names.

    ``kind`` is "class" (y holds whole class numbers 0..k-1) or "value" (regression).
    Immutable: an edit (a drawn point) makes a new one, so an undo step can keep the old.
    """

    name: str
    columns: tuple[str, ...]
    target: str
    kind: str
    x: np.ndarray
    y: np.ndarray

    def __post_init__(self) -> None:
        _check(self)
        self.x.setflags(write=False)
        self.y.setflags(write=False)

    @property
    def task(self) -> str:
        """The engine's task: binary for two classes, multiclass for more, else regression."""
        if self.kind == "value":
            return "regression"
        return "binary" if self.num_classes <= 2 else "multiclass"

    @property
    def num_classes(self) -> int | None:
        return None if self.kind == "value" else max(2, int(self.y.max(initial=0)) + 1)

    def describe(self) -> str:
        """One line for the training panel: rows, inputs and what the target is."""
        what = f"{self.num_classes} classes" if self.kind == "class" else "a value"
        return f"{self.name}: {len(self.x)} rows, {len(self.columns)} inputs, target {what}"

    def with_point(self, point: tuple[float, ...], label: float) -> ImportedData:
        """The same data with one more example."""
        x = np.vstack([self.x, np.asarray(point, dtype=np.float64).reshape(1, -1)])
        return self._with(x, np.append(self.y, float(label)))

    def without(self, index: int) -> ImportedData:
        """The same data without example ``index``."""
        keep = np.arange(len(self.x)) != index
        return self._with(self.x[keep], self.y[keep])

    def _with(self, x: np.ndarray, y: np.ndarray) -> ImportedData:
        return ImportedData(self.name, self.columns, self.target, self.kind, x, y)


def _check(data: ImportedData) -> None:
    if data.kind not in KINDS:
        raise DataError(f"the target kind must be class or value, got {data.kind!r}")
    x, y = data.x, data.y
    if x.dtype != np.float64 or y.dtype != np.float64 or x.ndim != 2 or y.ndim != 1:
        raise DataError("data: x must be (rows, inputs) and y (rows,), both float64")
    if len(x) != len(y):
        raise DataError(f"data: x has {len(x)} rows but y has {len(y)}")
    if len(data.columns) != x.shape[1]:
        raise DataError(f"data: {len(data.columns)} column names for {x.shape[1]} inputs")
    if x.size + y.size > MAX_VALUES:
        raise DataError(f"data: {x.size + y.size} values; the limit is {MAX_VALUES}")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise DataError("data: every value must be a finite number")
    if data.kind == "class":
        _check_classes(y, lambda i: f"row {i + 1}")


def _check_classes(y: np.ndarray, where) -> None:
    bad = np.flatnonzero((y != np.round(y)) | (y < 0) | (y >= MAX_CLASSES))
    if len(bad):
        raise DataError(
            f"{where(int(bad[0]))}: a class must be a whole number from 0 to "
            f"{MAX_CLASSES - 1}, got {y[bad[0]]:g}"
        )


# ---- reading files ---------------------------------------------------------------------------
def _size_checked(path: str) -> None:
    size = os.path.getsize(path)
    if size > MAX_FILE_BYTES:
        raise DataError(
            f"{path}: the file is {size / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB"
        )


def csv_columns(path: str | os.PathLike[str]) -> list[str]:
    """The names in a CSV file's header, for the user to pick inputs and the target."""
    source = os.fspath(path)
    header, _ = _read_csv(source)
    return header


def _read_csv(source: str) -> tuple[list[str], list[list[str]]]:
    try:
        _size_checked(source)
        with open(source, encoding="utf-8-sig", newline="") as file:
            rows = list(csv.reader(file))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise DataError(f"{source}: cannot be read: {error}") from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise DataError(f"{source}: the file is empty; a header row of column names comes first")
    header = [cell.strip() for cell in rows[0]]
    if len(set(header)) != len(header) or "" in header:
        raise DataError(f"{source}: the header needs a distinct name for every column")
    return header, rows[1:]


def from_csv(
    path: str | os.PathLike[str], inputs: list[str], target: str, kind: str
) -> ImportedData:
    """The columns ``inputs`` as x and ``target`` as y; rows are numbered as a spreadsheet
    shows them (the header is row 1)."""
    source = os.fspath(path)
    header, rows = _read_csv(source)
    unknown = [name for name in [*inputs, target] if name not in header]
    if unknown:
        raise DataError(f"{source}: no column {unknown[0]!r}; the columns are {', '.join(header)}")
    if not inputs:
        raise DataError(f"{source}: pick at least one input column")
    if target in inputs:
        raise DataError(f"{source}: {target!r} cannot be both an input and the target")
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise DataError(f"{source}: the file has a header but no rows of data")
    if len(rows) * (len(inputs) + 1) > MAX_VALUES:
        raise DataError(
            f"{source}: {len(rows)} rows of {len(inputs) + 1} columns is more than "
            f"{MAX_VALUES} values"
        )
    picked = [header.index(name) for name in [*inputs, target]]
    table = np.empty((len(rows), len(picked)), dtype=np.float64)
    for r, row in enumerate(rows):
        for c, column in enumerate(picked):
            table[r, c] = _number(row, column, header[column], r + 2, source)
    name = os.path.splitext(os.path.basename(source))[0]
    y = table[:, -1].copy()
    if kind == "class":
        _check_classes(y, lambda i: f"{source}: row {i + 2}, column {target!r}")
    return ImportedData(name, tuple(inputs), target, kind, table[:, :-1].copy(), y)


def _number(row: list[str], column: int, name: str, line: int, source: str) -> float:
    cell = row[column].strip() if column < len(row) else ""
    where = f"{source}: row {line}, column {name!r}"
    if cell == "" or cell.lower() in ("na", "nan", "null", "none"):
        raise DataError(f"{where}: a value is missing")
    try:
        value = float(cell)
    except ValueError:
        raise DataError(f"{where}: {cell!r} is not a number") from None
    if not math.isfinite(value):
        raise DataError(f"{where}: {cell!r} is not a finite number")
    return value


def from_numpy_file(path: str | os.PathLike[str], kind: str) -> ImportedData:
    """``.npz`` with arrays ``x`` (n, d) and ``y`` (n,) or (n, 1); or a ``.npy`` 2-D array
    whose last column is the target. Never unpickles."""
    source = os.fspath(path)
    try:
        _size_checked(source)
        _values_checked(source)
        loaded = np.load(source, allow_pickle=False)
        if isinstance(loaded, np.ndarray):
            if loaded.ndim != 2 or loaded.shape[1] < 2:
                raise DataError(
                    f"{source}: a .npy file holds one (rows, inputs + 1) array, the target last;"
                    f" got shape {loaded.shape}"
                )
            x, y = loaded[:, :-1], loaded[:, -1]
        else:
            with loaded:
                missing = [k for k in ("x", "y") if k not in loaded.files]
                if missing:
                    raise DataError(f"{source}: no array {missing[0]!r}; a .npz holds x and y")
                x, y = loaded["x"], loaded["y"]
    except DataError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise DataError(f"{source}: cannot be read: {error}") from None
    x, y = _numeric(x, "x", source), _numeric(y, "y", source)
    if x.ndim == 1:
        x = x.reshape(-1, 1)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.reshape(-1)
    if x.ndim != 2 or y.ndim != 1 or len(x) != len(y) or len(x) == 0:
        raise DataError(
            f"{source}: x must be (rows, inputs) and y (rows,) with rows > 0; "
            f"got {x.shape} and {y.shape}"
        )
    for label, array in (("x", x), ("y", y)):
        bad = np.argwhere(~np.isfinite(array.reshape(len(array), -1)))
        if len(bad):
            row = bad[0][0] + 1
            raise DataError(f"{source}: {label} row {row}: a value is missing or not finite")
    if kind == "class":
        _check_classes(y, lambda i: f"{source}: y row {i + 1}")
    columns = tuple(f"x{i + 1}" for i in range(x.shape[1]))
    name = os.path.splitext(os.path.basename(source))[0]
    return ImportedData(name, columns, "y", kind, np.ascontiguousarray(x), y.copy())


def _values_checked(source: str) -> None:
    """Refuse a file whose arrays hold more than MAX_VALUES, from their headers alone: a
    small compressed .npz can unpack into gigabytes."""
    if zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as archive:
            headers = [_header(archive.open(name)) for name in archive.namelist()]
    else:
        with open(source, "rb") as file:
            headers = [_header(file)]
    count = sum(math.prod(shape) for shape in headers)
    if count > MAX_VALUES:
        raise DataError(f"{source}: the arrays hold {count} values; the limit is {MAX_VALUES}")


def _header(file) -> tuple[int, ...]:
    """The shape an .npy stream's header gives, without reading its data."""
    version = np.lib.format.read_magic(file)
    if version == (1, 0):
        shape, _, _ = np.lib.format.read_array_header_1_0(file)
    else:
        shape, _, _ = np.lib.format.read_array_header_2_0(file)
    return tuple(shape)


def _numeric(array: np.ndarray, label: str, source: str) -> np.ndarray:
    if array.dtype.kind not in "biuf":
        raise DataError(f"{source}: {label} holds {array.dtype} values; numbers only")
    return array.astype(np.float64)


# ---- in the project file ---------------------------------------------------------------------
def to_data(data: ImportedData) -> dict:
    """The JSON object a ``.vgraph`` keeps: names and the arrays as base64 float64."""
    return {
        "name": data.name,
        "columns": list(data.columns),
        "target": data.target,
        "kind": data.kind,
        "rows": len(data.x),
        "x": _encode(data.x),
        "y": _encode(data.y),
    }


def from_data(value: object) -> ImportedData:
    """The data a ``.vgraph`` kept; DataError says what is wrong with it."""
    if not isinstance(value, dict):
        raise DataError("data must be an object")
    keys = {"name", "columns", "target", "kind", "rows", "x", "y"}
    if set(value) != keys:
        wrong = sorted(set(value) ^ keys)
        raise DataError(f"data: unexpected or missing key {wrong[0]!r}")
    rows, columns = value["rows"], value["columns"]
    if isinstance(rows, bool) or not isinstance(rows, int) or not 0 < rows <= MAX_VALUES:
        raise DataError(f"data: rows must be a whole number from 1 to {MAX_VALUES}")
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        raise DataError("data: columns must be a list of names")
    for key in ("name", "target", "kind"):
        if not isinstance(value[key], str):
            raise DataError(f"data: {key} must be text")
    x = _decode(value["x"], rows * len(columns), "x").reshape(rows, len(columns))
    y = _decode(value["y"], rows, "y")
    return ImportedData(value["name"], tuple(columns), value["target"], value["kind"], x, y)


def _encode(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f8").tobytes()).decode("ascii")


def _decode(text: object, count: int, label: str) -> np.ndarray:
    if not isinstance(text, str):
        raise DataError(f"data: {label} must be base64 text")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise DataError(f"data: {label} is not valid base64") from None
    if len(raw) != 8 * count:
        raise DataError(f"data: {label} holds {len(raw) // 8} numbers, expected {count}")
    return np.frombuffer(raw, dtype="<f8").astype(np.float64)


# ---- as a dataset to train on ----------------------------------------------------------------
@functools.lru_cache(maxsize=8)
def as_dataset(data: ImportedData, seed: int, val_fraction: float) -> Dataset:
    """All rows of ``data``, split by the seed as the built-in sets are (cached)."""
    rng = np.random.default_rng(seed)
    train, val = _split_index(len(data.x), val_fraction, rng)
    y = data.y.astype(np.int64) if data.task == "multiclass" else data.y.reshape(-1, 1)
    x, classes = data.x, data.num_classes
    return Dataset(data.name, data.task, x[train], y[train], x[val], y[val], classes)

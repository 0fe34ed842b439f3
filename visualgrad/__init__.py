"""visualgrad: see how neural networks compute and learn.

Three layers; an import only points down (``tests/test_layering.py`` keeps Qt in ``ui``):

- ``ui``: the Qt window (PySide6, pyqtgraph); it draws what ``graph``
  computes and turns gestures into edits of the document.
- ``graph``: the document, pure Python: node types, graph, file format, shapes,
  the traced run, training, export. Start at ``graph/catalog.py``.
- ``engine``: the autodiff tensor library, numpy and numba only. Start at
  ``engine/tensor.py``, then ``engine/autodiff.py``.

``cli.py`` is the front door. README.md ("Layout") maps the rest of the repository.
"""

__version__ = "0.1.0"

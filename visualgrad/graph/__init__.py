"""The document: the catalog of node types, the graph, its file format, running and training it.

Pure Python over the engine; nothing here imports Qt. Importing the package
fills the catalog (``node_types`` registers every entry).
"""

from . import node_types  # noqa: F401

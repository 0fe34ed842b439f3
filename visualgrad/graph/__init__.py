"""The document: the catalog of node types, the graph, its file format, running and training it.

Pure Python over the engine; nothing here imports Qt.
"""

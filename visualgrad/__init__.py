"""visualgrad: see how neural networks compute and learn.

The layers: ``engine`` (the autodiff tensor library), ``graph`` (the document),
``ui`` (the Qt window). See DESIGN.md in the shared notes for the map.
"""

__version__ = "0.1.0"

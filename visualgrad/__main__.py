"""``python -m visualgrad`` is the same program as the ``visualgrad`` command."""

import sys

from visualgrad.cli import main

if __name__ == "__main__":  # the training process imports this module again: it must not run
    sys.exit(main())

"""``python -m visualgrad`` is the same program as the ``visualgrad`` command."""

import sys

from visualgrad.cli import main

sys.exit(main())

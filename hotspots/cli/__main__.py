"""``python -m hotspots.cli``: the same as the ``hotspots`` console script."""

import sys

from hotspots.cli import main

sys.exit(main())

"""`python -m symla_lite.batch`: the batch's command line (see symla_lite.batch)."""

import sys

from symla_lite.batch.cli import main

sys.exit(main())

"""`python -m distillwatch`: the same as the `distillwatch` console script."""

import sys

from distillwatch.cli import main

sys.exit(main())

"""`python -m bench [--quick]`: every benchmark, one Markdown table (see bench/runner.py)."""

import sys

from bench.runner import main

sys.exit(main())

"""``python -m bench``: run every benchmark and rewrite docs/benchmarks.md."""
import sys

from bench.report import main

sys.exit(main())

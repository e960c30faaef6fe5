"""The naive way, for comparison only: every pytest process synthesizes its own plans.

Loaded by bench/synth_bench.py with `-p bench.naive_plugin`: each process (each xdist
worker too) gets a cache folder of its own, so nothing is shared or reused.
"""

import os
import tempfile


def pytest_configure(config):
    os.environ["TAP_CACHE_DIR"] = tempfile.mkdtemp(prefix="naive-plans-")

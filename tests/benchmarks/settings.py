"""Benchmark settings: the production settings (read from the environment bench.py sets) with the
URLconf that adds the floor view."""

from roadmap.settings import *  # noqa: F403

ROOT_URLCONF = "tests.benchmarks.urls"

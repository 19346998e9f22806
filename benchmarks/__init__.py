"""Benchmarks of issue 6 (not part of the test suite): run ``python benchmarks/run.py``."""

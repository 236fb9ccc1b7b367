"""Benchmarks of Wieści; `python -m bench` runs them (see docs/benchmarks.md)."""

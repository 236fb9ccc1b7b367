"""Throwaway servers for the test suite and the benchmarks.

Real components, started on loopback for one test run or one benchmark and
removed after it: a PostgreSQL cluster (`postgres`), a Redis server
(`redis`), and the helpers that wait for a server within a time limit
(`waiting`). `tests/` and `bench/` both import from here; the product never
does, and the package is not installed with it.
"""

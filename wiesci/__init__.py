"""Wieści: a hyperlocal news portal for a Polish town and its county."""

__version__ = "0.1.0"

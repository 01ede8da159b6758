"""Veille's static-site generator: config → sources → model → render → write."""

__version__ = "0.1.0"

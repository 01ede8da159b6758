"""Benchmarks of Veille against Pelican and Hugo (issue 9): ``make bench``.

``bench.corpus`` writes a seeded corpus for each tool, ``bench.measure`` times
commands (wall time, peak RSS of the process tree), ``bench.report`` prints one
markdown table, and ``python -m bench`` runs everything.
"""

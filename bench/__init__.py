"""The benchmark: each path of the product timed beside the raw SQL that does the same work.

Run it with `.venv/bin/python -m bench` (README, "Measuring speed"). A script, not a test: this
machine is shared, so each figure is a ratio of product and floor measured interleaved in one run.
"""

"""Benchmarks of the swarm as a user runs it: the real CLI in a subprocess, measured from
outside, next to a plain-Python loop that computes the same trades on the same bars.

Run from the repository root: ``python -m benchmarks.swarm_throughput`` (see README.md).
"""

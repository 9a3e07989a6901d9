"""Benchmarks of distill-detector: ``python -m benchmarks.suite`` (``make bench``) runs them all."""

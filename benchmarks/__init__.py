"""Benchmarks (`make bench`): data generator, runner, report. Never imported by the portal."""

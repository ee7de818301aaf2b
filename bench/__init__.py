"""Benchmarks of the platform against the real stack (`make bench`, `make bench-quick`); see docs/performance.md."""

"""Benchmarks of the portal: `make bench` runs them and prints one table (see README.md)."""

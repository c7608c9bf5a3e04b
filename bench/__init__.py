"""Benchmarks and quality evaluation of cari against its peers; see bench/report.py."""

"""City-scale benchmarks (性能基准): a synthetic city, its assessment and a DuckDB reference.

Run ``python -m benchmarks.run --size S``; see ``docs/benchmarks.md``. Nothing here is
imported by the product, and no test asserts a time.
"""

"""Side-by-side measurements of declaratiebot: `python -m bench` (see docs/benchmarks.md)."""

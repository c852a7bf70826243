"""The ``quality`` agent: data-quality checks on DuckDB tables, with a report."""

"""The ``quality`` agent: data-quality checks on warehouse tables, with a report."""

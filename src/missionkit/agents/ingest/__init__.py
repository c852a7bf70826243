"""The ``ingest`` agent: load CSV, Parquet or JSON files into a schema of the warehouse."""

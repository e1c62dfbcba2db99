"""Output tables (one schema, two stores): BigQuery in production, DuckDB as the embedded default."""

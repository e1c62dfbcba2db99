"""Saved analyst queries and views over the output tables, written once in BigQuery SQL (distillwatch/sql/).

`catalogue`: the files and their parameters; `dialects`: rendering and running them on BigQuery and DuckDB, and
the views; `cli`: `distillwatch query`.
"""

"""Credit evaluation (信用评价): the ledger's columnar snapshot (Parquet), one scoring pipeline
(Ibis, run on DuckDB) per catalogue model, results and runs written back."""

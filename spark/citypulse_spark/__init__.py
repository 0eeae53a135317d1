"""citypulse's PySpark Structured Streaming job: traffic windows, mobility index, Parquet lake."""

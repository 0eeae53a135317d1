"""citypulse's PySpark Structured Streaming job: the table of aggregates over the normalized streams
(traffic, transport, incidents, tickets), the aggregate topics and a Parquet lake."""

"""The experiments' computation, one module per notebook: `run(...)` returns a dict of DataFrames."""

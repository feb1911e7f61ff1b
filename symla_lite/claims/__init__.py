"""The experiments' claims in words, one module per experiment, every number read from its tables."""

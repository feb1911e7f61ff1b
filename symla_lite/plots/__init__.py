"""Figures, one module per experiment; the only part of the package that imports matplotlib."""

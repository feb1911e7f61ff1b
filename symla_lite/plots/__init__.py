"""Figures, one module per experiment; the only part of the package that imports matplotlib."""


def close(fig) -> None:
    """Close `fig`, so that a notebook's inline backend does not draw it again at the cell's end."""
    import matplotlib.pyplot as plt

    plt.close(fig)

"""Figure of the unseen-tasks experiment (grid world, heart and trap swapped at meta-test)."""

import pandas as pd
import seaborn as sns


def plot(df: pd.DataFrame):
    """Objects collected per lifetime: method x setting panels, first and second half."""
    g = sns.catplot(
        df,
        x="part",
        y="count_mean",
        hue="object",
        col="method",
        row="setting",
        kind="bar",
        height=2.6,
        aspect=1.1,
        palette={"heart": "tab:red", "trap": "tab:gray"},
    )
    g.set_axis_labels("", "objects collected per lifetime")
    g.figure.suptitle(
        "Grid world (reconstruction): heart and trap, rewards swapped at test", y=1.02
    )
    return g.figure

"""The unseen-tasks claims in words, every number read from the counts table."""

import numpy as np
import pandas as pd

from symla_lite.experiments.unseen_tasks import METHODS


def claims(df: pd.DataFrame) -> str:
    """Markdown of the second-half counts under swapped rewards, and the verdict."""
    t = df.set_index(["method", "setting", "part", "object"])
    lines = []
    for method in (*METHODS, "random"):
        for setting in ("as_trained", "swapped"):
            h = t.loc[(method, setting, "second_half", "heart")]
            tr = t.loc[(method, setting, "second_half", "trap")]
            lines.append(
                f"- {method}, {setting}, second half: heart {h['count_mean']:.2f} ± "
                f"{h['count_sem']:.2f}, trap {tr['count_mean']:.2f} ± {tr['count_sem']:.2f}"
            )

    def diff(method, setting, a, b):
        x = t.loc[(method, setting, "second_half", a)]
        y = t.loc[(method, setting, "second_half", b)]
        return (x["count_mean"] - y["count_mean"]) / np.hypot(x["count_sem"], y["count_sem"])

    # Under swapped rewards the trap pays +1: a learner should collect it more than the heart.
    sym_adapts = diff("symla", "swapped", "trap", "heart") > 2
    sym_heart = diff("symla", "swapped", "heart", "trap") > 2
    meta_adapts = diff("metarnn", "swapped", "trap", "heart") > 2
    lines += [
        "",
        "With swapped rewards the heart pays -1 and the trap +1.",
        f"- SymLA collects the object that now pays +1 (the trap) more than the one that pays -1 in "
        f"the second half: **{'yes' if sym_adapts else 'no'}**; MetaRNN: "
        f"**{'yes' if meta_adapts else 'no'}**.",
        f"- Literal reading of the claim (SymLA collects the heart more than the trap in the second "
        f"half under swapped rewards): **{'reproduced' if sym_heart else 'not reproduced'}**.",
    ]
    return "\n".join(lines)

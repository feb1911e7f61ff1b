"""Unseen tasks (SPEC section 4 item 4): meta-train on grid worlds, meta-test with heart and trap
rewards swapped; how often each object is collected in each half of the lifetime."""

import numpy as np
import pandas as pd

from symla_lite import envs, evaluation
from symla_lite.baselines import RandomPolicy
from symla_lite.experiments.unseen_observations import lifetimes, meta_train, n_test
from symla_lite.presets import preset as preset_table

GRID = dict(size=4, max_steps=16)
METHODS = ("symla", "metarnn")


def object_counts(rewards: np.ndarray, swapped: bool) -> dict:
    """Per lifetime, how many hearts and traps were collected in each half: {(part, object):
    float64[num]}. The heart pays +1 (-1 when swapped), the trap the opposite."""
    half = rewards.shape[1] // 2
    heart_sign = -1.0 if swapped else 1.0
    out = {}
    for part, sl in (("first_half", slice(0, half)), ("second_half", slice(half, None))):
        r = rewards[:, sl]
        out[(part, "heart")] = (r == heart_sign).sum(1).astype(np.float64)
        out[(part, "trap")] = (r == -heart_sign).sum(1).astype(np.float64)
    return out


def run(preset: str, seed: int, checkpoints, progress: bool = True, grid: dict | None = None):
    """Returns (counts, history). counts: one row per method x setting x part x object with the
    mean and sem over test lifetimes of the number of times that object was collected."""
    grid = dict(GRID if grid is None else grid)
    length = preset_table(preset, "rl")["lifetime"]
    n = n_test(preset)
    trained, history = {}, []
    for method in METHODS:
        res = meta_train(method, "gridworld", grid, preset, seed, checkpoints(method), progress)
        trained[method] = (res.agent, res.params)
        history.append(res.history.assign(method=method))
    trained["random"] = (RandomPolicy(), {})
    key = evaluation.test_key(seed, "unseen_tasks")
    rows = []
    for setting, swapped in (("as_trained", False), ("swapped", True)):
        env = envs.make("gridworld", swap=swapped, **grid)
        for method, (agent, params) in trained.items():
            r, _ = lifetimes(agent, params, env, key, n, length)
            for (part, obj), c in object_counts(r, swapped).items():
                rows.append(
                    dict(
                        method=method,
                        setting=setting,
                        part=part,
                        object=obj,
                        count_mean=float(c.mean()),
                        count_sem=float(c.std(ddof=1) / np.sqrt(c.size)),
                        n_lifetimes=int(c.size),
                    )
                )
    df = pd.DataFrame(rows).assign(lifetime=length, preset=preset, seed=seed)
    return df, pd.concat(history, ignore_index=True)


def plot(df: pd.DataFrame):
    import seaborn as sns

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

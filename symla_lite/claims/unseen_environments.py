"""The unseen-environments claims in words, every number read from the episodes table."""

import numpy as np
import pandas as pd

from symla_lite.experiments.unseen_environments import complete


def claims(episodes: pd.DataFrame, k: int = 5) -> str:
    """Markdown: first vs last `k` complete episodes per method and env, and the CartPole verdict."""
    ep = complete(episodes)
    lines, verdict = [], {}
    for (env_id, method), sub in ep.groupby(["env", "method"], sort=False):
        first, last = sub.head(k)["return_mean"].mean(), sub.tail(k)["return_mean"].mean()
        # standard error of the difference of the two k-episode means (episodes taken independent)
        se = np.sqrt(
            (sub.head(k)["return_sem"] ** 2).sum() + (sub.tail(k)["return_sem"] ** 2).sum()
        )
        verdict[(env_id, method)] = (first, last, se / k)
        lines.append(
            f"- {env_id}, {method}: first {k} episodes {first:.1f}, last {k} episodes "
            f"{last:.1f} (episodes completed by every lifetime: {len(sub)}; lifetime return "
            f"{sub['lifetime_return'].iloc[0]:.1f})"
        )
    if ("CartPole-v1", "symla") in verdict:
        first, last, se = verdict[("CartPole-v1", "symla")]
        rnd = np.mean(verdict[("CartPole-v1", "random")][:2])
        n_sym = int((ep["env"].eq("CartPole-v1") & ep["method"].eq("symla")).sum())
        rises = "reproduced" if last - first > 2 * se else "not reproduced"
        if n_sym < 2 * k:
            rises = f"cannot be told: fewer than {2 * k} episodes completed by every lifetime"
        lines += [
            "",
            f"- Claim 'SymLA's return per episode rises over the lifetime on CartPole': "
            f"**{rises}** ({first:.1f} -> {last:.1f}, standard error of the change {se:.1f}).",
            f"- Claim 'it ends above the random policy' ({rnd:.1f}): "
            f"**{'reproduced' if last > rnd else 'not reproduced'}**.",
        ]
    return "\n".join(lines)

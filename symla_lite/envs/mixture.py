"""A meta-training distribution made of task families with weights, and its normalised fitness.

`Mixture(families={"gridworld": 1, "bandit": 1, "random_mdp": 1, "random_control": 1})` is what
`envs.make("mixture", ...)` builds: every family made by `envs.make` with its observations
projected to `project_obs` dims (16, the paper's) by a matrix drawn per lifetime and its actions
permuted per lifetime, so one agent meets every family through the same 16 inputs. Held-out
environments (`envs.HELD_OUT`: classic control and the atlas) are refused.

Fitness of a member (`Mixture.fitness`, what `rollout.fitness` returns for a mixture): the
weighted mean over families of a normalised return,

    score_f = (R_f - random_f * L) / (scale_f * L),   fitness = sum_f w_f score_f / sum_f w_f,

where R_f is the member's mean lifetime return on family f over lifetimes of L steps, random_f
the uniformly random policy's mean reward per step on f, and scale_f the mean reward per step by
which a policy that knows the task beats random on f: 0 is random, 1 is that reference, whatever
the family's reward scale, so no family dominates by its scale. The references (`measure`):

- bandit: the best arm (E[max p - mean p] over drawn tasks);
- random_mdp: the optimal policy (`RandomMDP.expected_returns`, per step of an episode);
- random_control: a stabiliser that never falls (1 per step; random's gain is its falls per step),
  on the base process by default (DEFAULT_KWARGS);
- gridworld: the shortest walk to the heart around the trap, repeated every episode (1 / its
  length per step, exact by breadth-first search on each drawn task).

They are measured once (`python -c "from symla_lite.envs import mixture; mixture.main()"`
prints them) and stored in
`NORMALISATION` for the families' default options; `tests/test_mixture.py` checks the stored
values against a fresh measurement. A family with other options is measured when the mixture is
built.

The member's `num` lifetimes per generation are shared out over the families (`per_family`), at
least one each, so a mixture costs about what one environment does at the same `num_evals`.
`pool=n` limits each family to a fixed pool of n distinct tasks (`wrappers.TaskPool`), the axis of
a diversity curve (GPICL): how transfer grows with the number of distinct meta-training tasks.
"""

from collections import deque
from dataclasses import dataclass, field

import jax
import jax.numpy as jnp
import numpy as np
from gymnax.environments import spaces

from symla_lite.envs.random_control import BASE
from symla_lite.envs.wrappers import TaskPool

FAMILIES = ("bandit", "gridworld", "random_mdp", "random_control")
# Options each family is made with unless the mixture's family_kwargs say otherwise.
DEFAULT_KWARGS = {
    "bandit": {"dist": "uniform_independent", "num_arms": 4},
    # the side drawn per lifetime in [3, 6] (a procedural family), the layout too
    "gridworld": {"size": 6, "min_size": 3, "max_steps": 16},
    "random_mdp": {},
    # the base process (`random_control.BASE`: d = 4, one unstable mode, two pushes, linear), its
    # systems still drawn per lifetime; make("random_control") alone draws a broader family
    "random_control": dict(BASE),
}
MEASURE_LENGTH = 200  # lifetime of the random policy's measurement
MEASURE_NUM = 1024  # lifetimes (and tasks) per measurement
# (random_f, scale_f) per step for DEFAULT_KWARGS, from `measure` (printed by `main`)
NORMALISATION = {
    "bandit": (0.49313, 0.30178),
    "gridworld": (-0.00046387, 0.46388),
    "random_mdp": (0.16252, 0.48841),
    "random_control": (0.96972, 0.030278),
}


def _grid_reference(params) -> float:
    """1 / the length of the shortest walk from the start to the heart that avoids the trap;
    params: (start, heart, trap, side) of one grid."""
    *cells, n = params
    start, heart, trap = (tuple(int(v) for v in np.asarray(x)) for x in cells)
    n = int(n)
    dist, queue = {start: 0}, deque([start])
    while queue:
        cell = queue.popleft()
        if cell == heart:
            return 1.0 / dist[cell]
        for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            nxt = (min(max(cell[0] + dr, 0), n - 1), min(max(cell[1] + dc, 0), n - 1))
            if nxt not in dist and nxt != trap:
                dist[nxt] = dist[cell] + 1
                queue.append(nxt)
    return 0.0  # the heart walled off by the trap and the edges: never, on grids of size >= 2


def measure(name: str, kwargs: dict | None = None, seed: int = 0) -> tuple[float, float]:
    """(random_f, scale_f) per step of family `name` made with `kwargs` (see the module
    docstring): the random policy over MEASURE_NUM lifetimes of MEASURE_LENGTH steps, the
    reference over MEASURE_NUM drawn tasks."""
    from symla_lite import agents, envs, rollout

    kwargs = dict(DEFAULT_KWARGS.get(name, {}) if kwargs is None else kwargs)
    env = envs.make(name, **kwargs)
    key_run, key_tasks = jax.random.split(jax.random.key(seed))
    life = jax.jit(
        lambda k: rollout.run_lifetimes(
            agents.make("random"), {}, env, k, MEASURE_NUM, MEASURE_LENGTH
        ).rewards.mean()
    )
    random_rate = float(life(key_run))
    tasks = jax.vmap(env.sample_params)(jax.random.split(key_tasks, MEASURE_NUM))
    if name == "bandit":
        gain = float((tasks.probs.max(-1) - tasks.probs.mean(-1)).mean())
    elif name == "random_mdp":
        v_opt, v_rand = jax.vmap(env.expected_returns)(tasks)
        gain = float((v_opt - v_rand).mean()) / env.horizon
    elif name == "random_control":
        gain = 1.0 - random_rate
    elif name == "gridworld":
        cells = zip(
            np.asarray(tasks.start),
            np.asarray(tasks.heart),
            np.asarray(tasks.trap),
            np.asarray(tasks.side),
            strict=True,
        )
        gain = float(np.mean([_grid_reference(c) for c in cells])) - random_rate
    else:
        raise ValueError(f"no reference policy for family {name!r}; choose one of {FAMILIES}")
    return random_rate, gain


def per_family(num: int, num_families: int) -> int:
    """Lifetimes each family gets of a member's `num`: num // num_families, at least 1."""
    return max(1, int(num) // int(num_families))


@dataclass(frozen=True, eq=False)
class Mixture:
    """Task families with weights, every one projected to `project_obs` dims and its actions
    permuted per lifetime (see the module docstring).

    families: {family name: weight >= 0}, not all 0; family_kwargs: {family name: options},
    replacing DEFAULT_KWARGS for that family. Not a gymnax environment (its families' states
    differ): meta-training evaluates a member on each family (`fitness`), and meta-testing uses
    the families one by one (`envs`).
    """

    families: dict
    family_kwargs: dict = field(default_factory=dict)
    project_obs: int = 16
    permute_actions: bool = True
    # None: a fresh task every lifetime; n: each family draws from a fixed pool of n tasks (each
    # with its projection and permutation, `wrappers.TaskPool`, seeded by the family's index)
    pool: int | None = None

    def __post_init__(self):
        from symla_lite import envs

        if not isinstance(self.families, dict) or not self.families:
            raise ValueError(
                f"a mixture needs families as {{name: weight}}, got {self.families!r}; "
                f"choose from {list(FAMILIES)}"
            )
        for name, weight in self.families.items():
            if name == "mixture":
                raise ValueError("a mixture cannot contain a mixture")
            envs.check_training_env(name)  # held out, unsupported or unknown: a clear error
            if not np.isfinite(weight) or weight < 0:
                raise ValueError(f"mixture weight of {name!r} must be >= 0, got {weight}")
        if sum(self.families.values()) <= 0:
            raise ValueError(f"mixture weights are all zero: {self.families}")
        extra = sorted(set(self.family_kwargs) - set(self.families))
        if extra:
            raise ValueError(f"family_kwargs names families not in the mixture: {extra}")
        if self.project_obs is None or int(self.project_obs) < 1:
            raise ValueError(
                f"a mixture needs project_obs >= 1 (one input size for every family), "
                f"got {self.project_obs}"
            )
        made = []
        for name in self.families:
            kwargs = dict(self.family_kwargs.get(name, DEFAULT_KWARGS.get(name, {})))
            env = envs.make(
                name,
                project_obs=int(self.project_obs),
                permute_actions=self.permute_actions,
                **kwargs,
            )
            if self.pool is not None:
                env = TaskPool(env, size=int(self.pool), seed=len(made))
            made.append(env)
        object.__setattr__(self, "envs", tuple(made))
        object.__setattr__(self, "_norm", self._normalisation())

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.families)

    @property
    def weights(self) -> np.ndarray:
        w = np.array([float(self.families[n]) for n in self.names])
        return w / w.sum()

    def normalisation(self) -> dict:
        """{family: (random_f, scale_f)} per step: stored for default options, else measured
        (once, when the mixture is built)."""
        return dict(self._norm)

    def _normalisation(self) -> dict:
        out = {}
        for name in self.names:
            kwargs = self.family_kwargs.get(name)
            if kwargs is None or kwargs == DEFAULT_KWARGS.get(name):
                out[name] = NORMALISATION[name]
            else:
                out[name] = measure(name, kwargs)
        return out

    @property
    def name(self) -> str:
        parts = ", ".join(f"{n} {w:g}" for n, w in self.families.items())
        pool = "" if self.pool is None else f"; pool {self.pool}"
        return f"Mixture({parts}; obs->{self.project_obs}{pool})"

    @property
    def num_actions(self) -> int:
        """The most actions of any family (MetaRNN's head at equal inputs)."""
        return max(e.num_actions for e in self.envs)

    @property
    def default_params(self):
        return None

    def observation_space(self, params=None):
        return spaces.Box(-jnp.inf, jnp.inf, (int(self.project_obs),), jnp.float32)

    def scores(self, agent, params, key: jax.Array, num: int, length: int) -> jax.Array:
        """float32[F]: the normalised score of each family (module docstring), over
        `per_family(num, F)` lifetimes of `length` steps each."""
        from symla_lite import rollout

        norm = self.normalisation()
        n = per_family(num, len(self.envs))
        out = []
        for i, (name, env) in enumerate(zip(self.names, self.envs, strict=True)):
            a = agent.for_task(int(self.project_obs), env.num_actions)
            ret = rollout.run_lifetimes(a, params, env, jax.random.fold_in(key, i), n, length)
            random_rate, scale = norm[name]
            out.append((ret.rewards.sum(-1).mean() - random_rate * length) / (scale * length))
        return jnp.stack(out)

    def fitness(self, agent, params, key: jax.Array, num: int, length: int) -> jax.Array:
        """The weighted mean of `scores` (float32 scalar): a member's fitness on the mixture."""
        w = jnp.asarray(self.weights, jnp.float32)
        return (w * self.scores(agent, params, key, num, length)).sum()


def main() -> None:
    """Print NORMALISATION as measured now (every family at its default options)."""
    for family in FAMILIES:
        r, s = measure(family)
        print(f'    "{family}": ({r:.5g}, {s:.5g}),')

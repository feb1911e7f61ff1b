"""Training mixtures: bad input, the families as built, the normalised fitness, MetaRNN at equal
inputs on every family, and meta-training on a mixture."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from symla_lite import agents, envs, meta, rollout
from symla_lite.envs import mixture
from symla_lite.envs.mixture import DEFAULT_KWARGS, NORMALISATION

ALL = {"gridworld": 1.0, "bandit": 1.0, "random_mdp": 1.0, "random_control": 1.0}


@pytest.mark.parametrize(
    "families, kwargs, words",
    [
        ({"nosuch": 1}, {}, "unknown environment 'nosuch'"),
        ({"gridworld": 1, "CartPole-v1": 1}, {}, "'CartPole-v1' is held out"),
        ({"gridworld": 1, "Breakout-MinAtar": 1}, {}, "'Breakout-MinAtar' is held out"),
        ({"gridworld": -1, "bandit": 2}, {}, "weight of 'gridworld' must be >= 0"),
        ({"gridworld": 0, "bandit": 0.0}, {}, "weights are all zero"),
        ({"gridworld": float("nan")}, {}, "weight of 'gridworld'"),
        ({}, {}, "needs families"),
        ({"gridworld": 1}, {"family_kwargs": {"bandit": {}}}, "not in the mixture: \\['bandit'\\]"),
        ({"gridworld": 1}, {"project_obs": 0}, "project_obs >= 1"),
        ({"mixture": 1}, {}, "cannot contain a mixture"),
    ],
)
def test_bad_mixtures_are_refused_with_the_reason(families, kwargs, words):
    with pytest.raises(ValueError, match=words):
        envs.make("mixture", families=families, **kwargs)


def test_families_are_projected_and_permuted_per_lifetime():
    mix = envs.make("mixture", families=ALL)
    assert mix.names == tuple(ALL) and mix.num_actions == 5  # random_mdp's 5 (aliased) actions
    assert mix.observation_space().shape == (16,) and mix.default_params is None
    np.testing.assert_allclose(mix.weights, 0.25)
    for env in mix.envs:
        assert isinstance(env, envs.ActionPermutation)
        assert isinstance(env.env, envs.ObservationProjection) and env.env.dim == 16
        draw = jax.jit(env.sample_params)
        p1, p2 = draw(jax.random.key(1)), draw(jax.random.key(2))
        assert not np.array_equal(p1.inner.matrix, p2.inner.matrix)
    fixed = envs.make("mixture", families={"gridworld": 1}, permute_actions=False, project_obs=8)
    assert isinstance(fixed.envs[0], envs.ObservationProjection) and fixed.envs[0].dim == 8


@pytest.mark.heavy
def test_stored_normalisation_is_what_is_measured():
    """NORMALISATION (the stored per-step random return and reference gain) equals `measure`."""
    assert set(NORMALISATION) == set(mixture.FAMILIES) == set(DEFAULT_KWARGS)
    for name, (random_rate, scale) in NORMALISATION.items():
        measured = mixture.measure(name)
        np.testing.assert_allclose(measured, (random_rate, scale), rtol=2e-3, err_msg=name)
        assert scale > 0


def test_grid_reference_walks_around_the_trap():
    assert mixture._grid_reference(([0, 0], [0, 3], [3, 3], 4)) == 1 / 3
    assert mixture._grid_reference(([0, 0], [0, 2], [0, 1], 4)) == 1 / 4  # detour of 2
    # on a side of 3 the last row is a wall: the detour below the trap is the only way
    assert mixture._grid_reference(([0, 0], [0, 2], [0, 1], 3)) == 1 / 4
    assert mixture._grid_reference(([1, 0], [1, 2], [1, 1], 2)) == 0.0


def test_random_policy_scores_about_zero_on_every_family():
    """Normalised by random's own return, the random policy scores 0 up to sampling noise (256
    lifetimes per family: about 0.03 standard error on random_control, less on the others), and
    far below the reference's 1."""
    mix = envs.make("mixture", families=ALL)
    agent = agents.make("random")
    scores = jax.jit(lambda k: mix.scores(agent, {}, k, 4 * 256, 200))(jax.random.key(7))
    assert scores.shape == (4,)
    assert np.abs(np.asarray(scores)).max() < 0.1, dict(zip(mix.names, np.asarray(scores)))


def test_fitness_is_the_weighted_mean_of_the_scores():
    agent = agents.make("symla", hidden=4)
    params = agent.init(jax.random.key(0))
    weighted = envs.make("mixture", families={"gridworld": 3, "random_control": 1})
    key = jax.random.key(3)
    scores = np.asarray(weighted.scores(agent, params, key, 4, 30))
    fit = float(rollout.fitness(agent, params, weighted, key, 4, 30))  # what meta-training uses
    np.testing.assert_allclose(fit, 0.75 * scores[0] + 0.25 * scores[1], rtol=1e-5)
    assert mixture.per_family(4, 2) == 2 and mixture.per_family(4, 8) == 1


@pytest.mark.heavy
def test_metarnn_at_equal_inputs_runs_every_family_and_classic_control():
    """One set of MetaRNN parameters, head sized for the most actions, runs tasks with fewer: the
    absent actions' logits are masked (dropped), and the one-hot of the previous action keeps the
    head's width."""
    agent = agents.make("metarnn", hidden=4, max_actions=5).for_task(16, 5)
    params = agent.init(jax.random.key(0))
    assert params.w_out.shape == (4, 5) and params.lstm.kernel.shape[0] == 16 + 5 + 1 + 4
    mix = envs.make("mixture", families=ALL)
    for env in (*mix.envs, envs.make("CartPole-v1", project_obs=16)):
        sized = agent.for_task(16, env.num_actions)
        life = rollout.run_lifetime(
            sized, params, env, env.sample_params(jax.random.key(1)), jax.random.key(2), 5
        )
        assert life.logits.shape == (5, env.num_actions)
        assert bool(jnp.isfinite(life.logits).all()) and int(life.actions.max()) < env.num_actions
    two = agent.for_task(16, 2)
    state = two.initial_state(jax.random.key(0), 16, 2)
    full, _ = agent.step(
        params, agent.initial_state(jax.random.key(0), 16, 5), jnp.ones(16), 1, 1.0
    )
    part, _ = two.step(params, state, jnp.ones(16), 1, 1.0)
    np.testing.assert_array_equal(np.asarray(part), np.asarray(full)[:2])
    with pytest.raises(ValueError, match="max_actions=5 and cannot run a task with 6 actions"):
        agent.for_task(16, 6)
    with pytest.raises(ValueError, match="max_actions >= 2"):
        agents.make("metarnn", max_actions=1)


@pytest.mark.heavy
@pytest.mark.parametrize("name", ["symla", "metarnn"])
def test_meta_training_on_a_mixture_resumes_bitwise(name, tmp_path):
    """Meta-training on a mixture runs for both learners (MetaRNN's head sized by `meta.build`),
    keeps its history and resumes from its checkpoint bitwise."""
    config = meta.TrainConfig(
        agent=name, env="mixture", env_kwargs={"families": {"gridworld": 1, "bandit": 1}},
        preset="smoke", family="rl", generations=4, checkpoint_every=2,
        checkpoint_dir=str(tmp_path), progress=False,
    )  # fmt: skip
    first = meta.train(config)
    assert len(first.history) == 4 and np.isfinite(first.history["mean_fitness"]).all()
    if name == "metarnn":
        assert first.agent.max_actions == 4
    more = meta.train(meta.dataclasses.replace(config, generations=6, resume=True))
    again = meta.train(meta.dataclasses.replace(config, generations=6, checkpoint_dir=None))
    for a, b in zip(jax.tree.leaves(more.params), jax.tree.leaves(again.params), strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_generalist_metarnn_head_fits_every_environment_it_meets():
    """transfer.MAX_ACTIONS is the most actions of the mixture, classic control and the atlas."""
    from symla_lite import transfer

    mix = envs.make("mixture", **transfer.generalist_kwargs())
    held_out = [envs.make(e).num_actions for e in envs.HELD_OUT]
    assert transfer.MAX_ACTIONS == max(mix.num_actions, *held_out)
    assert set(transfer.FAMILIES) <= set(mixture.FAMILIES)


def test_cannot_run_says_why_a_metarnn_does_not_fit():
    from symla_lite import transfer

    cartpole = envs.make("CartPole-v1", project_obs=16)
    grid_rnn = agents.make("metarnn", hidden=4).for_task(16, 4)
    assert transfer.cannot_run(grid_rnn, "CartPole-v1", cartpole) == (
        "cannot run: MetaRNN was built for 16 inputs and 4 actions, CartPole-v1 has 2 actions"
    )
    small_head = agents.make("metarnn", hidden=4, max_actions=3).for_task(16, 3)
    assert transfer.cannot_run(small_head, "CartPole-v1", cartpole) == ""
    five = envs.make("random_mdp", max_actions=5)
    assert "at most 3 actions, m has 5 actions" in transfer.cannot_run(small_head, "m", five)
    assert transfer.cannot_run(agents.make("symla"), "m", five) == ""


@pytest.mark.heavy
def test_the_generalist_keeps_its_milestones_and_its_last_is_the_run(tmp_path):
    """train_generalist(keep=True): {generations: results} at `transfer.milestones`, each with
    the history to it; the plain call on the same folder (what the atlas reads) is the last."""
    from symla_lite import transfer

    kept = transfer.train_generalist(
        "metarnn", "smoke", 0, str(tmp_path), progress=False, keep=True
    )
    assert sorted(kept) == transfer.milestones("smoke") == [1, 3]
    assert [len(kept[g][0].history) for g in (1, 3)] == [1, 3] and len(kept[3]) == 3
    last = transfer.train_generalist("metarnn", "smoke", 0, str(tmp_path), progress=False)
    for a, b in zip(jax.tree.leaves([r.params for r in last]),
                    jax.tree.leaves([r.params for r in kept[3]]), strict=True):  # fmt: skip
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert (tmp_path / "milestone_1.pkl").exists() and (tmp_path / "milestone_3.pkl").exists()


def test_diversity_points_narrow_the_generalists_distribution():
    from symla_lite import transfer

    points = transfer.diversity_points()
    assert list(points) == ["pool1", "pool4", "pool16", "pool64", "grid", "grid_bandit",
                            "grid_bandit_mdp", "all"]  # fmt: skip
    assert points["all"] == transfer.generalist_kwargs()
    assert {points[f"pool{n}"]["pool"] for n in transfer.POOLS} == set(transfer.POOLS)
    assert all(points[f"pool{n}"]["families"] == transfer.FAMILIES for n in transfer.POOLS)
    assert list(points["grid_bandit"]["families"]) == ["gridworld", "bandit"]
    for kwargs in points.values():  # each builds, none with a held-out environment
        assert envs.make("mixture", **kwargs).project_obs == transfer.DIM
    with pytest.raises(ValueError, match="unknown diversity point 'pool2'"):
        transfer.train_diversity("pool2", "symla", "smoke", 0)
    runs = transfer.train_diversity("grid", "metarnn", "smoke", 0, progress=False)
    assert [r.config.seed for r in runs] == [0, 1, 2] and runs[0].agent.max_actions == 11

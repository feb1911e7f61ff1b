"""SymLA properties 1-4 of SPEC section 1, MetaRNN shapes and errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symla_lite import agents, envs, rollout
from symla_lite.envs.bandit import BanditParams

STEPS = 3


def scaled(params, scale):
    """Random parameters of a larger scale than the initialiser's, so that the cells saturate."""
    return jax.tree.map(lambda x: x * scale, params)


def run(agent, params, obs_seq, act_seq, rew_seq, num_actions):
    """Logits float32[T, B] for a fixed sequence of observations, previous actions and rewards."""
    state = agent.initial_state(jax.random.key(0), obs_seq.shape[1], num_actions)
    out = []
    for obs, a, r in zip(obs_seq, act_seq, rew_seq, strict=True):
        logits, state = agent.step(params, state, obs, a, r)
        out.append(logits)
    return np.stack(out)


def sequence(seed, num_obs, num_actions):
    rng = np.random.default_rng(seed)
    obs = rng.normal(size=(STEPS, num_obs)).astype(np.float32)
    acts = np.concatenate([[-1], rng.integers(0, num_actions, STEPS - 1)]).astype(np.int32)
    rews = np.concatenate([[0.0], rng.normal(size=STEPS - 1)]).astype(np.float32)
    return obs, acts, rews


symla_configs = st.sampled_from(
    [
        dict(hidden=4),
        dict(hidden=3, message_reduce="mean"),
        dict(hidden=4, layers=2, widths=(3,)),
        dict(hidden=2, micro_ticks=3, fwd_size=3, bwd_size=2),
        dict(hidden=3, readout_bound=0.5),
    ]
)


@settings(max_examples=12, deadline=None)
@given(
    config=symla_configs,
    num_obs=st.integers(1, 5),
    num_actions=st.integers(2, 5),
    seed=st.integers(0, 2**16),
    scale=st.sampled_from([1.0, 3.0]),
)
def test_symla_input_invariance_and_action_equivariance(config, num_obs, num_actions, seed, scale):
    agent = agents.make("symla", **config)
    params = scaled(agent.init(jax.random.key(seed)), scale)
    obs, acts, rews = sequence(seed, num_obs, num_actions)
    base = run(agent, params, obs, acts, rews, num_actions)
    assert base.shape == (STEPS, num_actions)
    assert np.all(np.isfinite(base))

    rng = np.random.default_rng(seed + 1)
    perm_obs = rng.permutation(num_obs)
    np.testing.assert_allclose(
        run(agent, params, obs[:, perm_obs], acts, rews, num_actions), base, atol=1e-5
    )

    # Relabel actions: the agent's action b is the original action p[b]; an original previous
    # action a becomes label inv[a], and the logits must come out permuted by p.
    p = rng.permutation(num_actions)
    inv = np.argsort(p)
    acts_relabelled = np.where(acts < 0, -1, inv[np.maximum(acts, 0)]).astype(np.int32)
    np.testing.assert_allclose(
        run(agent, params, obs, acts_relabelled, rews, num_actions), base[:, p], atol=1e-5
    )


def test_symla_actions_are_not_all_alike():
    """Equivariance must not come from ignoring the action: different histories, different logits."""
    # neutral gate biases: with the default -5 input-gate offset (x3 here) cells hardly write in
    # two steps, which says nothing about whether the architecture can tell actions apart
    agent = agents.make("symla", hidden=4, input_bias=0.0, forget_bias=1.0)
    params = scaled(agent.init(jax.random.key(3)), 3.0)
    state = agent.initial_state(jax.random.key(0), 2, 3)
    _, state = agent.step(params, state, jnp.ones(2), -1, 0.0)
    logits, _ = agent.step(params, state, jnp.ones(2), 1, 1.0)
    assert np.ptp(np.asarray(logits)) > 1e-4


@pytest.mark.parametrize("config", [dict(hidden=8), dict(hidden=4, layers=3, widths=(2, 5))])
def test_symla_params_independent_of_sizes_and_run_on_any_size(config):
    agent = agents.make("symla", **config)
    params = agent.init(jax.random.key(0))
    counts = set()
    for num_obs, num_actions in [(1, 2), (4, 3), (7, 10)]:
        obs, acts, rews = sequence(0, num_obs, num_actions)
        logits = run(agent, params, obs, acts, rews, num_actions)
        assert logits.shape == (STEPS, num_actions)
        assert np.all(np.isfinite(logits))
        counts.add(agents.num_params(params))
    assert len(counts) == 1


def test_symla_parameter_count_matches_the_architecture():
    agent = agents.make("symla", hidden=64)
    n, mf, mb = 64, 8, 8
    cell_in = 1 + 1 + 1 + mf + mb
    expected = (cell_in + n) * 4 * n + 4 * n + n * mf + n * mb
    assert agents.num_params(agent.init(jax.random.key(0))) == expected


def test_symla_step_is_jittable_and_vmappable():
    agent = agents.make("symla", hidden=4)
    params = agent.init(jax.random.key(0))
    states = jax.vmap(lambda k: agent.initial_state(k, 3, 2))(
        jax.random.split(jax.random.key(1), 5)
    )
    obs = jnp.ones((5, 3))
    step = jax.jit(jax.vmap(agent.step, in_axes=(None, 0, 0, 0, 0)))
    logits, new = step(params, states, obs, jnp.full(5, -1, jnp.int32), jnp.zeros(5))
    assert logits.shape == (5, 2)
    assert new.layers[0].h.shape == (5, 3, 2, 4)


def test_symla_random_initial_state_differs_per_cell():
    agent = agents.make("symla", hidden=4, init_state="random")
    state = agent.initial_state(jax.random.key(0), 3, 2)
    h = np.asarray(state.layers[0].h)
    assert h.shape == (3, 2, 4)
    assert np.unique(h.reshape(6, 4), axis=0).shape[0] == 6


def test_symla_partial_initial_state_is_random_in_half_the_cell_units():
    agent = agents.make("symla", hidden=6, init_state="partial")
    state = agent.initial_state(jax.random.key(0), 3, 2)
    h, c = np.asarray(state.layers[0].h), np.asarray(state.layers[0].c)
    assert not h.any() and not c[..., 3:].any()
    assert np.unique(c[..., :3].reshape(6, 3), axis=0).shape[0] == 6  # drawn per cell
    assert (np.abs(c[..., :3]) > 0).all()


def test_symla_gate_biases_initialise_the_shared_lstm():
    params = agents.make("symla", hidden=4).init(jax.random.key(0))
    np.testing.assert_array_equal(params.lstm.bias[:4], -5.0)  # input gate: the VSML offset
    np.testing.assert_array_equal(params.lstm.bias[4:8], 5.0)  # forget gate
    np.testing.assert_array_equal(params.lstm.bias[8:], 0.0)
    plain = agents.make("symla", hidden=4, input_bias=0.0, forget_bias=1.0)
    np.testing.assert_array_equal(plain.init(jax.random.key(0)).lstm.bias[:8], [0] * 4 + [1] * 4)


def test_symla_bounded_readout_squashes_the_logits():
    free = agents.make("symla", hidden=4, input_bias=0.0, forget_bias=1.0)
    params = scaled(free.init(jax.random.key(3)), 3.0)
    obs, acts, rews = sequence(3, 3, 4)
    logits = run(free, params, obs, acts, rews, 4)
    bound = agents.make("symla", hidden=4, input_bias=0.0, forget_bias=1.0, readout_bound=0.5)
    bounded = run(bound, params, obs, acts, rews, 4)
    np.testing.assert_allclose(bounded, 0.5 * np.tanh(logits / 0.5), rtol=1e-5, atol=1e-6)
    assert np.abs(logits).max() > 0.5 >= np.abs(bounded).max()
    with pytest.raises(ValueError, match="readout_bound"):
        agents.make("symla", readout_bound=0.0)


def test_metarnn_shapes_and_no_invariance():
    agent = agents.make("metarnn", num_obs=3, num_actions=4, hidden=8)
    params = agent.init(jax.random.key(0))
    assert agents.num_params(params) == (3 + 4 + 1 + 8) * 32 + 32 + 8 * 4 + 4
    obs, acts, rews = sequence(1, 3, 4)
    base = run(agent, params, obs, acts, rews, 4)
    assert base.shape == (STEPS, 4)
    permuted = run(agent, params, obs[:, [2, 0, 1]], acts, rews, 4)
    assert np.abs(permuted - base).max() > 1e-4


def test_metarnn_rejects_other_sizes():
    agent = agents.make("metarnn", num_obs=3, num_actions=4)
    with pytest.raises(ValueError, match="num_obs=3, num_actions=4"):
        agent.initial_state(jax.random.key(0), 3, 5)
    params = agent.init(jax.random.key(0))
    state = agent.initial_state(jax.random.key(0), 3, 4)
    with pytest.raises(ValueError, match="cannot run"):
        agent.step(params, state, jnp.ones(2), -1, 0.0)


def test_symla_rejects_wrong_observation_shape():
    agent = agents.make("symla", hidden=4)
    state = agent.initial_state(jax.random.key(0), 3, 2)
    with pytest.raises(ValueError, match="3 observation components"):
        agent.step(agent.init(jax.random.key(0)), state, jnp.ones(4), -1, 0.0)


@pytest.mark.parametrize("name", ["symla", "metarnn"])
def test_fewer_than_two_actions_is_an_error(name):
    with pytest.raises(ValueError, match="at least two actions"):
        agent = agents.make(name, **({"num_obs": 1, "num_actions": 1} if name == "metarnn" else {}))
        agent.initial_state(jax.random.key(0), 1, 1)


def test_unknown_agent_and_option():
    with pytest.raises(ValueError, match="unknown agent 'lstm'.*metarnn.*symla"):
        agents.make("lstm")
    with pytest.raises(ValueError, match="unknown option"):
        agents.make("symla", hiden=3)
    with pytest.raises(ValueError, match="message_reduce"):
        agents.make("symla", message_reduce="max")
    with pytest.raises(ValueError, match="unknown option.*'ucb1'.*valid: none"):
        agents.make("ucb1", c=2.0)


@pytest.mark.parametrize("name", sorted(agents.AGENTS))
def test_every_agent_by_name_runs_a_lifetime(name):
    """make(name) with no options, sized by for_task, runs a two-armed bandit lifetime."""
    agent = agents.make(name).for_task(1, 2)
    assert isinstance(agent, agents.Agent) and agent.name == name
    life = rollout.run_lifetime(
        agent, agent.init(jax.random.key(0)), envs.make("bandit"),
        BanditParams(probs=jnp.array([0.2, 0.8])), jax.random.key(1), 6,
    )  # fmt: skip
    assert life.logits.shape == (6, 2) and bool(np.isfinite(life.regret).all())
    assert set(agents.META_LEARNED) | set(agents.FIXED) == set(agents.AGENTS)


def test_for_task_sizes_metarnn_only():
    unsized = agents.make("metarnn", hidden=4)
    with pytest.raises(ValueError, match="no sizes yet.*for_task"):
        unsized.init(jax.random.key(0))
    sized = unsized.for_task(3, 5)
    assert (sized.num_obs, sized.num_actions, sized.hidden) == (3, 5, 4)
    assert sized.initial_state(jax.random.key(0), 3, 5).h.shape == (4,)
    symla = agents.make("symla", hidden=4)
    assert symla.for_task(3, 5) is symla

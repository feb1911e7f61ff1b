"""The exact Bayes-optimal bandit policy against an independent brute force and closed forms."""

import functools

import jax
import numpy as np
import pytest

from symla_lite import envs, evaluation
from symla_lite.agents import bayes_optimal as bo
from symla_lite.envs.bandit import TWO_POINT


def prior_atoms(prior: str, nodes: int = 8):
    """The prior as weighted atoms (p1, p2): Gauss-Legendre nodes for uniform priors (exact for
    the polynomial integrands of a short horizon), the two points for two-point priors."""
    x, w = np.polynomial.legendre.leggauss(nodes)
    x, w = (x + 1) / 2, w / 2
    if prior == "uniform_independent":
        p = np.stack(np.meshgrid(x, x, indexing="ij"), -1).reshape(-1, 2)
        return p, np.outer(w, w).reshape(-1)
    if prior == "uniform_dependent":
        return np.stack([x, 1 - x], -1), w
    lo = TWO_POINT[prior]
    return np.array([[lo, 1 - lo], [1 - lo, lo]]), np.array([0.5, 0.5])


def brute_force_value(prior: str, horizon: int) -> float:
    """Expected total reward of the best policy, by recursion over whole histories.

    Unnormalised belief weights w over the atoms: V(w, n) = max_k [sum_i w_i p_ik
    + V(w * p_k, n - 1) + V(w * (1 - p_k), n - 1)]. No sufficient statistics, no conjugacy.
    """
    p, w0 = prior_atoms(prior)

    @functools.cache
    def value(w_bytes, n):
        if n == 0:
            return 0.0
        w = np.frombuffer(w_bytes)
        best = -np.inf
        for k in range(2):
            win, lose = w * p[:, k], w * (1 - p[:, k])
            q = win.sum() + value(win.tobytes(), n - 1) + value(lose.tobytes(), n - 1)
            best = max(best, q)
        return best

    return value(w0.astype(np.float64).tobytes(), horizon)


@pytest.mark.parametrize("prior", bo.PRIORS)
@pytest.mark.parametrize("horizon", [1, 2, 3, 5])
def test_dp_value_matches_brute_force(prior, horizon):
    sol = bo.solve(prior, horizon)
    np.testing.assert_allclose(sol.value, brute_force_value(prior, horizon), rtol=1e-10)


def test_closed_forms_independent_uniform():
    # one pull: E[p] = 1/2, E[max] = 2/3; two pulls: 1/2 + (1/2)(2/3) + (1/2)(1/2) = 13/12
    assert bo.solve("uniform_independent", 1).regret == pytest.approx(2 / 3 - 1 / 2)
    assert bo.solve("uniform_independent", 2).regret == pytest.approx(4 / 3 - 13 / 12)


def test_two_point_one_step_and_easy_regret():
    # easy: the first pull is a coin flip (regret 0.8 half the time); then the posterior is
    # already decisive: regret over the lifetime is bounded by a few steps
    assert bo.solve("easy_dependent", 1).regret == pytest.approx(0.4)
    assert bo.solve("easy_dependent", 50).regret < 1.0


def test_dependent_priors_are_greedy():
    # each pull is equally informative about p1 under p2 = 1 - p1, so the optimum is greedy
    for prior in ("uniform_dependent", *TWO_POINT):
        sol = bo.solve(prior, 30)
        for t in range(30):
            a = np.arange(t + 1)
            p1 = bo.posterior_mean_p1(prior, a, t - a)
            np.testing.assert_array_equal(sol.best[0, t, : t + 1], p1 >= 0.5 - 1e-12)
            np.testing.assert_array_equal(sol.best[1, t, : t + 1], p1 <= 0.5 + 1e-12)


def test_regret_grows_with_horizon_and_is_below_thompson_scale():
    r = [bo.solve("uniform_independent", h).regret for h in (5, 10, 20, 40)]
    assert all(a < b for a, b in zip(r, r[1:]))
    assert r[-1] < 40 * (2 / 3 - 1 / 2)  # far below the random policy's regret


@pytest.mark.parametrize("prior", bo.PRIORS)
def test_agent_through_rollout_matches_exact_regret(prior):
    horizon, n = 12, 20_000
    agent = bo.BayesOptimal(prior=prior, horizon=horizon)
    env = envs.make("bandit", dist=prior)
    test = evaluation.test_set(env, jax.random.key(3), n)
    s = evaluation.regret(agent, agent.init(None), test, horizon)
    exact = bo.solve(prior, horizon).regret
    assert abs(s.mean - exact) < 4 * s.sem, (s.mean, s.sem, exact)


def test_first_step_tie_is_random_and_policy_is_deterministic_after():
    agent = bo.BayesOptimal(prior="uniform_independent", horizon=10)
    params = agent.init(None)
    state = agent.initial_state(jax.random.key(0), 1, 2)
    logits, state = agent.step(params, state, np.ones(1, np.float32), -1, 0.0)
    np.testing.assert_array_equal(logits, [0.0, 0.0])
    # after a success on arm 1, stay with it
    logits, _ = agent.step(params, state, np.ones(1, np.float32), 1, 1.0)
    assert logits[1] == 0.0 and logits[0] < -1e8


def test_bad_inputs():
    with pytest.raises(ValueError, match="no Bayes-optimal DP for prior"):
        bo.BayesOptimal(prior="biased")
    with pytest.raises(ValueError, match="horizon must be"):
        bo.solve("uniform_dependent", 0)
    with pytest.raises(ValueError, match="two-arm"):
        bo.BayesOptimal(prior="uniform_independent", horizon=5).initial_state(
            jax.random.key(0), 1, 3
        )

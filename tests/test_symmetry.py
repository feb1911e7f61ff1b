"""The measured checks of Table 1 tell a symmetric learner from one that is not."""

import jax
import jax.numpy as jnp
import pytest

from symla_lite import symmetry as S

KEY = jax.random.key(0)


@pytest.mark.parametrize("method", ["symla", "reinforce"])
def test_symmetric_learners_pass_the_permutation_checks(method):
    for check in (S.input_permutation, S.action_permutation):
        c = check(method, 5, 3, 8, key=KEY, trials=2, steps=6)
        assert c.holds and c.value <= c.tolerance and c.value < 1e-3


def test_metarnn_fails_the_permutation_checks_by_far():
    for check in (S.input_permutation, S.action_permutation):
        c = check("metarnn", 5, 3, 8, key=KEY, trials=2, steps=6)
        assert not c.holds and c.value > 100 * c.tolerance


def test_black_box_finds_the_gradient_inside_reinforce():
    ops = S.autodiff_ops(S.build("reinforce", 3, 2), {}, 3, 2)
    assert len(ops) > 0 and all("jvp(" in name or "transpose(" in name for _, name in ops)
    assert not S.black_box("reinforce", 3, 2, key=KEY, steps=3).holds
    for method in ("symla", "metarnn"):
        c = S.black_box(method, 3, 2, 8, key=KEY, steps=3)
        assert c.holds and c.value == 0


def test_a_learner_that_differentiates_is_not_black_box():
    agent = S.build("symla", 2, 2, 4)

    class GradSymLA:  # the same agent, but its step also takes a gradient of its logits
        name = "grad_symla"
        init = agent.init
        initial_state = agent.initial_state

        def step(self, params, state, obs, a, r):
            g = jax.grad(lambda o: agent.step(params, state, o, a, r)[0].sum())(obs)
            logits, state = agent.step(params, state, obs + g, a, r)
            return logits, state

    assert len(S.autodiff_ops(GradSymLA(), agent.init(KEY), 2, 2)) > 0


def test_unseen_sizes_and_counts():
    assert S.unseen_sizes("symla", hidden=4, key=KEY, steps=3).holds
    c = S.unseen_sizes("metarnn", hidden=4, key=KEY, steps=3)
    assert not c.holds and "cannot run" in c.detail
    counts = S.param_counts("symla", hidden=4)
    assert S.size_independence(counts).holds
    counts = S.param_counts("metarnn", hidden=4)
    # MetaRNN: LSTM input A + B + 1, read-out N x B + B
    n = counts.set_index("num_actions")["meta_params"]
    assert n[4] - n[2] == 4 * 4 * ((16 + 4 + 1) - (1 + 2 + 1)) + (4 + 1) * (4 - 2)
    assert not S.size_independence(counts).holds


def test_unknown_method_is_rejected():
    with pytest.raises(ValueError, match="unknown method"):
        S.build("maml", 1, 2)


def test_random_sequence_marks_the_first_step():
    seq = S.random_sequence(KEY, 4, 3, 2)
    assert int(seq.prev_action[0]) == -1 and float(seq.prev_reward[0]) == 0.0
    assert seq.obs.shape == (4, 3) and bool(jnp.all(seq.prev_action[1:] >= 0))

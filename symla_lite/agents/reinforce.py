"""REINFORCE baseline: a linear softmax policy learning online within one lifetime.

The "fixed loss + backprop" column of Table 1 (SPEC section 1, fixed-algorithm baselines). It has
the agent interface (init / initial_state / step) so it runs through `symla_lite.rollout`.

The agent interface carries no `done` flag, so episode returns cannot be formed; the honest online
variant used here is REINFORCE with an eligibility trace and a running reward baseline
(Williams 1992, section 6; Sutton & Barto 2018, section 13.5 with the trace of the policy gradient):

    z <- trace_decay * z + grad_theta log pi(a_{t-1} | o_{t-1})
    theta <- theta + lr * (r_{t-1} - b) * z
    b <- b + baseline_rate * (r_{t-1} - b)

with pi(. | o) = softmax(W o + c), theta = (W, c), starting at zero (the uniform policy). The trace
decays across episode boundaries instead of being cut, since the boundaries are not observed. The
learning rate is the only tuned quantity (chosen by a small search in the notebooks); the agent has
no meta-parameters, so `init` returns an empty pytree. The rate is the agent's `lr`, unless the
params given to `step` are {"lr": rate} (a float32 scalar): then that rate, so that a search over
rates runs one compiled program (with {} the program is exactly the fixed-rate one).
"""

from dataclasses import dataclass

import jax
import jax.numpy as jnp
from flax import struct

from symla_lite.agents.protocol import AnySize


@struct.dataclass
class LinearPolicy:
    w: jax.Array  # float32[B, A]
    c: jax.Array  # float32[B]


@struct.dataclass
class ReinforceState:
    policy: LinearPolicy  # current policy weights
    trace: LinearPolicy  # eligibility trace of grad log pi, same shapes
    baseline: jax.Array  # float32 scalar, running mean reward
    prev_obs: jax.Array  # float32[A], the observation the previous action was taken at


def logits_of(policy: LinearPolicy, obs: jax.Array) -> jax.Array:
    """float32[B] logits of the linear policy at obs float32[A]."""
    return policy.w @ obs + policy.c


def _log_prob(policy: LinearPolicy, obs: jax.Array, action: jax.Array) -> jax.Array:
    return jax.nn.log_softmax(logits_of(policy, obs))[action]


@dataclass(frozen=True)
class Reinforce(AnySize):
    """Online REINFORCE with eligibility traces; see the module docstring for the update."""

    lr: float = 0.01
    trace_decay: float = 0.9
    baseline_rate: float = 0.01
    name: str = "reinforce"

    def __post_init__(self):
        if not self.lr > 0:
            raise ValueError(f"REINFORCE lr must be > 0, got {self.lr}")
        if not 0.0 <= self.trace_decay < 1.0:
            raise ValueError(f"trace_decay must be in [0, 1), got {self.trace_decay}")
        if not 0.0 < self.baseline_rate <= 1.0:
            raise ValueError(f"baseline_rate must be in (0, 1], got {self.baseline_rate}")

    def init(self, key: jax.Array) -> dict:
        return {}

    def initial_state(self, key: jax.Array, num_obs: int, num_actions: int) -> ReinforceState:
        if num_obs < 1 or num_actions < 2:
            raise ValueError(
                f"REINFORCE needs num_obs >= 1 and num_actions >= 2, got {num_obs}, {num_actions}"
            )
        zero = LinearPolicy(
            w=jnp.zeros((int(num_actions), int(num_obs)), jnp.float32),
            c=jnp.zeros((int(num_actions),), jnp.float32),
        )
        return ReinforceState(
            policy=zero,
            trace=zero,
            baseline=jnp.float32(0.0),
            prev_obs=jnp.zeros((int(num_obs),), jnp.float32),
        )

    def step(self, params, state: ReinforceState, obs, prev_action, prev_reward):
        """Learn from (o_{t-1}, a_{t-1}, r_{t-1}), then return the logits float32[B] at obs."""
        obs = jnp.asarray(obs, jnp.float32)
        if obs.shape != state.prev_obs.shape:
            raise ValueError(
                f"REINFORCE state was built for {state.prev_obs.shape[0]} observations, "
                f"got obs of shape {obs.shape}"
            )
        has_prev = prev_action >= 0  # at t = 0 there is no previous action: no update
        grad = jax.grad(_log_prob)(state.policy, state.prev_obs, jnp.maximum(prev_action, 0))
        trace = jax.tree.map(
            lambda z, g: self.trace_decay * z + jnp.where(has_prev, g, 0.0), state.trace, grad
        )
        advantage = jnp.where(has_prev, prev_reward - state.baseline, 0.0)
        lr = params["lr"] if isinstance(params, dict) and "lr" in params else self.lr
        policy = jax.tree.map(lambda p, z: p + lr * advantage * z, state.policy, trace)
        baseline = state.baseline + jnp.where(
            has_prev, self.baseline_rate * (prev_reward - state.baseline), 0.0
        )
        state = ReinforceState(policy=policy, trace=trace, baseline=baseline, prev_obs=obs)
        return logits_of(policy, obs), state

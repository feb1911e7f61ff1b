"""Random unstable control systems: survival tasks with CartPole's reward but not its physics.

A procedurally generated task family for meta-training. `sample_params(key)` draws one lifetime's
system, fixed while its episodes repeat. The state x lives in R^d, padded with zeros to
float32[max_dim]; the observation is x itself. Per lifetime:

- the dimension d ~ U{min_dim..max_dim} (default 2..6; coordinates >= d stay 0 for ever), the
  number of unstable modes m ~ U{min_unstable..max_unstable} (default 1..2, at most min_dim) and
  of actions n_a ~ U{min_actions..max_actions} (default 2..4);
- dynamics A = Q diag(lam) Q^T for a uniformly random orthogonal Q (d x d): the first m columns
  q_0..q_{m-1} of Q are the unstable modes, lam_i ~ U[unstable_low, unstable_high] = U[1, 4] for
  them and lam_i ~ U[stable_low, stable_high] = U[-2, -0.5] for the other d - m;
- pushes in pairs: pair p (actions 2p and 2p + 1) targets the unstable mode j = p mod m along
  b_p = 0.6 (+-q_j) + 0.8 u_p (u_p a random unit vector orthogonal to q_j, the sign random) with
  force f_p = U[force_low, force_high] lam_j / 0.6 = U[2, 3] lam_j / 0.6; action 2p pushes
  +f_p b_p and action 2p + 1 pushes -f_p b_p (an odd n_a leaves the last pair one action; a
  mode that no pair targets, when m > ceil(n_a / 2), is moved only by the pushes' 0.8 u parts);
- a mild non-linearity: eps ~ U[0, max_nonlinearity] (default 0.5) and C a d x d matrix with
  i.i.d. N(0, 1/d) entries.

Each step with action a: x <- x + dt (A x + eps tanh(C x) + push_a), dt = 0.02 (the tanh keeps
the non-linear term bounded). An episode starts at x ~ U[-start_noise, start_noise]^d (0.05) and
ends (terminated) when |q_j . x| > 1 for any unstable mode j, or (truncated) after `max_steps`
(200) steps. Reward: +1 per step, 0 on the terminating step (the CartPole convention of
`envs.classic`), so a lifetime's return is its length minus the number of falls. Params hold the
unstable directions (`unstable`, float32[max_unstable, max_dim]) and every action's push vector
(`push`, float32[max_actions, max_dim]), so a controller that knows the task can be written.

Static shapes: arrays are sized max_dim and max_actions. The action space always has
`max_actions` actions; action a >= n_a is an alias of action a mod n_a and behaves exactly like it,
so the number of distinct actions varies per lifetime while the shapes stay the same.

`BASE` holds the options of the base process (d = 4, one unstable mode, two actions +-f b,
eps = 0), which an earlier trial found to transfer from meta-training to CartPole:
make("random_control", **BASE). Its random policy falls about 6-7 times per 200 steps (6.0 to 7.2
in samples of 64-256 lifetimes); pushing against the sign of q_0 . x never falls.
"""

from dataclasses import dataclass

import jax
import jax.numpy as jnp
from flax import struct
from gymnax.environments import environment, spaces

from symla_lite.envs.random_mdp import check_range, sample_compiled, uniform_int

ALONG, ACROSS = 0.6, 0.8  # a push's components along its unstable mode and across it
BASE = {"min_dim": 4, "max_dim": 4, "max_unstable": 1, "max_actions": 2, "max_nonlinearity": 0.0}


@struct.dataclass
class ControlParams:
    a: jax.Array  # float32[D, D], the linear dynamics (0 outside the drawn d x d block)
    push: jax.Array  # float32[B, D], action k adds dt * push[k] (rows >= n_a alias k mod n_a)
    unstable: jax.Array  # float32[M, D], unit rows q_j of the unstable modes (rows >= m are 0)
    coupling: jax.Array  # float32[D, D], C of the non-linearity
    eps: jax.Array  # float32 scalar, its strength
    eigenvalues: jax.Array  # float32[D], lam (unstable modes first; 0 for coordinates >= d)
    dim: jax.Array  # int32 scalar d
    num_unstable: jax.Array  # int32 scalar m
    num_actions: jax.Array  # int32 scalar n_a
    max_steps_in_episode: int = 200


@struct.dataclass
class ControlState:
    x: jax.Array  # float32[D]
    time: int


@dataclass(frozen=True, eq=False)
class RandomControl(environment.Environment):
    """Random unstable linear (mildly non-linear) control systems; see the module docstring."""

    min_dim: int = 2
    max_dim: int = 6
    min_unstable: int = 1
    max_unstable: int = 2
    min_actions: int = 2
    max_actions: int = 4
    max_nonlinearity: float = 0.5
    max_steps: int = 200
    dt: float = 0.02
    unstable_low: float = 1.0
    unstable_high: float = 4.0
    stable_low: float = -2.0
    stable_high: float = -0.5
    force_low: float = 2.0
    force_high: float = 3.0
    start_noise: float = 0.05

    def __post_init__(self):
        check_range("min_dim", self.min_dim, "max_dim", self.max_dim, 2)
        check_range("min_unstable", self.min_unstable, "max_unstable", self.max_unstable, 1)
        check_range("min_actions", self.min_actions, "max_actions", self.max_actions, 2)
        if self.max_unstable > self.min_dim:
            raise ValueError(
                f"max_unstable ({self.max_unstable}) must be <= min_dim ({self.min_dim}): "
                "every drawn system needs room for its unstable modes"
            )
        for lo, hi in (("unstable_low", "unstable_high"), ("stable_low", "stable_high"),
                       ("force_low", "force_high")):  # fmt: skip
            if getattr(self, lo) > getattr(self, hi):
                raise ValueError(
                    f"{lo} ({getattr(self, lo)}) must be <= {hi} ({getattr(self, hi)})"
                )
        if self.unstable_low <= 0:
            raise ValueError(f"unstable_low must be > 0 (unstable modes), got {self.unstable_low}")
        if self.stable_high >= 0:
            raise ValueError(f"stable_high must be < 0 (stable modes), got {self.stable_high}")
        if self.force_low <= 0:
            raise ValueError(f"force_low must be > 0, got {self.force_low}")
        if self.max_nonlinearity < 0 or self.start_noise < 0:
            raise ValueError("max_nonlinearity and start_noise must be >= 0")
        if self.max_steps < 1:
            raise ValueError(f"max_steps must be >= 1, got {self.max_steps}")
        if not self.dt > 0:
            raise ValueError(f"dt must be > 0, got {self.dt}")

    @property
    def default_params(self) -> ControlParams:
        return sample_compiled(self, jax.random.key(0))

    def sample_params(self, key: jax.Array) -> ControlParams:
        D, M, B = self.max_dim, self.max_unstable, self.max_actions
        P = (B + 1) // 2  # pairs of opposite pushes
        # few random draws, flat, sliced (each draw, and a multi-dimensional one more, adds to
        # the compile time; see random_mdp.flat_uniform)
        k_u, k_n = jax.random.split(key)
        u = jax.random.uniform(k_u, (4 + 2 * D + 2 * P,))
        z = jax.random.normal(k_n, (2 * D * D + P * D,))
        d = self.min_dim + uniform_int(u[0], self.max_dim - self.min_dim + 1)
        m = self.min_unstable + uniform_int(u[1], self.max_unstable - self.min_unstable + 1)
        n_a = self.min_actions + uniform_int(u[2], self.max_actions - self.min_actions + 1)
        eps = u[3] * self.max_nonlinearity
        u_lam_u, u_lam_s = u[4 : 4 + D], u[4 + D : 4 + 2 * D]
        u_sign, u_force = u[4 + 2 * D : 4 + 2 * D + P], u[4 + 2 * D + P :]
        z_q, z_c, z_v = z[: D * D], z[D * D : 2 * D * D], z[2 * D * D :]
        coord = jnp.arange(D) < d
        block = coord[:, None] & coord[None, :]

        # Haar-random orthogonal Q on the d-block (identity elsewhere): QR with signs fixed
        q, r = jnp.linalg.qr(jnp.where(block, z_q.reshape(D, D), jnp.eye(D)))
        q = q * jnp.sign(jnp.diag(r))[None, :]
        lam_u = self.unstable_low + (self.unstable_high - self.unstable_low) * u_lam_u
        lam_s = self.stable_low + (self.stable_high - self.stable_low) * u_lam_s
        idx = jnp.arange(D)
        lam = jnp.where(idx < m, lam_u, jnp.where(idx < d, lam_s, 0.0))
        a = (q * lam[None, :]) @ q.T

        # pair p targets mode p mod m along 0.6 (+-q_j) + 0.8 u, u a unit vector orthogonal to q_j
        j = jnp.arange(P) % m
        q_j = q[:, j].T  # [P, D]
        v = z_v.reshape(P, D) * coord
        across = v - (v * q_j).sum(-1, keepdims=True) * q_j
        across = across / jnp.maximum(jnp.linalg.norm(across, axis=-1, keepdims=True), 1e-12)
        sign = jnp.where(u_sign < 0.5, 1.0, -1.0)[:, None]
        b = ALONG * sign * q_j + ACROSS * across
        force = self.force_low + (self.force_high - self.force_low) * u_force[:, None]
        pair_push = force * lam[j][:, None] / ALONG * b  # [P, D]
        k = jnp.arange(B) % n_a  # aliases
        push = jnp.where((k % 2 == 0)[:, None], 1.0, -1.0) * pair_push[k // 2]

        coupling = z_c.reshape(D, D) * block / jnp.sqrt(d)
        unstable = q[:, :M].T * (jnp.arange(M) < m)[:, None]
        return ControlParams(
            a=a.astype(jnp.float32),
            push=push.astype(jnp.float32),
            unstable=unstable.astype(jnp.float32),
            coupling=coupling.astype(jnp.float32),
            eps=eps.astype(jnp.float32),
            eigenvalues=lam.astype(jnp.float32),
            dim=d.astype(jnp.int32),
            num_unstable=m.astype(jnp.int32),
            num_actions=n_a.astype(jnp.int32),
            max_steps_in_episode=self.max_steps,
        )

    def _fallen(self, x, params):
        return jnp.any(jnp.abs(params.unstable @ x) > 1.0)

    def step_env(self, key, state, action, params):
        x = state.x
        dx = params.a @ x + params.eps * jnp.tanh(params.coupling @ x) + params.push[action]
        x = (x + self.dt * dx).astype(jnp.float32)
        state = ControlState(x=x, time=state.time + 1)
        terminated = self._fallen(x, params)
        reward = jnp.where(terminated, 0.0, 1.0).astype(jnp.float32)
        return self.get_obs(state), state, reward, terminated, {}

    def reset_env(self, key, params):
        coord = jnp.arange(self.max_dim) < params.dim
        noise = jax.random.uniform(
            key, (self.max_dim,), minval=-self.start_noise, maxval=self.start_noise
        )
        state = ControlState(x=(noise * coord).astype(jnp.float32), time=0)
        return self.get_obs(state), state

    def get_obs(self, state, params=None, key=None):
        return state.x

    def is_terminated(self, state, params):
        return self._fallen(state.x, params)

    def is_truncated(self, state, params):
        return state.time >= params.max_steps_in_episode

    @property
    def name(self) -> str:
        return (
            f"RandomControl-d{self.min_dim}-{self.max_dim}-u{self.min_unstable}-"
            f"{self.max_unstable}-a{self.min_actions}-{self.max_actions}"
        )

    @property
    def num_actions(self) -> int:
        return self.max_actions

    def action_space(self, params=None):
        return spaces.Discrete(self.max_actions)

    def observation_space(self, params=None):
        return spaces.Box(-jnp.inf, jnp.inf, (self.max_dim,), jnp.float32)

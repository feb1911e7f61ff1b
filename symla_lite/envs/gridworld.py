"""Grid world with a heart (+1) and a trap (-1), on the gymnax Environment API (reconstruction).

The paper's main text is not available to us; this is our reconstruction of SPEC section 3. A
`size` x `size` grid holds the agent and two objects. The start cell, the heart and the trap are
three distinct cells drawn by `sample_params(key)` once per lifetime and fixed while episodes
repeat. With `min_size` < `size` the grid's side is drawn per lifetime too, uniformly in
[min_size, size] (a procedural family; its cells lie in a corner of the largest grid, so arrays
keep static shapes); `min_size=None` keeps every grid at `size`. Four moves (up, down, left,
right; a move into a wall stays put). Stepping onto an object collects it (reward `heart_reward`
or `trap_reward`) and ends the episode; an episode also ends after `max_steps` steps. The
observation is float32[4], the offsets (row, column) from the agent to the heart and then to the
trap, divided by the side - 1: which inputs belong to which object is visible to an agent that
can tell its inputs apart (MetaRNN) and not to one invariant to input order (SymLA), which must
learn from rewards which object pays. `observe="position"` (an ablation of the reconstruction)
shows float32[2] instead, the agent's own (row, column) divided by the side - 1: the objects are
then invisible and where they lie is learned from rewards within the lifetime. `swap=True` swaps
the two rewards (the unseen task of SPEC section 4 item 4). info["object"] is 1 for a heart, -1
for a trap, else 0.
"""

from dataclasses import dataclass

import jax
import jax.numpy as jnp
from flax import struct
from gymnax.environments import environment, spaces

MOVES = jnp.array([[-1, 0], [1, 0], [0, -1], [0, 1]], jnp.int32)  # up, down, left, right
OBSERVE = ("offsets", "position")


@struct.dataclass
class GridParams:
    start: jax.Array  # int32[2], the agent's cell at every episode start
    heart: jax.Array  # int32[2]
    trap: jax.Array  # int32[2]
    heart_reward: jax.Array  # float32 scalar
    trap_reward: jax.Array  # float32 scalar
    max_steps_in_episode: int = 20
    side: jax.Array = 0  # int32 scalar, this lifetime's grid side (read when min_size < size)


@struct.dataclass
class GridState:
    pos: jax.Array  # int32[2]
    time: int


@dataclass(frozen=True, eq=False)
class GridWorld(environment.Environment):
    """The heart-and-trap grid world; see the module docstring."""

    size: int = 4
    max_steps: int = 20
    swap: bool = False
    observe: str = "offsets"
    min_size: int | None = None  # None: every grid is size x size

    def __post_init__(self):
        if self.observe not in OBSERVE:
            raise ValueError(f"observe must be one of {OBSERVE}, got {self.observe!r}")
        if self.size < 2:
            raise ValueError(f"grid size must be >= 2 (three distinct cells), got {self.size}")
        if self.min_size is not None and not 2 <= self.min_size <= self.size:
            raise ValueError(f"min_size must lie in [2, size={self.size}], got {self.min_size}")
        if self.max_steps < 1:
            raise ValueError(f"max_steps must be >= 1, got {self.max_steps}")

    def _rewards(self):
        heart, trap = (-1.0, 1.0) if self.swap else (1.0, -1.0)
        return jnp.float32(heart), jnp.float32(trap)

    @property
    def default_params(self) -> GridParams:
        heart_r, trap_r = self._rewards()
        s = self.size - 1
        return GridParams(
            start=jnp.array([0, 0], jnp.int32),
            heart=jnp.array([s, s], jnp.int32),
            trap=jnp.array([0, s], jnp.int32),
            heart_reward=heart_r,
            trap_reward=trap_r,
            max_steps_in_episode=self.max_steps,
            side=jnp.int32(self.size),
        )

    @property
    def varies(self) -> bool:
        return self.min_size is not None and self.min_size < self.size

    def _side(self, params):
        """The grid's side this lifetime (a Python int when every grid has the same)."""
        return params.side if self.varies else self.size

    def sample_params(self, key: jax.Array) -> GridParams:
        if self.varies:
            key_side, key = jax.random.split(key)
            side = jax.random.randint(key_side, (), self.min_size, self.size + 1)
            rows, cols = jnp.divmod(jnp.arange(self.size**2), self.size)
            inside = (rows < side) & (cols < side)
            # three distinct cells inside the side x side corner, uniformly
            scores = jnp.where(inside, jax.random.uniform(key, (self.size**2,)), 2.0)
            cells = jnp.argsort(scores)[:3]
        else:
            side = self.size
            cells = jax.random.choice(key, self.size**2, (3,), replace=False)
        rc = jnp.stack([cells // self.size, cells % self.size], -1).astype(jnp.int32)
        heart_r, trap_r = self._rewards()
        return GridParams(
            start=rc[0],
            heart=rc[1],
            trap=rc[2],
            heart_reward=heart_r,
            trap_reward=trap_r,
            max_steps_in_episode=self.max_steps,
            side=jnp.int32(side),
        )

    def step_env(self, key, state, action, params):
        pos = jnp.clip(state.pos + MOVES[action], 0, self._side(params) - 1)
        at_heart = jnp.all(pos == params.heart)
        at_trap = jnp.all(pos == params.trap)
        reward = jnp.where(at_heart, params.heart_reward, 0.0) + jnp.where(
            at_trap, params.trap_reward, 0.0
        )
        obj = at_heart.astype(jnp.int32) - at_trap.astype(jnp.int32)
        state = GridState(pos=pos, time=state.time + 1)
        done = jnp.logical_or(at_heart, at_trap)
        return self.get_obs(state, params), state, reward.astype(jnp.float32), done, {"object": obj}

    def reset_env(self, key, params):
        state = GridState(pos=params.start, time=0)
        return self.get_obs(state, params), state

    def get_obs(self, state, params=None, key=None):
        if self.observe == "position":
            return state.pos.astype(jnp.float32) / (self._side(params) - 1)
        offsets = jnp.concatenate([params.heart - state.pos, params.trap - state.pos])
        return offsets.astype(jnp.float32) / (self._side(params) - 1)

    def is_terminated(self, state, params):
        return jnp.logical_or(jnp.all(state.pos == params.heart), jnp.all(state.pos == params.trap))

    def is_truncated(self, state, params):
        return state.time >= params.max_steps_in_episode

    @property
    def name(self) -> str:
        position = "-position" if self.observe == "position" else ""
        size = f"{self.min_size}to{self.size}" if self.varies else f"{self.size}"
        return f"GridWorld-{size}" + position + ("-swapped" if self.swap else "")

    @property
    def num_actions(self) -> int:
        return 4

    def action_space(self, params=None):
        return spaces.Discrete(4)

    def observation_space(self, params=None):
        if self.observe == "position":
            return spaces.Box(0.0, 1.0, (2,), jnp.float32)
        return spaces.Box(-1.0, 1.0, (4,), jnp.float32)

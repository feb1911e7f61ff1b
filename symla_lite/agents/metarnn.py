"""MetaRNN (Wang et al. 2016; Duan et al. 2016): one LSTM fed [obs, onehot(prev_action), r].

At equal inputs (`max_actions`): its action head and its one-hot of the previous action are sized
for `max_actions` whatever the task, and a task with fewer actions masks the logits of the absent
ones (they are dropped: sampling among the present actions is sampling with the absent ones' logits
at minus infinity). One set of parameters then runs on every task with `num_obs` inputs (16, with
observations projected) and at most `max_actions` actions, as SymLA does on any task.
"""

import dataclasses
from dataclasses import dataclass

import jax
import jax.numpy as jnp
from flax import struct

from symla_lite.agents.lstm import LSTMParams, lstm_cell, lstm_init


@struct.dataclass
class MetaRNNState:
    h: jax.Array  # float32[N]
    c: jax.Array  # float32[N]


@struct.dataclass
class MetaRNNParams:
    lstm: LSTMParams
    w_out: jax.Array  # float32[N, B]
    b_out: jax.Array  # float32[B]


@dataclass(frozen=True)
class MetaRNN:
    """MetaRNN agent: its parameter shapes fix num_obs (A) and num_actions (B).

    Built without sizes (`make("metarnn")`), it must be sized with `for_task(A, B)` before use.
    """

    num_obs: int | None = None
    num_actions: int | None = None
    hidden: int = 16
    init_state: str = "zeros"
    max_actions: int | None = None  # None: the head has num_actions logits (sized per task)
    name: str = "metarnn"

    def __post_init__(self):
        if self.num_obs is not None and self.num_obs < 1:
            raise ValueError(f"MetaRNN needs num_obs >= 1, got {self.num_obs}")
        if self.num_actions is not None and self.num_actions < 2:
            raise ValueError(f"MetaRNN needs at least two actions, got {self.num_actions}")
        if self.hidden < 1:
            raise ValueError(f"MetaRNN hidden must be >= 1, got {self.hidden}")
        if self.max_actions is not None:
            if self.max_actions < 2:
                raise ValueError(f"MetaRNN needs max_actions >= 2, got {self.max_actions}")
            if self.num_actions is not None and self.num_actions > self.max_actions:
                raise ValueError(
                    f"MetaRNN has an action head of max_actions={self.max_actions} and cannot run "
                    f"a task with {self.num_actions} actions"
                )
        if self.init_state not in ("zeros", "random"):
            raise ValueError(f"init_state must be 'zeros' or 'random', got {self.init_state!r}")

    def for_task(self, num_obs: int, num_actions: int) -> "MetaRNN":
        """This MetaRNN built for num_obs inputs and num_actions actions."""
        return dataclasses.replace(self, num_obs=int(num_obs), num_actions=int(num_actions))

    @property
    def head(self) -> int:
        """The number of logits its parameters produce: max_actions, else num_actions."""
        self._check_built()
        return self.max_actions or self.num_actions

    def _check_built(self) -> None:
        if self.num_obs is None or self.num_actions is None:
            raise ValueError(
                "MetaRNN has no sizes yet: its parameter shapes fix num_obs and num_actions; "
                "use agent.for_task(num_obs, num_actions) or make('metarnn', num_obs=..., "
                "num_actions=...)"
            )

    def init(self, key: jax.Array) -> MetaRNNParams:
        self._check_built()
        k_lstm, k_out = jax.random.split(key)
        in_dim = self.num_obs + self.head + 1
        return MetaRNNParams(
            lstm=lstm_init(k_lstm, in_dim, self.hidden),
            w_out=jax.nn.initializers.lecun_normal()(k_out, (self.hidden, self.head), jnp.float32),
            b_out=jnp.zeros((self.head,), jnp.float32),
        )

    def _check_sizes(self, num_obs: int, num_actions: int) -> None:
        self._check_built()
        if (num_obs, num_actions) != (self.num_obs, self.num_actions):
            raise ValueError(
                f"MetaRNN was built for num_obs={self.num_obs}, num_actions={self.num_actions} and "
                f"cannot run with num_obs={num_obs}, num_actions={num_actions}: its parameter "
                "shapes fix both (SymLA runs on any size)"
            )

    def initial_state(self, key: jax.Array, num_obs: int, num_actions: int) -> MetaRNNState:
        self._check_sizes(int(num_obs), int(num_actions))
        if self.init_state == "random":
            kh, kc = jax.random.split(key)
            return MetaRNNState(
                h=jax.random.normal(kh, (self.hidden,), jnp.float32),
                c=jax.random.normal(kc, (self.hidden,), jnp.float32),
            )
        zeros = jnp.zeros((self.hidden,), jnp.float32)
        return MetaRNNState(h=zeros, c=zeros)

    def step(
        self,
        params: MetaRNNParams,
        state: MetaRNNState,
        obs: jax.Array,
        prev_action: jax.Array,
        prev_reward: jax.Array,
    ) -> tuple[jax.Array, MetaRNNState]:
        """obs: float32[A]; prev_action: int32 scalar (-1: none); prev_reward: float32 scalar.

        Returns logits float32[B] (B = num_actions; with max_actions, the first B of the head's
        max_actions logits, the absent actions' masked) and the new state.
        """
        obs = jnp.asarray(obs, jnp.float32)
        if obs.ndim != 1:
            raise ValueError(f"MetaRNN expects obs of shape ({self.num_obs},), got {obs.shape}")
        self._check_sizes(obs.shape[0], self.num_actions)
        x = jnp.concatenate(
            [
                obs,
                jax.nn.one_hot(prev_action, self.head, dtype=jnp.float32),
                jnp.asarray(prev_reward, jnp.float32)[None],
            ]
        )
        h, c = lstm_cell(params.lstm, x, state.h, state.c)
        logits = h @ params.w_out + params.b_out
        if self.head != self.num_actions:  # at equal inputs: mask the absent actions
            logits = logits[: self.num_actions]
        return logits, MetaRNNState(h=h, c=c)

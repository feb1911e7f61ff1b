"""SymLA: every weight of a dense network is a small LSTM, all sharing one set of parameters.

A layer with A inputs and B outputs holds A x B LSTM states h[a, b] (Algorithm 1, Eq. 8 of the
paper). At each micro tick every cell reads [x_a, y_b, r, fwd_b, bwd_a] and its own state:

- x_a: the observation component a (layer 1) or the forward message of input a from layer k-1;
- y_b: the one-hot previous action at b (last layer) or the backward message of output b from
  layer k+1;
- r: the previous reward;
- fwd_b = reduce_a (h[a, b] @ W_fwd), bwd_a = reduce_b (h[a, b] @ W_bwd): the layer's own messages.

The logits are the first component of the last layer's forward messages (squashed into
[-readout_bound, readout_bound] when that is set). Sums over a and over b
make the logits invariant to permuting observation components and equivariant to permuting actions,
and nothing in the parameters depends on A or B.
"""

from dataclasses import dataclass

import jax
import jax.numpy as jnp
from flax import struct

from symla_lite.agents.lstm import LSTMParams, lstm_cell, lstm_init
from symla_lite.agents.protocol import AnySize

INIT_STATES = ("zeros", "random", "partial")


@struct.dataclass
class LayerState:
    h: jax.Array  # float32[A, B, N]
    c: jax.Array  # float32[A, B, N]
    fwd: jax.Array  # float32[B, Mf]
    bwd: jax.Array  # float32[A, Mb]


@struct.dataclass
class SymLAState:
    layers: tuple[LayerState, ...]


@struct.dataclass
class SymLAParams:
    lstm: LSTMParams
    w_fwd: jax.Array  # float32[N, Mf]
    w_bwd: jax.Array  # float32[N, Mb]


@dataclass(frozen=True)
class SymLA(AnySize):
    """SymLA agent (SPEC section 1).

    hidden: LSTM hidden size N. layers: K. widths: the K - 1 intermediate layer widths.
    micro_ticks: cell updates per environment step. fwd_size, bwd_size: message sizes Mf, Mb.
    message_reduce: "mean" (the VSML code; default) or "sum" (the paper's equations).
    init_state: "zeros"; "random" (h and c i.i.d. standard normal per cell, drawn per lifetime);
        "partial" (as the VSML code: h = 0, c standard normal in the first half of each cell's
        units and 0 in the rest).
    input_bias, forget_bias: initial input- and forget-gate biases of the shared LSTM: -5 and +5,
        the offsets of the VSML code (cells keep their memory and write slowly); 0 and 1 are the
        usual LSTM initialisation.
    readout_bound: None (default: the logits as they are) or b > 0: logits b * tanh(logits / b),
        so that no action's log-odds against another exceed 2b (the policy cannot commit fully
        to one action); an ablation option.
    The defaults are the recipe the ablation chose (notebooks/ablations.ipynb): with `sum`
    messages and biases 0 and 1 SymLA did not meta-learn the grid world at the lite budget.
    """

    hidden: int = 16
    layers: int = 1
    widths: tuple[int, ...] = ()
    micro_ticks: int = 2
    fwd_size: int = 8
    bwd_size: int = 8
    message_reduce: str = "mean"
    init_state: str = "zeros"
    input_bias: float = -5.0
    forget_bias: float = 5.0
    readout_bound: float | None = None
    name: str = "symla"

    def __post_init__(self):
        object.__setattr__(self, "widths", tuple(int(w) for w in self.widths))
        if self.layers < 1:
            raise ValueError(f"SymLA needs layers >= 1, got {self.layers}")
        if self.layers > 1 and not self.widths:
            object.__setattr__(self, "widths", (self.fwd_size,) * (self.layers - 1))
        if len(self.widths) != self.layers - 1:
            raise ValueError(
                f"SymLA with layers={self.layers} needs {self.layers - 1} widths, got {self.widths}"
            )
        if self.message_reduce not in ("sum", "mean"):
            raise ValueError(f"message_reduce must be 'sum' or 'mean', got {self.message_reduce!r}")
        if self.init_state not in INIT_STATES:
            raise ValueError(f"init_state must be one of {INIT_STATES}, got {self.init_state!r}")
        if self.readout_bound is not None and not self.readout_bound > 0:
            raise ValueError(f"readout_bound must be None or > 0, got {self.readout_bound}")
        for field in ("hidden", "micro_ticks", "fwd_size", "bwd_size"):
            if getattr(self, field) < 1:
                raise ValueError(f"SymLA {field} must be >= 1, got {getattr(self, field)}")

    @property
    def _slots(self) -> tuple[int, int]:
        """Sizes of the x and y input slots: scalars for one layer, messages for several."""
        if self.layers == 1:
            return 1, 1
        return self.fwd_size, self.bwd_size

    @property
    def cell_input_size(self) -> int:
        sx, sy = self._slots
        return sx + sy + 1 + self.fwd_size + self.bwd_size

    def init(self, key: jax.Array) -> SymLAParams:
        k_lstm, k_fwd, k_bwd = jax.random.split(key, 3)
        normal = jax.nn.initializers.lecun_normal()
        return SymLAParams(
            lstm=lstm_init(
                k_lstm, self.cell_input_size, self.hidden, self.input_bias, self.forget_bias
            ),
            w_fwd=normal(k_fwd, (self.hidden, self.fwd_size), jnp.float32),
            w_bwd=normal(k_bwd, (self.hidden, self.bwd_size), jnp.float32),
        )

    def initial_state(self, key: jax.Array, num_obs: int, num_actions: int) -> SymLAState:
        num_obs, num_actions = int(num_obs), int(num_actions)
        if num_obs < 1:
            raise ValueError(f"SymLA needs at least one observation component, got {num_obs}")
        if num_actions < 2:
            raise ValueError(f"SymLA needs at least two actions, got {num_actions}")
        sizes = (num_obs, *self.widths, num_actions)
        keys = jax.random.split(key, self.layers)
        layers = []
        for k in range(self.layers):
            a, b = sizes[k], sizes[k + 1]
            shape = (a, b, self.hidden)
            if self.init_state == "random":
                kh, kc = jax.random.split(keys[k])
                h = jax.random.normal(kh, shape, jnp.float32)
                c = jax.random.normal(kc, shape, jnp.float32)
            elif self.init_state == "partial":
                h = jnp.zeros(shape, jnp.float32)
                half = self.hidden // 2
                c = h.at[..., :half].set(jax.random.normal(keys[k], (a, b, half), jnp.float32))
            else:
                h = c = jnp.zeros(shape, jnp.float32)
            layers.append(
                LayerState(
                    h=h,
                    c=c,
                    fwd=jnp.zeros((b, self.fwd_size), jnp.float32),
                    bwd=jnp.zeros((a, self.bwd_size), jnp.float32),
                )
            )
        return SymLAState(layers=tuple(layers))

    def _reduce(self, x: jax.Array, axis: int) -> jax.Array:
        return x.sum(axis) if self.message_reduce == "sum" else x.mean(axis)

    def _tick(
        self, params: SymLAParams, state: SymLAState, obs: jax.Array, action_1h: jax.Array, r
    ) -> SymLAState:
        """One micro tick: every layer updates from the messages of the previous tick."""
        sx, sy = self._slots
        layers = state.layers
        new_layers = []
        for k, layer in enumerate(layers):
            a, b = layer.h.shape[:2]
            x = obs[:, None] if k == 0 else layers[k - 1].fwd  # [A, sx or Mf]
            x = jnp.pad(x, ((0, 0), (0, sx - x.shape[1])))
            last = k == len(layers) - 1
            y = action_1h[:, None] if last else layers[k + 1].bwd  # [B, sy or Mb]
            y = jnp.pad(y, ((0, 0), (0, sy - y.shape[1])))
            inputs = jnp.concatenate(
                [
                    jnp.broadcast_to(x[:, None, :], (a, b, sx)),
                    jnp.broadcast_to(y[None, :, :], (a, b, sy)),
                    jnp.broadcast_to(r, (a, b, 1)),
                    jnp.broadcast_to(layer.fwd[None, :, :], (a, b, self.fwd_size)),
                    jnp.broadcast_to(layer.bwd[:, None, :], (a, b, self.bwd_size)),
                ],
                axis=-1,
            )
            h, c = lstm_cell(params.lstm, inputs, layer.h, layer.c)
            # The message maps are linear, so reducing before projecting is exact and cheaper.
            fwd = self._reduce(h, 0) @ params.w_fwd
            bwd = self._reduce(h, 1) @ params.w_bwd
            new_layers.append(LayerState(h=h, c=c, fwd=fwd, bwd=bwd))
        return SymLAState(layers=tuple(new_layers))

    def step(
        self,
        params: SymLAParams,
        state: SymLAState,
        obs: jax.Array,
        prev_action: jax.Array,
        prev_reward: jax.Array,
    ) -> tuple[jax.Array, SymLAState]:
        """obs: float32[A]; prev_action: int32 scalar (-1: none); prev_reward: float32 scalar.

        Returns logits float32[B] and the new state.
        """
        num_obs = state.layers[0].h.shape[0]
        num_actions = state.layers[-1].h.shape[1]
        obs = jnp.asarray(obs, jnp.float32)
        if obs.shape != (num_obs,):
            raise ValueError(
                f"SymLA state was built for {num_obs} observation components, got obs of shape "
                f"{obs.shape}"
            )
        action_1h = jax.nn.one_hot(prev_action, num_actions, dtype=jnp.float32)
        r = jnp.asarray(prev_reward, jnp.float32)
        for _ in range(self.micro_ticks):
            state = self._tick(params, state, obs, action_1h, r)
        logits = state.layers[-1].fwd[:, 0]
        if self.readout_bound is not None:
            logits = self.readout_bound * jnp.tanh(logits / self.readout_bound)
        return logits, state

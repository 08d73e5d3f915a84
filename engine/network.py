"""Networks and their training: one network, or many side by side.

A Trainer holds S independent networks of one architecture, stacked along a
leading axis: W[l] has shape (S, n_l, n_{l+1}). One network is simply S = 1 (its
arithmetic then runs on 2-D views with `.dot`, exactly the tutorials' calls).
A training step is one weight update:

    forward   a[0] = X,   z[l+1] = a[l] @ W[l] (+ b[l]),   a[l+1] = f(z[l+1])
    output    delta = (y - a[L]) * scale * f'(a[L])          (see engine.losses)
    backward  delta_prev = (delta @ W[l].T) * f'(a[l])       (before W[l] changes)
    update    W[l] += learning_rate * a[l].T @ delta
"""

from dataclasses import asdict, dataclass, fields

import numpy as np

from .activations import ACTIVATIONS
from .initializers import INITIALIZERS
from .losses import LOSSES

HISTORY_CHUNK = 1 << 14  # history grows in blocks: 10^6 steps cost ~60 regrowths, not 10^6 appends
_BUFFER_FLOATS = 1 << 20  # per-step output buffer kept under ~8 MB


@dataclass(frozen=True)
class NetworkConfig:
    """Everything that decides a run apart from the table. batch_size 0 = full batch."""

    layer_sizes: tuple = (3, 4, 1)  # (n_in, hidden..., n_out)
    hidden_activation: str = "sigmoid"
    output_activation: str = "sigmoid"
    bias: bool = False
    init: str = "uniform"
    loss: str = "tutorial"
    learning_rate: float = 1.0
    batch_size: int = 0
    seed: int = 1

    def problems(self):
        """Plain-language reasons this configuration cannot be trained ([] if none)."""
        found = []
        sizes = self.layer_sizes
        if len(sizes) < 2 or any(not isinstance(s, (int, np.integer)) or s < 1 for s in sizes):
            found.append(f"layer sizes must be at least two whole numbers >= 1, got {list(sizes)}")
        for field, registry in (("hidden_activation", ACTIVATIONS), ("output_activation", ACTIVATIONS),
                                ("init", INITIALIZERS), ("loss", LOSSES)):
            name = getattr(self, field)
            if name not in registry:
                found.append(f"unknown {field.replace('_', ' ')} {name!r}; choose from {', '.join(registry)}")
        loss = LOSSES.get(self.loss)
        if loss and loss.needs_output and self.output_activation != loss.needs_output:
            found.append(f"{loss.label} needs a {loss.needs_output} output layer, not {self.output_activation}")
        if not (np.isfinite(self.learning_rate) and self.learning_rate > 0):
            found.append(f"learning rate must be a positive number, got {self.learning_rate!r}")
        if self.batch_size < 0:
            found.append(f"batch size must be 0 (full batch) or more, got {self.batch_size}")
        if not 0 <= self.seed < 2**32:
            found.append(f"seed must be between 0 and {2**32 - 1}, got {self.seed}")
        return found

    @property
    def activations(self):
        """Activation name of each weight layer, first to last."""
        return [self.hidden_activation] * (len(self.layer_sizes) - 2) + [self.output_activation]

    def replace(self, **changes):
        return NetworkConfig(**{**asdict(self), **changes})

    def to_dict(self):
        d = asdict(self)
        d["layer_sizes"] = [int(s) for s in self.layer_sizes]
        return d

    @classmethod
    def from_dict(cls, d):
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        d = dict(d)
        if "layer_sizes" in d:
            d["layer_sizes"] = tuple(int(s) for s in d["layer_sizes"])
        return cls(**d)


@dataclass(frozen=True)
class RunReport:
    steps_done: int
    diverged: bool  # True if a network stopped in this run because its numbers blew up
    message: str = ""


class Trainer:
    """S networks with one config trained side by side on X (n_rows, n_in), Y (n_rows, n_out).

    seeds: one per network (default [config.seed]); learning_rates: one per network.
    Network k gives the same numbers as a Trainer with seeds=[seeds[k]] alone.
    """

    def __init__(self, config, X, Y, seeds=None, learning_rates=None, chunk=256):
        problems = config.problems()
        if problems:
            raise ValueError("; ".join(problems))
        self.config = config
        self.X = np.ascontiguousarray(X, dtype=np.float64)
        self.Y = np.ascontiguousarray(Y, dtype=np.float64)
        sizes = config.layer_sizes
        if self.X.ndim != 2 or self.Y.ndim != 2 or len(self.X) != len(self.Y) or len(self.X) == 0:
            raise ValueError(f"X and Y need the same number (>= 1) of rows; got shapes {self.X.shape}, {self.Y.shape}")
        if self.X.shape[1] != sizes[0] or self.Y.shape[1] != sizes[-1]:
            raise ValueError(f"table has {self.X.shape[1]} inputs and {self.Y.shape[1]} outputs, "
                             f"the network expects {sizes[0]} and {sizes[-1]}")
        self.seeds = np.array([config.seed] if seeds is None else list(seeds), dtype=np.int64)
        if self.seeds.ndim != 1 or len(self.seeds) == 0 or (self.seeds < 0).any() or (self.seeds >= 2**32).any():
            raise ValueError("seeds must be a non-empty list of whole numbers in [0, 2**32)")
        rates = config.learning_rate if learning_rates is None else learning_rates
        self.learning_rates = np.broadcast_to(np.asarray(rates, dtype=np.float64), self.seeds.shape).copy()
        if not (np.isfinite(self.learning_rates).all() and (self.learning_rates > 0).all()):
            raise ValueError("learning rates must be positive numbers")
        self._chunk = int(chunk)
        self._forwards = [ACTIVATIONS[name].forward for name in config.activations]
        self._slopes = [ACTIVATIONS[name].derivative_from_output for name in config.activations]
        self._loss = LOSSES[config.loss]
        n_rows = len(self.X)
        self.batch_rows = n_rows if config.batch_size in (0,) or config.batch_size >= n_rows else config.batch_size
        self.full_batch = self.batch_rows == n_rows
        self.reset()

    # -- state ----------------------------------------------------------------

    @property
    def n_networks(self):
        return len(self.seeds)

    def reset(self):
        """Back to the starting weights the seeds give, step 0, empty history."""
        S = self.n_networks
        sizes = self.config.layer_sizes
        draw = INITIALIZERS[self.config.init].draw
        self._rngs = [np.random.RandomState(int(seed)) for seed in self.seeds]
        per_network = [[draw(rng, n_in, n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:])] for rng in self._rngs]
        self.W = [np.ascontiguousarray(np.stack([net[l] for net in per_network])) for l in range(len(sizes) - 1)]
        self.b = [np.zeros((S, 1, n_out)) for n_out in sizes[1:]] if self.config.bias else []
        self.steps = 0
        self._mae = np.empty((S, 0))
        self._loss_history = np.empty((S, 0))
        self.diverged_at = np.full(S, -1, dtype=np.int64)  # update that blew network k up; -1: healthy
        self._frozen = {}  # k -> last finite (W, b) of a diverged network in a sweep
        self._pending = np.empty((S, 0), dtype=np.intp)  # shuffled row order not yet used
        self.last_outputs = None  # outputs of the latest training forward pass (before its update)
        buffer_steps = max(1, min(self._chunk, _BUFFER_FLOATS // (S * self.batch_rows * sizes[-1])))
        self._chunk = min(self._chunk, buffer_steps)
        self._zbuf = np.empty((self._chunk, S, self.batch_rows, sizes[-1]))
        self._ybuf = None if self.full_batch else np.empty_like(self._zbuf)

    def set_learning_rate(self, learning_rate):
        """Change the step size without re-initialising; a diverged single net may go on."""
        self.config = self.config.replace(learning_rate=float(learning_rate))
        self.learning_rates[:] = learning_rate
        if self.n_networks == 1:
            self.diverged_at[:] = -1

    @property
    def mean_abs_error(self):
        """(S, steps): mean |y - a| of each step's forward pass, as the tutorials print it."""
        return self._mae[:, : self.steps]

    @property
    def loss_history(self):
        """(S, steps): the loss of each step's forward pass."""
        return self._loss_history[:, : self.steps]

    def weights(self, network=0):
        """Copies of network k's weight matrices, W[l] (n_l, n_{l+1})."""
        return [W[network].copy() for W in self.W]

    def biases(self, network=0):
        """Copies of network k's biases b[l] (n_{l+1},), or [] without bias."""
        return [b[network, 0].copy() for b in self.b]

    # -- forward ---------------------------------------------------------------

    def forward(self, X, network=0):
        """Every layer on rows X (n_rows, n_in): (zs, activations), zs[l] (n_rows, n_{l+1}), activations[0] = X."""
        # Row-major like the training arrays: BLAS may round a column-major copy differently.
        a = np.ascontiguousarray(X, dtype=np.float64)
        zs, activations = [], [a]
        with np.errstate(all="ignore"):
            for l, W in enumerate(self.W):
                z = a.dot(W[network])
                if self.b:
                    z = z + self.b[l][network]
                a = self._forwards[l](z)
                zs.append(z)
                activations.append(a)
        return zs, activations

    def predict(self, X, network=0):
        """Outputs (n_rows, n_out) of network k for scaled rows X (n_rows, n_in)."""
        return self.forward(X, network)[1][-1]

    def predict_all(self, X):
        """Outputs (S, n_rows, n_out) of every network for scaled rows X (n_rows, n_in)."""
        a = np.ascontiguousarray(X, dtype=np.float64)
        with np.errstate(all="ignore"):
            for l, W in enumerate(self.W):
                z = np.matmul(a, W)
                if self.b:
                    z += self.b[l]
                a = self._forwards[l](z, z)
        return a

    # -- training ----------------------------------------------------------------

    def step(self):
        """One weight update."""
        return self.run(1)

    def run(self, n_steps):
        """Train n_steps more updates; in chunks or at once, the numbers are the same."""
        n_steps = int(n_steps)
        done, diverged_before = 0, int((self.diverged_at >= 0).sum())
        if self.n_networks == 1 and self.diverged_at[0] >= 0:
            return RunReport(0, True, self.divergence_message())
        with np.errstate(all="ignore"):
            while done < n_steps and not (self.diverged_at >= 0).all():
                m = min(n_steps - done, self._chunk)
                saved = self._snapshot()
                self._advance(m)
                if self._unhealthy().any():
                    self._restore(saved)
                    m = self._advance_carefully(m)
                done += m
                if self.n_networks == 1 and self.diverged_at[0] >= 0:
                    break
        newly = int((self.diverged_at >= 0).sum()) - diverged_before
        return RunReport(done, newly > 0, self.divergence_message() if newly else "")

    def divergence_message(self):
        bad = np.flatnonzero(self.diverged_at >= 0)
        if len(bad) == 0:
            return ""
        if self.n_networks == 1:
            return (f"Training stopped: update {self.diverged_at[0]} made the numbers overflow "
                    f"(learning rate {self.learning_rates[0]:g} is too large). The weights from "
                    f"step {self.steps}, the last finite ones, are kept; lower the learning rate or reset.")
        if len(bad) == self.n_networks:
            return f"All {self.n_networks} networks diverged and stopped: lower the learning rate."
        return f"{len(bad)} of {self.n_networks} networks diverged and stopped; the others went on."

    def _advance(self, m):
        """Run m updates on every network, then record their history."""
        self._grow_history(self.steps + m)
        self._kernel(m)
        self._record(m)
        for k, (W, b) in self._frozen.items():  # diverged networks keep their last finite weights
            for l in range(len(self.W)):
                self.W[l][k] = W[l]
                if self.b:
                    self.b[l][k] = b[l]

    def _kernel(self, m):
        """m training steps, the output pre-activations of step i written to _zbuf[i]."""
        single = self.n_networks == 1
        if single:  # 2-D views: `.dot` is the tutorials' call and the fastest for tiny matrices
            Ws, bs = [W[0] for W in self.W], [b[0] for b in self.b]
            mm, zbuf = np.ndarray.dot, self._zbuf[:, 0]
            ybuf = None if self._ybuf is None else self._ybuf[:, 0]
            lr = self.learning_rates[0]
            scale_update = lr != 1.0
        else:
            Ws, bs, mm, zbuf, ybuf = self.W, self.b, np.matmul, self._zbuf, self._ybuf
            lr = self.learning_rates[:, None, None]
            scale_update = True
        forwards, slopes = self._forwards, self._slopes
        n_layers = len(Ws)
        last = n_layers - 1
        loss = self._loss
        loss_scale = loss.scale(self.batch_rows * self.config.layer_sizes[-1])
        uses_slope = loss.uses_slope
        X, Y = self.X, self.Y
        XT = X.T
        k = self.batch_rows
        if not self.full_batch:
            rows = self._take_rows(m * k)
            if single:
                rows = rows[0]
        for i in range(m):
            if self.full_batch:
                a, y, a0T = X, Y, XT
            else:
                batch = rows[..., i * k:(i + 1) * k]
                a, y = X[batch], Y[batch]
                ybuf[i] = y
                a0T = a.mT
            activations = [a]
            for l in range(last):
                z = mm(a, Ws[l])
                if bs:
                    z += bs[l]
                a = forwards[l](z, z)
                activations.append(a)
            z = mm(a, Ws[last], out=zbuf[i])
            if bs:
                z += bs[last]
            out = forwards[last](z)
            error = y - out
            if uses_slope:
                delta = slopes[last](out)
                delta *= error
            else:
                delta = error
            if loss_scale != 1.0:
                delta *= loss_scale
            for l in range(last, -1, -1):
                a_in = activations[l]
                if l:
                    back = mm(delta, Ws[l].mT)  # before W[l] changes
                    delta_prev = slopes[l - 1](a_in)
                    delta_prev *= back
                grad = mm(a_in.mT if l else a0T, delta)
                if scale_update:
                    grad *= lr
                Ws[l] += grad
                if bs:
                    grad_b = delta.sum(axis=-2, keepdims=True)
                    if scale_update:
                        grad_b *= lr
                    bs[l] += grad_b
                if l:
                    delta = delta_prev
        if m:
            self.last_outputs = out if not single else out[None]

    def _record(self, m):
        """History of the m steps just run, from the stored output pre-activations."""
        z = self._zbuf[:m]
        y = self.Y if self.full_batch else self._ybuf[:m]
        a = forward_any(self.config.output_activation, z)
        error = y - a
        span = slice(self.steps, self.steps + m)
        self._mae[:, span] = np.mean(np.abs(error), axis=(-2, -1)).T
        self._loss_history[:, span] = self._loss.value(z, a, y).T
        for k in self._frozen:
            self._mae[k, span] = np.nan
            self._loss_history[k, span] = np.nan
        self.steps += m

    def _grow_history(self, needed):
        have = self._mae.shape[1]
        if needed <= have:
            return
        size = max(needed, have + HISTORY_CHUNK, 2 * have)
        for name in ("_mae", "_loss_history"):
            old = getattr(self, name)
            new = np.empty((self.n_networks, size))
            new[:, :have] = old
            setattr(self, name, new)

    def _take_rows(self, count):
        """(S, count) row indices: each network walks its own shuffled passes through the table."""
        n_rows = len(self.X)
        short = count - self._pending.shape[1]
        if short > 0:
            passes = -(-short // n_rows)
            fresh = np.stack([np.concatenate([rng.permutation(n_rows) for _ in range(passes)]) for rng in self._rngs])
            self._pending = np.concatenate([self._pending, fresh], axis=1)
        taken, self._pending = self._pending[:, :count], self._pending[:, count:]
        return taken

    # -- divergence --------------------------------------------------------------

    def _healthy_networks(self, first_step):
        """(S,) True where weights, current outputs and history since first_step are finite."""
        ok = np.isfinite(self._mae[:, first_step:self.steps]).all(axis=1)
        ok &= np.isfinite(self._loss_history[:, first_step:self.steps]).all(axis=1)
        for W in self.W + self.b:
            ok &= np.isfinite(W).all(axis=(1, 2))
        ok &= np.isfinite(self.predict_all(self.X)).all(axis=(1, 2))
        return ok

    def _unhealthy(self):
        bad = ~self._healthy_networks(self._last_start)
        bad[list(self._frozen)] = False
        return bad

    def _snapshot(self):
        self._last_start = self.steps
        return dict(
            W=[W.copy() for W in self.W], b=[b.copy() for b in self.b], steps=self.steps,
            pending=self._pending.copy(),
            rngs=None if self.full_batch else [rng.get_state() for rng in self._rngs],
        )

    def _restore(self, saved):
        for l in range(len(self.W)):
            self.W[l][...] = saved["W"][l]
            if self.b:
                self.b[l][...] = saved["b"][l]
        self.steps = saved["steps"]
        self._pending = saved["pending"]
        if saved["rngs"] is not None:
            for rng, state in zip(self._rngs, saved["rngs"]):
                rng.set_state(state)

    def _advance_carefully(self, m):
        """Replay m steps one at a time, stopping each network at its last finite weights."""
        for i in range(m):
            before = self._snapshot()
            self._advance(1)
            bad = self._unhealthy()
            if not bad.any():
                continue
            for k in np.flatnonzero(bad):
                for l in range(len(self.W)):
                    self.W[l][k] = before["W"][l][k]
                    if self.b:
                        self.b[l][k] = before["b"][l][k]
                self.diverged_at[k] = before["steps"] + 1
                self._frozen[k] = ([W[k].copy() for W in self.W], [b[k].copy() for b in self.b])
            if self.n_networks == 1:
                self._restore(before)
                self._frozen.clear()
                return i
            span = slice(before["steps"], self.steps)
            self._mae[bad, span] = np.nan
            self._loss_history[bad, span] = np.nan
            if (self.diverged_at >= 0).all():  # nothing left to train: stop where shorter runs would stop
                return i + 1
        return m

    # -- taking one network out ------------------------------------------------------

    def extract(self, network):
        """A one-network Trainer holding network k's weights, history and row order, exactly."""
        seed = int(self.seeds[network])
        single = Trainer(self.config.replace(seed=seed, learning_rate=float(self.learning_rates[network])),
                         self.X, self.Y, chunk=self._chunk)
        for l in range(len(self.W)):
            single.W[l][0] = self.W[l][network]
            if self.b:
                single.b[l][0] = self.b[l][network]
        single.steps = self.steps
        single._grow_history(self.steps)
        single._mae[0, : self.steps] = self._mae[network, : self.steps]
        single._loss_history[0, : self.steps] = self._loss_history[network, : self.steps]
        single._rngs[0].set_state(self._rngs[network].get_state())
        single._pending = self._pending[network:network + 1].copy()
        single.diverged_at[0] = self.diverged_at[network]
        return single

    # -- plain-number state (for JSON) -----------------------------------------------

    def state_dict(self, include_history=True):
        """Everything needed to continue exactly: plain lists and numbers only."""
        state = {
            "config": self.config.to_dict(),
            "seeds": self.seeds.tolist(),
            "learning_rates": self.learning_rates.tolist(),
            "steps": int(self.steps),
            "weights": [W.tolist() for W in self.W],
            "biases": [b[:, 0].tolist() for b in self.b],
            "diverged_at": self.diverged_at.tolist(),
            "pending_rows": self._pending.tolist(),
            "rng_states": [_rng_state_to_plain(rng) for rng in self._rngs],
            "X": self.X.tolist(),
            "Y": self.Y.tolist(),
        }
        if include_history:
            state["mean_abs_error"] = self.mean_abs_error.tolist()
            state["loss_history"] = self.loss_history.tolist()
        return state

    @classmethod
    def from_state_dict(cls, state):
        """Inverse of state_dict; raises ValueError naming what does not fit."""
        config = NetworkConfig.from_dict(state["config"])
        trainer = cls(config, state["X"], state["Y"], seeds=state["seeds"], learning_rates=state["learning_rates"])
        S = trainer.n_networks
        for l, W in enumerate(trainer.W):
            loaded = np.asarray(state["weights"][l], dtype=np.float64)
            if loaded.shape != W.shape:
                raise ValueError(f"weights of layer {l + 1} have shape {loaded.shape[1:]}, expected {W.shape[1:]}")
            W[...] = loaded
        if len(state.get("biases", [])) != len(trainer.b):
            raise ValueError("biases do not match the bias setting")
        for l, b in enumerate(trainer.b):
            loaded = np.asarray(state["biases"][l], dtype=np.float64)
            if loaded.shape != (S, b.shape[2]):
                raise ValueError(f"biases of layer {l + 1} have shape {loaded.shape[1:]}, expected ({b.shape[2]},)")
            b[:, 0] = loaded
        trainer.steps = int(state["steps"])
        if trainer.steps < 0:
            raise ValueError("steps must be 0 or more")
        trainer._grow_history(trainer.steps)
        if "mean_abs_error" in state:
            for name, key in (("_mae", "mean_abs_error"), ("_loss_history", "loss_history")):
                loaded = np.asarray(state[key], dtype=np.float64).reshape(S, trainer.steps)
                getattr(trainer, name)[:, : trainer.steps] = loaded
        else:
            trainer._mae[:, : trainer.steps] = np.nan
            trainer._loss_history[:, : trainer.steps] = np.nan
        trainer.diverged_at[:] = np.asarray(state.get("diverged_at", [-1] * S), dtype=np.int64)
        if S > 1:  # a diverged network of a sweep stays frozen at its last finite weights, as before saving
            for k in np.flatnonzero(trainer.diverged_at >= 0):
                trainer._frozen[int(k)] = ([W[k].copy() for W in trainer.W], [b[k].copy() for b in trainer.b])
        pending = np.asarray(state.get("pending_rows", [[]] * S), dtype=np.intp).reshape(S, -1)
        if pending.size and (pending.min() < 0 or pending.max() >= len(trainer.X)):
            raise ValueError("row order refers to rows the table does not have")
        trainer._pending = pending
        for rng, plain in zip(trainer._rngs, state.get("rng_states", [])):
            rng.set_state(_rng_state_from_plain(plain))
        if not all(np.isfinite(W).all() for W in trainer.W + trainer.b):
            raise ValueError("weights must be finite numbers")
        return trainer


def forward_any(name, z):
    """Activation `name` on an array of any shape (a fresh array)."""
    return ACTIVATIONS[name].forward(z)


def _rng_state_to_plain(rng):
    kind, keys, pos, has_gauss, cached = rng.get_state()
    return [kind, keys.tolist(), int(pos), int(has_gauss), float(cached)]


def _rng_state_from_plain(plain):
    kind, keys, pos, has_gauss, cached = plain
    return (str(kind), np.asarray(keys, dtype=np.uint32), int(pos), int(has_gauss), float(cached))

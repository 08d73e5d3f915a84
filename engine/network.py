"""Networks and their training: one network, or many side by side.

A Trainer holds S independent networks of one architecture, stacked along a
leading axis: W[l] has shape (S, n_l, n_{l+1}). One network is simply S = 1 (its
arithmetic then runs on 2-D views with `.dot`, exactly the tutorials' calls). The
networks share one table X (n_rows, n_in) or each has its own, X (S, n_rows, n_in).
Test rows, X_test and Y_test, shaped the same way, are never trained on: every step
records their error beside the training table's. A training step is one weight update:

    forward   a[0] = X,   z[l+1] = a[l] @ W[l] (+ b[l]),   a[l+1] = f(z[l+1])
    output    delta = (y - a[L]) * scale * f'(a[L])          (see engine.losses)
    backward  delta_prev = (delta @ W[l].T) * f'(a[l])       (before W[l] changes)
    update    W[l] += learning_rate * a[l].T @ delta
with a weight penalty at rate λ (see engine.regularizers), W[l] += learning_rate * (a[l].T @ delta - λ dR/dW[l]).
"""

from dataclasses import asdict, dataclass, fields

import numpy as np

from .activations import ACTIVATIONS
from .initializers import INITIALIZERS
from .losses import LOSSES
from .regularizers import REGULARIZERS, is_active

HISTORY_CHUNK = 1 << 14  # history grows by this many values at least (or doubles): few regrowths, no appends;
#                          counted over all networks, so a big sweep does not reserve (S, 16384) it may never use
HISTORY_KEYS = ("mean_abs_error", "loss_history", "test_mean_abs_error", "test_loss_history")  # in state_dict
_BUFFER_FLOATS = 1 << 20  # a chunk's per-step buffers (outputs, mini-batches) kept under ~8 MB each


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
    regularization: str = "none"  # a name from REGULARIZERS: a penalty on the weights (never the biases)
    regularization_rate: float = 0.0  # λ; 0 leaves the update exactly as without a penalty

    def problems(self):
        """Plain-language reasons this configuration cannot be trained ([] if none)."""
        found = []
        sizes = self.layer_sizes
        if len(sizes) < 2 or any(not isinstance(s, (int, np.integer)) or s < 1 for s in sizes):
            found.append(f"layer sizes must be at least two whole numbers >= 1, got {list(sizes)}")
        for field, registry in (("hidden_activation", ACTIVATIONS), ("output_activation", ACTIVATIONS),
                                ("init", INITIALIZERS), ("loss", LOSSES), ("regularization", REGULARIZERS)):
            name = getattr(self, field)
            if name not in registry:
                found.append(f"unknown {field.replace('_', ' ')} {name!r}; choose from {', '.join(registry)}")
        loss = LOSSES.get(self.loss)
        if loss and loss.needs_output and self.output_activation != loss.needs_output:
            found.append(f"{loss.label} needs a {loss.needs_output} output layer, not {self.output_activation}")
        if not (np.isfinite(self.learning_rate) and self.learning_rate > 0):
            found.append(f"learning rate must be a positive number, got {self.learning_rate!r}")
        if not (np.isfinite(self.regularization_rate) and self.regularization_rate >= 0):
            found.append(f"regularization rate must be a number >= 0, got {self.regularization_rate!r}")
        if self.batch_size < 0:
            found.append(f"batch size must be 0 (full batch) or more, got {self.batch_size}")
        if not 0 <= self.seed < 2**32:
            found.append(f"seed must be between 0 and {2**32 - 1}, got {self.seed}")
        return found

    @property
    def penalized(self):
        """True when the update carries a weight penalty (a penalty other than none, at a rate above 0)."""
        return is_active(self.regularization, self.regularization_rate)

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
    """S networks with one config trained side by side.

    The table is X (n_rows, n_in), Y (n_rows, n_out) for every network, or one table of that shape
    per network, X (S, n_rows, n_in), Y (S, n_rows, n_out). seeds: one per network (default
    [config.seed]); learning_rates: one per network. Network k gives the same numbers, bit for bit,
    as a Trainer with seeds=[seeds[k]] alone on its own table. X_test (n_test, n_in) and Y_test
    (n_test, n_out), or one of each per network like X, are rows held out: each step records their
    mean |error| and loss with the weights of that step's forward pass, and never trains on them.
    """

    def __init__(self, config, X, Y, seeds=None, learning_rates=None, chunk=256, X_test=None, Y_test=None):
        problems = config.problems()
        if problems:
            raise ValueError("; ".join(problems))
        self.config = config
        self.X = np.ascontiguousarray(X, dtype=np.float64)
        self.Y = np.ascontiguousarray(Y, dtype=np.float64)
        sizes = config.layer_sizes
        if (self.X.ndim not in (2, 3) or self.Y.ndim != self.X.ndim or self.X.shape[:-1] != self.Y.shape[:-1]
                or self.X.shape[-2] == 0):
            raise ValueError(f"X and Y need the same number (>= 1) of rows; got shapes {self.X.shape}, {self.Y.shape}")
        if self.X.shape[-1] != sizes[0] or self.Y.shape[-1] != sizes[-1]:
            raise ValueError(f"table has {self.X.shape[-1]} inputs and {self.Y.shape[-1]} outputs, "
                             f"the network expects {sizes[0]} and {sizes[-1]}")
        self.seeds = np.array([config.seed] if seeds is None else list(seeds), dtype=np.int64)
        if self.seeds.ndim != 1 or len(self.seeds) == 0 or (self.seeds < 0).any() or (self.seeds >= 2**32).any():
            raise ValueError("seeds must be a non-empty list of whole numbers in [0, 2**32)")
        if not self.shared_table and len(self.X) != len(self.seeds):
            raise ValueError(f"{len(self.X)} tables for {len(self.seeds)} networks: give one table per network")
        self.X_test, self.Y_test = None, None
        if X_test is not None or Y_test is not None:
            self.X_test = np.ascontiguousarray(X_test, dtype=np.float64)
            self.Y_test = np.ascontiguousarray(Y_test, dtype=np.float64)
            shape = (*self.X.shape[:-2], None, sizes[0]), (*self.Y.shape[:-2], None, sizes[-1])
            if (self.X_test.ndim != self.X.ndim or self.Y_test.ndim != self.Y.ndim
                    or self.X_test.shape[:-2] != self.X.shape[:-2] or self.X_test.shape[:-1] != self.Y_test.shape[:-1]
                    or self.X_test.shape[-1] != sizes[0] or self.Y_test.shape[-1] != sizes[-1]
                    or self.X_test.shape[-2] == 0):
                raise ValueError(f"test rows need shapes {shape[0]} and {shape[1]} with the same number (>= 1) "
                                 f"of rows; got {self.X_test.shape}, {self.Y_test.shape}")
        rates = config.learning_rate if learning_rates is None else learning_rates
        self.learning_rates = np.broadcast_to(np.asarray(rates, dtype=np.float64), self.seeds.shape).copy()
        if not (np.isfinite(self.learning_rates).all() and (self.learning_rates > 0).all()):
            raise ValueError("learning rates must be positive numbers")
        self._chunk_wanted = max(1, int(chunk))
        self._forwards = [ACTIVATIONS[name].forward for name in config.activations]
        self._slopes = [ACTIVATIONS[name].derivative_from_output for name in config.activations]
        self._loss = LOSSES[config.loss]
        n_rows = self.X.shape[-2]
        self.batch_rows = n_rows if config.batch_size in (0,) or config.batch_size >= n_rows else config.batch_size
        self.full_batch = self.batch_rows == n_rows
        # Networks sharing a full-batch table can take their first layer as one product, where BLAS
        # gives each network the numbers of its own product (checked for these shapes).
        self.one_first_product = bool(
            self.n_networks > 1 and self.shared_table and self.full_batch and len(sizes) > 2
            and _one_product_is_exact(n_rows, sizes, self.n_networks, config.bias))
        # steps per chunk: the per-step buffers (outputs, mini-batches) of a chunk stay under ~8 MB each
        rows = max(self.batch_rows, self.X_test.shape[-2] if self.has_test else 0)
        self._chunk = max(1, min(self._chunk_wanted,
                                 _BUFFER_FLOATS // (self.n_networks * rows * max(sizes[0], sizes[-1]))))
        self._zbuf = None  # the work buffers are made by the first step (see _allocate), not before
        self.reset()

    # -- state ----------------------------------------------------------------

    @property
    def n_networks(self):
        return len(self.seeds)

    @property
    def has_test(self):
        """True when rows are held out for testing (X_test, Y_test)."""
        return self.X_test is not None

    @property
    def shared_table(self):
        """True when every network trains on X (n_rows, n_in); False for one table each, X (S, n_rows, n_in)."""
        return self.X.ndim == 2

    def reset(self):
        """Back to the starting weights the seeds give, step 0, empty history."""
        S = self.n_networks
        sizes = self.config.layer_sizes
        draw = INITIALIZERS[self.config.init].draw
        self._rngs = [np.random.RandomState(int(seed)) for seed in self.seeds]
        per_network = [[draw(rng, n_in, n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:])] for rng in self._rngs]
        self.W = [np.ascontiguousarray(np.stack([net[l] for net in per_network])) for l in range(len(sizes) - 1)]
        if self.one_first_product:
            # W[0] lives as (n_in, S * n_1), so that X @ W[0] is one product; self.W[0] is its (S, n_in, n_1) view
            self._W0_wide = np.empty((sizes[0], S * sizes[1]))
            self._W0_wide[...] = np.concatenate(list(self.W[0]), axis=1)
            self.W[0] = _networks_view(self._W0_wide, S)
        self.b = [np.zeros((S, 1, n_out)) for n_out in sizes[1:]] if self.config.bias else []
        self.steps = 0
        self._mae = np.empty((S, 0))
        self._loss_history = np.empty((S, 0))
        self._test_mae = np.empty((S, 0)) if self.has_test else None
        self._test_loss = np.empty((S, 0)) if self.has_test else None
        self.diverged_at = np.full(S, -1, dtype=np.int64)  # update that blew network k up; -1: healthy
        self._frozen = {}  # k -> last finite (W, b) of a diverged network in a sweep
        self._pending = [np.empty(0, dtype=np.intp) for _ in range(S)]  # each network's shuffled rows not yet used
        self.last_outputs = None  # (S, batch_rows, n_out): the latest training forward pass, before its update

    def _allocate(self):
        """Buffers for every array a training step writes, so that a step allocates nothing.

        Made by the first training step and kept from then on (a reset keeps them too: every step
        writes them before it reads them), so a Trainer that never trains here holds only its
        weights, random states and history: a seed sweep's, whose slices train in other processes,
        would otherwise hold (S, rows, neurons) arrays for every layer, 306 MB for 256 seeds of six
        layers of 16 on 500 rows.

        With k = batch_rows, for the layers l between input (0) and output (L):
            _hidden[l], _back[l], _delta[l]   (S, k, n_l), l = 1 .. L-1: activation, delta @ W.T, delta
            _delta[L]                         (S, k, n_out)
            _dW[l] (S, n_l, n_{l+1}), _db[l] (S, 1, n_{l+1}): this step's changes, a[l].T @ delta and
                                              delta summed over rows (minus the gradient), then scaled
                                              by the learning rate in place and added to W[l], b[l]
            _penalty[l]  like _dW[l]          λ dR/dW[l], taken off _dW[l]; None without a weight penalty
            _zbuf, _abuf, _ebuf (chunk, S, k, n_out)  each step's output pre-activations, outputs and
                                              errors y - a, for the history
            _xbuf, _ybuf (chunk, S, k, n_in or n_out)  the mini-batches of a chunk
            _test: with test rows, their hidden activations (S, n_test, n_l) and each step's output
                                              z, a and y - a (chunk, S, n_test, n_out), for the history
        Entries of _hidden, _back, _delta and _dW are pairs (for elementwise work, for the products).
        With one first product, layer 1's arrays are (k, S * n_1) and W[0]'s change (n_in, S * n_1),
        paired with their (S, ...) views; otherwise both are the same (S, ...) array.
        """
        S, k, sizes = self.n_networks, self.batch_rows, self.config.layer_sizes
        L = len(sizes) - 1
        self._zbuf = np.empty((self._chunk, S, k, sizes[-1]))
        self._abuf = np.empty_like(self._zbuf)
        self._ebuf = np.empty_like(self._zbuf)
        self._test = None
        if self.has_test:  # the test rows' hidden activations, then each step's output z, a and y - a
            n_test = self.X_test.shape[-2]
            self._test = {"hidden": [np.empty((S, n_test, n)) for n in sizes[1:-1]],
                          "z": np.empty((self._chunk, S, n_test, sizes[-1]))}
            self._test["a"], self._test["error"] = np.empty_like(self._test["z"]), np.empty_like(self._test["z"])
            # the first layer one network at a time, as alone, even where training takes it as one product
            self._test["W0"] = np.empty((S, sizes[0], sizes[1])) if self.one_first_product else None
        self._xbuf = None if self.full_batch else np.empty((self._chunk, S, k, sizes[0]))
        self._ybuf = None if self.full_batch else np.empty_like(self._zbuf)

        def stacked(*shape):
            array = np.empty((S, *shape))
            return array, array

        def wide(n, p):  # network k's p columns of (n, S * p), seen by the products as (S, n, p)
            flat = np.empty((n, S * p))
            return flat, _networks_view(flat, S)

        one = self.one_first_product
        self._hidden, self._back, self._delta = [None], [None], [None]  # indexed by layer
        for l in range(1, L):
            for buffers in (self._hidden, self._back, self._delta):
                buffers.append(wide(k, sizes[1]) if l == 1 and one else stacked(k, sizes[l]))
        self._delta.append(stacked(k, sizes[-1]))
        self._dW = [wide(sizes[0], sizes[1]) if l == 0 and one else stacked(*W.shape[1:]) for l, W in enumerate(self.W)]
        self._db = [np.empty_like(b) for b in self.b]
        # λ dR/dW per layer, shaped like the change it is taken from; none at all without a penalty
        self._penalty = [np.empty_like(dW[0]) for dW in self._dW] if self.config.penalized else None

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

    @property
    def test_mean_abs_error(self):
        """(S, steps): mean |y - a| on the test rows with each step's weights; None without test rows."""
        return None if self._test_mae is None else self._test_mae[:, : self.steps]

    @property
    def test_loss_history(self):
        """(S, steps): the loss on the test rows with each step's weights; None without test rows."""
        return None if self._test_loss is None else self._test_loss[:, : self.steps]

    def _histories(self):
        """The history arrays this trainer keeps: training error and loss, then the test rows' if any."""
        return [self._mae, self._loss_history] + ([self._test_mae, self._test_loss] if self.has_test else [])

    def weights(self, network=0):
        """Copies of network k's weight matrices, W[l] (n_l, n_{l+1})."""
        return [W[network].copy() for W in self.W]

    def biases(self, network=0):
        """Copies of network k's biases b[l] (n_{l+1},), or [] without bias."""
        return [b[network, 0].copy() for b in self.b]

    def set_weight(self, layer, row, column, value, network=0):
        """Type a value into network k's W[layer][row, column]; row n_layer (one past the last) is the bias.

        The next step trains on from it; ValueError for a weight the network does not have or a value
        that is not a finite number.
        """
        sizes = self.config.layer_sizes
        if not (0 <= layer < len(self.W) and 0 <= column < sizes[layer + 1]
                and 0 <= row <= sizes[layer] - (0 if self.b else 1)):
            raise ValueError(f"the network has no weight ({layer}, {row}, {column})")
        if not np.isfinite(value):
            raise ValueError(f"a weight must be a finite number, got {value!r}")
        if row == sizes[layer]:
            self.b[layer][network, 0, column] = value
        else:
            self.W[layer][network, row, column] = value

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
        """Outputs (S, n_rows, n_out) of every network for rows X (n_rows, n_in) or, one set each, (S, n_rows, n_in)."""
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
        if self._zbuf is None:
            self._allocate()
        self._grow_history(self.steps + m)
        if not self.full_batch:
            self._gather_batches(m)
        self._kernel(m)
        self._record(m)
        for k, (W, b) in self._frozen.items():  # diverged networks keep their last finite weights
            for l in range(len(self.W)):
                self.W[l][k] = W[l]
                if self.b:
                    self.b[l][k] = b[l]

    def _gather_batches(self, m):
        """The rows of the next m mini-batches into _xbuf[:m] and _ybuf[:m], (m, S, k, n_in or n_out)."""
        S, k = self.n_networks, self.batch_rows
        rows = self._take_rows(m * k).reshape(S, m, k)
        X, Y = self.X, self.Y
        if not self.shared_table:  # network s's row r is row s * n_rows + r of the tables laid end to end
            n_rows = X.shape[1]
            rows = rows + (np.arange(S) * n_rows)[:, None, None]
            X, Y = X.reshape(S * n_rows, -1), Y.reshape(S * n_rows, -1)
        rows = rows.transpose(1, 0, 2)
        # the rows are in range by construction; with mode="raise" np.take would copy through a buffer
        np.take(X, rows, axis=0, out=self._xbuf[:m], mode="clip")
        np.take(Y, rows, axis=0, out=self._ybuf[:m], mode="clip")

    def _kernel(self, m):
        """m training steps; step i's output pre-activations, outputs and errors go to _zbuf[i], _abuf[i], _ebuf[i].

        A step is the forward pass, the backward pass (every layer's change, from the weights as they
        were), then the update. One network runs on 2-D views with `.dot`, the tutorials' call; S
        networks run `np.matmul` on stacks, which hands BLAS one network's matrices at a time, so each
        gets the numbers of its own `.dot`. With one_first_product, X @ W[0] and X.T @ delta_1 are one
        product each, and layer 1's elementwise work runs on its (k, S * n_1) arrays.
        """
        single = self.n_networks == 1
        one = self.one_first_product
        dot = np.ndarray.dot  # the method skips np.dot's dispatch, a good part of a tiny product's time
        mm = dot if single else np.matmul
        view = (lambda x: x[0]) if single else (lambda x: x)  # what a step works on: 2-D for one network
        L = len(self.W)
        rates = self.learning_rates
        if (rates == 1.0).all():
            rate = None  # a change times 1.0 is the change: skipped, as the tutorials do
        else:  # arrays, not scalars: ufuncs take a 0-d array faster than a NumPy or Python float
            rate = rates[0:1].reshape(()) if single else rates[:, None, None]

        # per layer: (weights, change dW, rate, biases, change db), as elementwise work sees them
        updates = []
        for l in range(L):
            bias, db = (view(self.b[l]), view(self._db[l])) if self.b else (None, None)
            if l == 0 and one:  # network k's n_1 columns of (n_in, S * n_1) and (1, S * n_1)
                if self.b:
                    bias, db = self.b[0].reshape(1, -1), self._db[0].reshape(1, -1)
                first_rate = None if rate is None else np.repeat(rates, self.config.layer_sizes[1])
                updates.append((self._W0_wide, self._dW[0][0], first_rate, bias, db))
            else:
                updates.append((view(self.W[l]), view(self._dW[l][1]), rate, bias, db))
        # per layer with a weight penalty: (weights, change dW, λ dR/dW into this buffer, λ); none without one
        penalties = []
        if self._penalty is not None:
            scaled_slope = REGULARIZERS[self.config.regularization].scaled_slope
            strength = np.array(self.config.regularization_rate)
            for (weights, dW, *_), buffer in zip(updates, self._penalty):
                penalties.append((weights, dW, scaled_slope, buffer.reshape(weights.shape), strength))
        # per hidden layer: (product, weights, its output, bias, f, activation flat, activation for products)
        forward_plan = []
        for l in range(L - 1):
            flat, stacked = view(self._hidden[l + 1][0]), view(self._hidden[l + 1][1])
            if l == 0 and one:
                product, weights, product_out = dot, self._W0_wide, flat
            else:
                product, weights, product_out = mm, view(self.W[l]), stacked
            forward_plan.append((product, weights, product_out, updates[l][3], self._forwards[l], flat, stacked))
        # per hidden layer, last first: (W.T, a.T, dW, db, f', a flat, delta @ W.T, its flat, delta, its flat)
        backward_plan = []
        for l in range(L - 1, 0, -1):
            (a_flat, a), (back_flat, back), (delta_flat, delta) = (
                (view(flat), view(stacked)) for flat, stacked in (self._hidden[l], self._back[l], self._delta[l]))
            backward_plan.append((view(self.W[l]).swapaxes(-1, -2), a.swapaxes(-1, -2), view(self._dW[l][1]),
                                  updates[l][4], self._slopes[l - 1], a_flat, back, back_flat, delta, delta_flat))
        first_product, first_dW, first_db = dot if one else mm, updates[0][1], updates[0][4]

        last_W, last_b = view(self.W[-1]), (view(self.b[-1]) if self.b else None)
        last_f, last_slope = self._forwards[-1], self._slopes[-1]
        loss_scale = self._loss.scale(self.batch_rows * self.config.layer_sizes[-1])
        loss_scale = None if loss_scale == 1.0 else np.array(loss_scale)
        uses_slope = self._loss.uses_slope
        out_delta = view(self._delta[-1][0])
        zbuf, abuf, ebuf = ((self._zbuf[:, 0], self._abuf[:, 0], self._ebuf[:, 0]) if single
                            else (self._zbuf, self._abuf, self._ebuf))
        X, Y = (self.X, self.Y) if self.shared_table or not single else (self.X[0], self.Y[0])
        XT = X.swapaxes(-1, -2)
        xs, ys = (None, None) if self.full_batch else ((self._xbuf[:, 0], self._ybuf[:, 0]) if single
                                                       else (self._xbuf, self._ybuf))
        # the test rows' forward pass: (input, per layer (weights, activation out, bias, f), z, a and errors per step)
        test = None
        if self._test is not None:
            buffers = self._test
            X_test, Y_test = ((self.X_test, self.Y_test) if self.shared_table or not single
                              else (self.X_test[0], self.Y_test[0]))
            layers = [(view(buffers["W0"]) if l == 0 and buffers["W0"] is not None else view(self.W[l]),
                       view(buffers["hidden"][l]), view(self.b[l]) if self.b else None, self._forwards[l])
                      for l in range(L - 1)]
            last = (view(self.W[-1]), None, last_b, last_f)
            test = (X_test, Y_test, layers, last, buffers["W0"], self.W[0]) + tuple(
                (buffers[name][:, 0] if single else buffers[name]) for name in ("z", "a", "error"))

        for i in range(m):
            if xs is None:
                x, xT, y = X, XT, Y
            else:
                x, y = xs[i], ys[i]
                xT = x.swapaxes(-1, -2)
            # forward
            a = x
            for product, weights, product_out, bias, f, flat, stacked in forward_plan:
                product(a, weights, product_out)
                if bias is not None:
                    np.add(flat, bias, flat)
                f(flat, flat)
                a = stacked
            z = mm(a, last_W, zbuf[i])
            if last_b is not None:
                np.add(z, last_b, z)
            out = last_f(z, abuf[i])
            error = np.subtract(y, out, ebuf[i])  # kept for the history: not changed below
            if test is not None:  # the held-out rows through the same weights, for the history only
                _forward_test(mm, i, *test)
            if uses_slope:
                delta = last_slope(out, out_delta)
                np.multiply(delta, error, delta)
                if loss_scale is not None:
                    np.multiply(delta, loss_scale, delta)
            elif loss_scale is not None:
                delta = np.multiply(error, loss_scale, out_delta)
            else:
                delta = error
            # backward: each layer's change dW = a.T @ delta, minus the gradient, before any weight moves
            delta_flat = delta
            for WT, aT, dW, db, slope, a_flat, back, back_flat, delta_prev, delta_prev_flat in backward_plan:
                mm(delta, WT, back)
                slope(a_flat, delta_prev_flat)
                np.multiply(delta_prev_flat, back_flat, delta_prev_flat)
                mm(aT, delta, dW)
                if db is not None:
                    np.add.reduce(delta_flat, -2, None, db, True)  # sum over rows, as np.sum(axis=-2, keepdims=True)
                delta, delta_flat = delta_prev, delta_prev_flat
            first_product(xT, delta_flat, first_dW)
            if first_db is not None:
                np.add.reduce(delta_flat, -2, None, first_db, True)
            # the weight penalty, from the weights as they were: dW = a.T @ delta - λ dR/dW
            for weights, dW, scaled_slope, buffer, strength in penalties:
                np.subtract(dW, scaled_slope(weights, strength, buffer), dW)
            # update: W += learning_rate * dW, b += learning_rate * db
            for weights, dW, layer_rate, bias, db in updates:
                if layer_rate is not None:
                    np.multiply(dW, layer_rate, dW)
                np.add(weights, dW, weights)
                if bias is not None:
                    if layer_rate is not None:
                        np.multiply(db, layer_rate, db)
                    np.add(bias, db, bias)

    def _record(self, m):
        """History of the m steps just run, from their stored output pre-activations, outputs and errors."""
        z, a, error = self._zbuf[:m], self._abuf[:m], self._ebuf[:m]
        y = self.Y if self.full_batch else self._ybuf[:m]
        span = slice(self.steps, self.steps + m)
        self._mae[:, span] = np.mean(np.abs(error), axis=(-2, -1)).T
        self._loss_history[:, span] = self._loss.value(z, y, error).T
        if self._test is not None:
            test_error = self._test["error"][:m]
            self._test_mae[:, span] = np.mean(np.abs(test_error), axis=(-2, -1)).T
            self._test_loss[:, span] = self._loss.value(self._test["z"][:m], self.Y_test, test_error).T
        for k in self._frozen:
            for history in self._histories():
                history[k, span] = np.nan
        self.last_outputs = a[-1].copy()
        self.steps += m

    def _grow_history(self, needed, exactly=False):
        """Room for `needed` steps of every history; grown in chunks unless `exactly` (a known final length)."""
        have = self._mae.shape[1]
        if needed <= have:
            return
        size = needed if exactly else max(needed, have + max(1, HISTORY_CHUNK // self.n_networks), 2 * have)
        for name in ("_mae", "_loss_history", "_test_mae", "_test_loss")[:4 if self.has_test else 2]:
            old = getattr(self, name)
            new = np.empty((self.n_networks, size))
            new[:, :have] = old
            setattr(self, name, new)

    def _take_rows(self, count):
        """(S, count) row indices: each network walks its own shuffled passes through its table.

        A stopped network draws nothing, so its random state and pending rows stay as they were when
        it stopped; it gets row 0 to compute with, and its results are thrown away.
        """
        n_rows = self.X.shape[-2]
        rows = np.zeros((self.n_networks, count), dtype=np.intp)
        for k, rng in enumerate(self._rngs):
            if k in self._frozen:
                continue
            pending = self._pending[k]
            short = count - len(pending)
            if short > 0:
                pending = np.concatenate([pending, *(rng.permutation(n_rows) for _ in range(-(-short // n_rows)))])
            rows[k] = pending[:count]
            self._pending[k] = pending[count:]
        return rows

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
            pending=list(self._pending),  # the row arrays are replaced, never changed in place
            rngs=None if self.full_batch else [rng.get_state() for rng in self._rngs],
        )

    def _restore(self, saved):
        for l in range(len(self.W)):
            self.W[l][...] = saved["W"][l]
            if self.b:
                self.b[l][...] = saved["b"][l]
        self.steps = saved["steps"]
        self._pending = list(saved["pending"])
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
                self._pending[k] = before["pending"][k]  # its rows and random state as before that update
                if before["rngs"] is not None:
                    self._rngs[k].set_state(before["rngs"][k])
                self.diverged_at[k] = before["steps"] + 1
                self._frozen[k] = ([W[k].copy() for W in self.W], [b[k].copy() for b in self.b])
            if self.n_networks == 1:
                self._restore(before)
                self._frozen.clear()
                return i
            span = slice(before["steps"], self.steps)
            for history in self._histories():
                history[bad, span] = np.nan
            if (self.diverged_at >= 0).all():  # nothing left to train: stop where shorter runs would stop
                return i + 1
        return m

    # -- one network out of a stack, and into one ----------------------------------------

    def extract(self, network):
        """A one-network Trainer holding network k's weights, history, random state and row order, exactly."""
        seed = int(self.seeds[network])
        X, Y, X_test, Y_test = (table if self.shared_table or table is None else table[network]
                                for table in (self.X, self.Y, self.X_test, self.Y_test))
        single = Trainer(self.config.replace(seed=seed, learning_rate=float(self.learning_rates[network])),
                         X, Y, chunk=self._chunk_wanted, X_test=X_test, Y_test=Y_test)
        _copy_network(self, network, single, 0)
        single.steps = self.steps
        single._grow_history(self.steps)
        for mine, theirs in zip(single._histories(), self._histories()):
            mine[0, : self.steps] = theirs[network, : self.steps]
        single.diverged_at[0] = self.diverged_at[network]
        return single

    @classmethod
    def stack(cls, trainers):
        """One Trainer running one-network `trainers` side by side, network k going on exactly as trainers[k] would.

        They need the same settings apart from seed and learning rate, tables (and test rows) of one
        shape, shared if they are all the same, and no divergence. The stack counts its own steps from
        0, with no history; write_back(trainers) hands each network its steps.
        """
        first = trainers[0]
        names = ("X", "Y", "X_test", "Y_test") if first.has_test else ("X", "Y")
        tables = {name: np.reshape(getattr(first, name), getattr(first, name).shape[-2:]) for name in names}
        settings = first.config.replace(seed=0, learning_rate=1.0)
        for t in trainers:
            if t.n_networks != 1 or t.diverged_at[0] >= 0:
                raise ValueError("only one-network trainers that have not diverged can be stacked")
            if t.config.replace(seed=0, learning_rate=1.0) != settings:
                raise ValueError("stacked trainers need the same settings apart from seed and learning rate")
            if t.has_test != first.has_test or any(getattr(t, name).shape[-2:] != table.shape
                                                   for name, table in tables.items()):
                raise ValueError(f"stacked trainers need tables of one shape; got {t.X.shape} and {first.X.shape}")
        same_table = all(getattr(t, name).tobytes() == table.tobytes() for t in trainers
                         for name, table in tables.items())
        if not same_table:  # (bitwise: -0.0 == 0.0, yet the two can round differently)
            tables = {name: np.stack([np.reshape(getattr(t, name), table.shape) for t in trainers])
                      for name, table in tables.items()}
        stacked = cls(first.config, tables["X"], tables["Y"], seeds=[int(t.seeds[0]) for t in trainers],
                      learning_rates=[float(t.learning_rates[0]) for t in trainers], X_test=tables.get("X_test"),
                      Y_test=tables.get("Y_test"))
        for k, t in enumerate(trainers):
            _copy_network(t, 0, stacked, k)
        return stacked

    def write_back(self, trainers):
        """Hand network k back to trainers[k], the one-network trainers this stack was made of.

        Each gains the steps run here and their history. A network that diverged here ends where
        it would have alone: its last finite weights, the steps before that update, and the update
        that overflowed counted in its own steps.
        """
        if len(trainers) != self.n_networks:
            raise ValueError(f"{len(trainers)} trainers for {self.n_networks} stacked networks")
        for k, t in enumerate(trainers):
            stopped = int(self.diverged_at[k])
            done = self.steps if stopped < 0 else stopped - 1
            t._grow_history(t.steps + done)
            for theirs, mine in zip(t._histories(), self._histories()):
                theirs[0, t.steps:t.steps + done] = mine[k, :done]
            _copy_network(self, k, t, 0)
            if stopped >= 0:
                t.diverged_at[0] = t.steps + stopped
            elif done and self.last_outputs is not None:
                t.last_outputs = self.last_outputs[k:k + 1].copy()
            t.steps += done

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
            "pending_rows": [rows.tolist() for rows in self._pending],
            "rng_states": [_rng_state_to_plain(rng) for rng in self._rngs],
            "X": self.X.tolist(),
            "Y": self.Y.tolist(),
        }
        if self.has_test:
            state["X_test"], state["Y_test"] = self.X_test.tolist(), self.Y_test.tolist()
        if include_history:
            for key, history in zip(HISTORY_KEYS, self._histories()):
                state[key] = history[:, : self.steps].tolist()
        return state

    @classmethod
    def from_state_dict(cls, state):
        """Inverse of state_dict; raises ValueError naming what does not fit."""
        config = NetworkConfig.from_dict(state["config"])
        trainer = cls(config, state["X"], state["Y"], seeds=state["seeds"], learning_rates=state["learning_rates"],
                      X_test=state.get("X_test"), Y_test=state.get("Y_test"))
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
        for key, history in zip(HISTORY_KEYS, trainer._histories()):
            if key in state:
                history[:, : trainer.steps] = np.asarray(state[key], dtype=np.float64).reshape(S, trainer.steps)
            else:
                history[:, : trainer.steps] = np.nan
        trainer.diverged_at[:] = np.asarray(state.get("diverged_at", [-1] * S), dtype=np.int64)
        if S > 1:  # a diverged network of a sweep stays frozen at its last finite weights, as before saving
            for k in np.flatnonzero(trainer.diverged_at >= 0):
                trainer._frozen[int(k)] = ([W[k].copy() for W in trainer.W], [b[k].copy() for b in trainer.b])
        pending = state.get("pending_rows", [[]] * S)
        if len(pending) != S:
            raise ValueError(f"row order needs one list per network ({S})")
        trainer._pending = [np.asarray(rows, dtype=np.intp).reshape(-1) for rows in pending]
        if any(rows.size and (rows.min() < 0 or rows.max() >= trainer.X.shape[-2]) for rows in trainer._pending):
            raise ValueError("row order refers to rows the table does not have")
        for rng, plain in zip(trainer._rngs, state.get("rng_states", [])):
            rng.set_state(_rng_state_from_plain(plain))
        if not all(np.isfinite(W).all() for W in trainer.W + trainer.b):
            raise ValueError("weights must be finite numbers")
        return trainer


def _forward_test(product, i, X, Y, layers, last, W0_copy, W0, z_out, a_out, errors):
    """Step i's forward pass on the test rows X into z_out[i], a_out[i], and Y - a into errors[i]."""
    if W0_copy is not None:  # the first layer one network at a time: a contiguous copy, as each would hold alone
        np.copyto(W0_copy, W0)
    a = X
    for weights, out, bias, f in layers:
        product(a, weights, out)
        if bias is not None:
            np.add(out, bias, out)
        a = f(out, out)
    weights, _, bias, f = last
    z = product(a, weights, z_out[i])
    if bias is not None:
        np.add(z, bias, z)
    np.subtract(Y, f(z, a_out[i]), errors[i])


def _copy_network(source, k, target, j):
    """Network k of source becomes network j of target: weights, biases, random state, pending rows."""
    for into, values in zip(target.W + target.b, source.W + source.b):
        into[j] = values[k]
    target._rngs[j].set_state(source._rngs[k].get_state())
    target._pending[j] = source._pending[k].copy()


def _networks_view(wide, S):
    """(S, n, p) view of an (n, S * p) array: network k is columns k * p .. (k + 1) * p - 1."""
    n, width = wide.shape
    return wide.reshape(n, S, width // S).transpose(1, 0, 2)


def _one_product_is_exact(n_rows, sizes, S, bias):
    """Whether one product over S networks sharing a table gives every network the bits of its own.

    That is X (n_rows, n_in) @ W[0] laid out (n_in, S * n_1), X.T @ delta_1 laid out the same way,
    delta_1's row sums, and layer 1's products on those (S, ...) views, against the per-network
    `np.matmul` of _kernel. BLAS may take another path for a wide matrix than for one network's (other
    edge kernels, other summation order, FMA or not), and a difference shows in some fraction of the
    sums, so they are compared on random numbers of these shapes, zeros included, drawn 4096 / (S * n_1)
    times (at least 4, at most 64), which compares every kind of sum at least 128 times.
    """
    n_in, n_1, n_2 = sizes[:3]
    rng = np.random.RandomState(0)
    for _ in range(min(64, max(4, -(-4096 // (S * n_1))))):
        def draw(*shape):
            return rng.uniform(-1, 1, shape) * (rng.random_sample(shape) > 0.2)

        X, W0, A1, D1 = draw(n_rows, n_in), draw(n_in, S * n_1), draw(n_rows, S * n_1), draw(n_rows, S * n_1)
        W1, D2 = draw(S, n_1, n_2), draw(S, n_rows, n_2)
        W0_, A1_, D1_ = (_networks_view(M, S) for M in (W0, A1, D1))
        Z, dW, back, db = (np.empty(shape) for shape in ((n_rows, S * n_1), (n_in, S * n_1), (n_rows, S * n_1),
                                                          (1, S * n_1)))
        pairs = [  # (as _kernel computes it with one first product, as it does without)
            (_networks_view(np.ndarray.dot(X, W0, Z), S), np.matmul(X, np.ascontiguousarray(W0_))),
            (_networks_view(np.ndarray.dot(X.T, D1, dW), S), np.matmul(X.T, np.ascontiguousarray(D1_))),
            (np.matmul(A1_, W1), np.matmul(np.ascontiguousarray(A1_), W1)),
            (np.matmul(A1_.swapaxes(-1, -2), D2), np.matmul(np.ascontiguousarray(A1_).swapaxes(-1, -2), D2)),
            (np.matmul(D2, W1.swapaxes(-1, -2), _networks_view(back, S)), np.matmul(D2, W1.swapaxes(-1, -2))),
        ]
        if bias:
            pairs.append((_networks_view(np.add.reduce(D1, -2, None, db, True), S),
                          np.add.reduce(np.ascontiguousarray(D1_), -2, None, None, True)))
        for together, apart in pairs:  # bit for bit: the sign of a zero too
            if np.ascontiguousarray(together).tobytes() != apart.tobytes():
                return False
    return True


def _rng_state_to_plain(rng):
    kind, keys, pos, has_gauss, cached = rng.get_state()
    return [kind, keys.tolist(), int(pos), int(has_gauss), float(cached)]


def _rng_state_from_plain(plain):
    kind, keys, pos, has_gauss, cached = plain
    return (str(kind), np.asarray(keys, dtype=np.uint32), int(pos), int(has_gauss), float(cached))

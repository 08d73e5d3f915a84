"""Training separately owned networks in one stacked engine call, exactly as if each ran on its own.

A server that trains many learners' networks moves each one's training position (a
NetState: weights, biases, random state, shuffled rows not yet used, learning rate) into
a stack, runs a slice of steps there, and writes the result back with `absorb`. Network k
of a stack gives the bits of its own run (Trainer's guarantee), so nobody can tell.

One difference is handled here. In a stack a diverging network is frozen at its last
finite weights while the others go on; a network trained alone stops there instead, so
the update that overflowed is not counted. With alone_on_divergence (a learner's network)
a network that diverges inside a stacked slice is run again alone from the slice's start;
without it (the networks of one seed sweep) it stays frozen, as in the sweep's own Trainer.

Everything here crosses process boundaries as plain NumPy arrays and numbers.
"""

import threading
from dataclasses import dataclass

import numpy as np

from .network import Trainer


@dataclass
class NetState:
    """One network's training position, without history. W[l] (n_l, n_{l+1}), b[l] (n_{l+1},)."""

    W: list
    b: list
    learning_rate: float
    seed: int
    rng_state: tuple  # the MT19937 state that draws its row shuffles
    pending: np.ndarray  # (n,) shuffled row indices not yet used
    diverged: bool = False  # a sweep's network frozen at its last finite weights


@dataclass
class Snapshot:
    """A network after `steps` updates of a slice: W[l] (n_l, n_{l+1}), b[l] (n_{l+1},)."""

    steps: int
    W: list
    b: list


@dataclass
class SliceResult:
    """What a slice did to one network: its new position, the history of the steps taken, snapshots."""

    state: NetState
    steps_done: int
    mean_abs_error: np.ndarray  # (steps_done,)
    loss: np.ndarray  # (steps_done,)
    diverged_at: int  # update of this slice (from 1) that overflowed, -1 if none
    snapshots: list  # Snapshot after every snapshot_every steps and after the last one
    test_mean_abs_error: np.ndarray = None  # (steps_done,) on the held-out rows, or None without them
    test_loss: np.ndarray = None  # (steps_done,), or None


def take_states(trainer):
    """Every network's training position in `trainer`, as NetStates (copies)."""
    return [NetState(W=[W[k].copy() for W in trainer.W], b=[b[k, 0].copy() for b in trainer.b],
                     learning_rate=float(trainer.learning_rates[k]), seed=int(trainer.seeds[k]),
                     rng_state=trainer._rngs[k].get_state(), pending=trainer._pending[k].copy(),
                     diverged=bool(trainer.diverged_at[k] >= 0))
            for k in range(trainer.n_networks)]


def run_slice(config, X, Y, states, n_steps, snapshot_every=0, alone_on_divergence=True, X_test=None, Y_test=None):
    """Train each network of `states` up to n_steps more on scaled X (n_rows, n_in), Y (n_rows, n_out).

    config: the shared NetworkConfig; seeds and learning rates come from the states.
    snapshot_every: keep a Snapshot every this many steps (0: none). X_test (n_test, n_in),
    Y_test (n_test, n_out): held-out rows whose error each step records. Returns one
    SliceResult per state, in order.
    """
    test = (X_test, Y_test)
    results = _run(config, X, Y, states, n_steps, snapshot_every, test)
    if alone_on_divergence and len(states) > 1:
        results = [_run(config, X, Y, [state], n_steps, snapshot_every, test)[0] if result.diverged_at >= 0
                   else result for state, result in zip(states, results)]
    return results


class _KeptStacks:
    """The last few stacks' Trainers, to be made ready again instead of rebuilt (see _stack).

    A Trainer is taken out while a slice uses it, so two threads never share one, and everything
    a slice depends on (weights, random states, pending rows, step count, divergence) is written
    over before it trains: tests/test_stack.py checks a kept stack trains bit for bit as a new one.
    """

    CAPACITY = 16  # a class on mixed presets sends one stack per preset each round
    MAX_ROWS = 2048  # networks x rows kept: a class of 30 on a tutorial's table, or 256 seeds on 8 rows

    def __init__(self):
        self._lock = threading.Lock()
        self._trainers = {}  # key -> Trainer, oldest first

    def take(self, key):
        with self._lock:
            return self._trainers.pop(key, None)

    def keep(self, key, trainer):
        if trainer.n_networks * len(trainer.X) > self.MAX_ROWS:  # large stacks' buffers are not worth holding
            return
        with self._lock:
            self._trainers[key] = trainer
            while len(self._trainers) > self.CAPACITY:
                self._trainers.pop(next(iter(self._trainers)))


_KEPT = _KeptStacks()


def _stack(config, X, Y, states, test):
    """(key, a Trainer for these networks at step 0 with empty history); its weights are overwritten next.

    Building one draws every network's starting weights and checks the first-layer product for the
    stack's shapes, which for 30 networks costs about as much as a few hundred of their steps. A
    server sends the same stack slice after slice, so the last few are kept and made ready again.
    """
    seeds, rates = [s.seed for s in states], [s.learning_rate for s in states]
    key = (config, X.shape, X.tobytes(), Y.tobytes(), tuple(seeds), tuple(rates),
           *((None,) if test[0] is None else (test[0].shape, test[0].tobytes(), test[1].tobytes())))
    trainer = _KEPT.take(key)
    if trainer is None:
        return key, Trainer(config, X, Y, seeds=seeds, learning_rates=rates, X_test=test[0], Y_test=test[1])
    trainer.steps = 0
    trainer.diverged_at[:] = -1
    trainer._frozen = {}
    trainer.last_outputs = None
    return key, trainer


def _run(config, X, Y, states, n_steps, snapshot_every, test):
    key, trainer = _stack(config, X, Y, states, test)
    for k, state in enumerate(states):
        for l, W in enumerate(state.W):
            trainer.W[l][k] = W
        for l, b in enumerate(state.b):
            trainer.b[l][k, 0] = b
        trainer._rngs[k].set_state(state.rng_state)
        if state.diverged:
            trainer.diverged_at[k] = 0
            trainer._frozen[k] = (list(state.W), [b.reshape(1, -1) for b in state.b])
    trainer._pending = [np.asarray(s.pending, dtype=np.intp).copy() for s in states]
    snapshots = [[] for _ in states]
    every = snapshot_every or n_steps
    while trainer.steps < n_steps:
        before = trainer.steps
        trainer.run(min(every, n_steps - trainer.steps))
        if snapshot_every:
            for k, taken in enumerate(snapshots):
                taken.append(Snapshot(trainer.steps, [W[k].copy() for W in trainer.W],
                                      [b[k, 0].copy() for b in trainer.b]))
        if trainer.steps == before or (trainer.n_networks == 1 and trainer.diverged_at[0] >= 0):
            break
    taken = take_states(trainer)
    test_errors, test_losses = trainer.test_mean_abs_error, trainer.test_loss_history
    results = [SliceResult(taken[k], trainer.steps, trainer.mean_abs_error[k].copy(), trainer.loss_history[k].copy(),
                           int(trainer.diverged_at[k]) if not states[k].diverged else -1, snapshots[k],
                           None if test_errors is None else test_errors[k].copy(),
                           None if test_losses is None else test_losses[k].copy())
               for k in range(trainer.n_networks)]
    _KEPT.keep(key, trainer)
    return results


def absorb(trainer, results):
    """Write SliceResults (one per network, in order) back into the trainer they were taken from."""
    start = trainer.steps
    done = max(r.steps_done for r in results)
    trainer._grow_history(start + done)
    for k, result in enumerate(results):
        state = result.state
        for l, W in enumerate(state.W):
            trainer.W[l][k] = W
        for l, b in enumerate(state.b):
            trainer.b[l][k, 0] = b
        trainer._rngs[k].set_state(state.rng_state)
        span = slice(start, start + result.steps_done)
        taken = (result.mean_abs_error, result.loss, result.test_mean_abs_error, result.test_loss)
        for history, values in zip(trainer._histories(), taken):
            history[k, span] = values
            history[k, start + result.steps_done:start + done] = np.nan
        if result.diverged_at >= 0:
            trainer.diverged_at[k] = start + result.diverged_at
            if trainer.n_networks > 1:
                trainer._frozen[k] = ([W[k].copy() for W in trainer.W], [b[k].copy() for b in trainer.b])
    trainer._pending = [np.asarray(r.state.pending, dtype=np.intp).copy() for r in results]
    trainer.steps = start + done
    trainer.last_outputs = None  # the slice's last training pass happened elsewhere

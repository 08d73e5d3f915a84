"""The same network trained from many seeds at once (the Seeds page), within the sweep limits."""

from dataclasses import dataclass

import numpy as np

from engine import Trainer
from engine.stack import absorb, take_states
from ui import limits
from ui.scheduler import Job


@dataclass(eq=False)
class Sweep:
    """S networks, seeds seed, seed + 1, ..., trained side by side up to target_steps."""

    trainer: Trainer
    made_from: tuple  # Playground.sweep_key() when it was started
    target_steps: int
    target_error: float
    running: bool = True

    @classmethod
    def start(cls, config, X, Y, first_seed, n_seeds, steps, target_error, made_from, X_test=None, Y_test=None):
        """(Sweep, note): n_seeds networks on scaled X (n_rows, n_in), Y (n_rows, n_out); note says what was capped.

        X_test (n_test, n_in), Y_test (n_test, n_out): rows held out, whose error every network records.
        """
        n_seeds = int(min(max(1, n_seeds), limits.MAX_SEEDS))
        wanted = int(min(max(1, steps), limits.MAX_SWEEP_STEPS))
        steps = min(wanted, limits.MAX_SWEEP_NETWORK_STEPS // n_seeds)
        note = "" if steps == wanted else (
            f"{n_seeds} seeds can train at most {steps:,} steps each here "
            f"({limits.MAX_SWEEP_NETWORK_STEPS:,} network-steps in all); fewer seeds can go further.")
        seeds = [(first_seed + k) % 2**32 for k in range(n_seeds)]
        return cls(Trainer(config, X, Y, seeds=seeds, X_test=X_test, Y_test=Y_test), made_from, steps,
                   float(target_error)), note

    def job(self, generation):
        """The next slice of this sweep for the scheduler (its networks stay one stack), or None."""
        trainer = self.trainer
        steps = self.target_steps - trainer.steps
        if not self.running or steps <= 0 or (trainer.diverged_at >= 0).all():
            self.running = False
            return None
        work = len(trainer.X) * sum(W[0].size for W in trainer.W) * trainer.n_networks
        if trainer.has_test:
            work += len(trainer.X_test) * sum(W[0].size for W in trainer.W) * trainer.n_networks
        return Job(("sweep", id(self)), trainer.config, trainer.X, trainer.Y, take_states(trainer), steps, work,
                   generation, alone_on_divergence=False, snapshots=False, X_test=trainer.X_test,
                   Y_test=trainer.Y_test)

    def absorb(self, results):
        """Write a slice's results back; stop at the target steps or when every network has diverged."""
        absorb(self.trainer, results)
        if self.trainer.steps >= self.target_steps or (self.trainer.diverged_at >= 0).all():
            self.running = False

    def summary(self):
        """Per seed: final mean |error|, steps to reach the target (-1: never), diverged."""
        errors = self.trainer.mean_abs_error  # one read: training may go on in another thread
        if errors.shape[1] == 0:
            none = np.full(self.trainer.n_networks, -1)
            return {"seed": self.trainer.seeds.copy(), "final_error": np.full(len(none), np.nan),
                    "steps_to_target": none, "diverged": self.trainer.diverged_at >= 0}
        final = errors[:, -1]
        with np.errstate(invalid="ignore"):
            reached = errors <= self.target_error
        first = np.where(reached.any(axis=1), reached.argmax(axis=1) + 1, -1)
        return {"seed": self.trainer.seeds.copy(), "final_error": final, "steps_to_target": first,
                "diverged": self.trainer.diverged_at >= 0}

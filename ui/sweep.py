"""The same network trained from many seeds at once (the Seeds page), within the sweep limits."""

from dataclasses import dataclass

import numpy as np

from engine import Trainer
from engine.stack import absorb, take_states
from ui import limits
from ui.scheduler import Job

OVERFIT_RATIO = 1.1  # a network overfits when its test error ends this far above the lowest it reached


def _with_history_for(stack, steps):
    """The new, unshared `stack` with room for exactly `steps` steps of every history: (S, steps) float arrays.

    The engine grows history as slices come in, doubling it, so a sweep could end up holding up to
    twice its steps (64 MB for 256 seeds at the network-step limit); absorbing a slice into a stack
    that already has room reserves nothing.
    """
    stack._grow_history(steps, exactly=True)
    return stack


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
        seeds = [(first_seed + k) % 2**32 for k in range(n_seeds)]
        trainer = Trainer(config, X, Y, seeds=seeds, X_test=X_test, Y_test=Y_test)
        # Held-out rows add two histories per network (test error and loss) to the two every network keeps.
        network_steps = limits.MAX_SWEEP_NETWORK_STEPS // (2 if trainer.has_test else 1)
        by_memory = network_steps // n_seeds
        by_work = limits.steps_within_budget(trainer, wanted)
        steps = min(wanted, by_memory, by_work)
        if steps == wanted:
            note = ""
        elif by_work < by_memory:
            note = (f"{n_seeds} seeds of this network can train at most {steps:,} steps each in one click (about "
                    "two seconds of the shared server); fewer seeds, fewer rows or a smaller network go further.")
        else:
            note = (f"{n_seeds} seeds can train at most {steps:,} steps each here "
                    f"({network_steps:,} network-steps in all{' with test rows' if trainer.has_test else ''}); "
                    "fewer seeds can go further.")
        return cls(_with_history_for(trainer, steps), made_from, steps, float(target_error)), note

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
        """Per seed: final mean |error|, steps to reach the target (-1: never), diverged.

        With test rows also: final and lowest test mean |error|, the step of the lowest, and whether the
        network overfits (its test error ended OVERFIT_RATIO or more above its lowest).
        """
        trainer = self.trainer
        errors = trainer.mean_abs_error  # one read: training may go on in another thread
        tests = trainer.test_mean_abs_error
        S = trainer.n_networks
        if errors.shape[1] == 0:
            none = np.full(S, -1)
            summary = {"seed": trainer.seeds.copy(), "final_error": np.full(S, np.nan), "steps_to_target": none,
                       "diverged": trainer.diverged_at >= 0}
            if tests is not None:
                summary.update(final_test=np.full(S, np.nan), best_test=np.full(S, np.nan), best_test_step=none,
                               overfits=np.zeros(S, dtype=bool))
            return summary
        final = errors[:, -1]
        with np.errstate(invalid="ignore"):
            reached = errors <= self.target_error
        first = np.where(reached.any(axis=1), reached.argmax(axis=1) + 1, -1)
        summary = {"seed": trainer.seeds.copy(), "final_error": final, "steps_to_target": first,
                   "diverged": trainer.diverged_at >= 0}
        if tests is not None:
            tests = tests[:, : errors.shape[1]]
            finite = np.where(np.isfinite(tests), tests, np.inf)
            best_step = finite.argmin(axis=1)
            best = finite[np.arange(S), best_step]
            has_best = np.isfinite(best)
            with np.errstate(invalid="ignore"):
                overfits = has_best & (tests[:, -1] >= OVERFIT_RATIO * best)
            summary.update(final_test=tests[:, -1], best_test=np.where(has_best, best, np.nan),
                           best_test_step=np.where(has_best, best_step, -1), overfits=overfits)
        return summary

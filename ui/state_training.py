"""Playground's training: clicks that train, the scheduler's slices, and the seed sweep.

A mixin of ui.state.Playground, split out so each concern reads on its own; it holds no fields.
The scheduler (ui/scheduler.py) asks job() for a slice and hands the result to absorb(); both
never wait for the lock, so a page being drawn cannot hold up anyone else's training.
"""

import time
from dataclasses import replace

import numpy as np

from engine.stack import absorb, run_slice, take_states
from ui import limits
from ui.live import Frame
from ui.locking import locked as _locked
from ui.scheduler import Job
from ui.sweep import Sweep


class Training:
    """Playground's training methods (see ui.state.Playground for the fields they use)."""

    # -- training --------------------------------------------------------------------

    @_locked
    def step(self, n_steps):
        """Pause, then n_steps updates (within one click's work and the total-step limit); returns the RunReport."""
        self.live.stop()
        report = self._train(limits.steps_within_budget(self.trainer, n_steps))
        self._changed()
        return report

    @_locked
    def run(self, until=0):
        """Run until step `until` (0: as far as one click may), within one click's work; returns a note for the user.

        Idempotent: a second Run while running changes nothing (a click can arrive twice).
        """
        if self.running and not until:
            return ""
        if until and until <= self.steps:
            return f"Already at step {self.steps:,}; choose a larger step."
        if self.trainer.diverged_at[0] >= 0 or self.steps >= limits.MAX_TOTAL_STEPS:
            return self.message
        wanted = min(until or limits.MAX_TOTAL_STEPS, limits.MAX_TOTAL_STEPS) - self.steps
        budget = limits.steps_within_budget(self.trainer, wanted)
        self.live.start(self.steps + budget)
        if budget == wanted:
            return ""
        again = "Run to" if until else "Run"
        return (f"One click trains this network at most {budget:,} steps (about two seconds of the shared "
                f"server): running to step {self.run_until:,}; click {again} again to go on.")

    @_locked
    def pause(self):
        """Stop where the screen is: a slice still in flight is dropped, not applied after the click."""
        if self.running:
            self.live.stop()
            self.generation += 1

    @_locked
    def set_speed(self, steps_per_second):
        """Steps per second for Run (0: as fast as the server allows); the numbers stay the same."""
        self.live.speed = max(0, int(steps_per_second))

    @_locked
    def reset(self):
        """Back to the same starting weights (same seed), step 0."""
        self.trainer.reset()
        self.trainer.set_learning_rate(self.settings.learning_rate)
        self.learning_rate_changes = ((0, self.settings.learning_rate),)
        self.weight_edits = ()
        self.live.stop()
        self.message = ""
        self._changed()

    def job(self, kind="train"):
        """The next slice of training the scheduler may run for this playground, or None.

        Never waits: while a page of this playground is being drawn, there is simply no job this round,
        so one visitor's page cannot hold up everyone else's training.
        """
        if not self.lock.acquire(blocking=False):
            return None
        try:
            self._take_finished_slices()
            return self._next_job(kind)
        finally:
            self.lock.release()

    def absorb(self, kind, generation, results, seconds=0.0):
        """Hand a finished slice to the playground: taken now if it is free, else by its next locked call."""
        self.finished.append((kind, generation, results))
        if self.lock.acquire(blocking=False):
            try:
                self._take_finished_slices()
            finally:
                self.lock.release()

    def _next_job(self, kind):
        if kind == "sweep":
            return self.sweep.job(self.generation) if self.sweep is not None else None
        steps = min(self.live.allowance(self.steps), limits.MAX_TOTAL_STEPS - self.steps)
        if self._active_replay() is not None:
            steps = self._replay_room(steps)
        if steps <= 0:
            if self.running and not self.live.speed:  # reached its target: nothing more to do
                self.live.stop()
            return None
        trainer = self.trainer
        tables = (trainer.X, trainer.Y) + ((trainer.X_test, trainer.Y_test) if trainer.has_test else ())
        signature = ("train", trainer.config.replace(seed=0, learning_rate=1.0), *(t.tobytes() for t in tables),
                     self.live.speed)
        rows = len(trainer.X) + (len(trainer.X_test) if trainer.has_test else 0)
        return Job(signature, trainer.config, trainer.X, trainer.Y, take_states(trainer), steps,
                   rows * sum(W[0].size for W in trainer.W), self.generation, X_test=trainer.X_test,
                   Y_test=trainer.Y_test)

    def _take_finished_slices(self):
        while self.finished:
            self._absorb(*self.finished.popleft())

    def _absorb(self, kind, generation, results):
        """A slice's results into the network, unless the network changed since the slice was asked for."""
        if generation != self.generation:
            return
        if kind == "sweep":
            if self.sweep is not None:
                self.sweep.absorb(results)
            return
        [result] = results
        start = self.steps
        absorb(self.trainer, results)
        self.live.spent(result.steps_done)
        for snap in result.snapshots:
            self.live.record(Frame(start + snap.steps, tuple(snap.W), tuple(snap.b)))
        replaying = self._active_replay() is not None
        self._after_training(result.diverged_at >= 0)
        if replaying:
            self._replay_events_due()

    @_locked
    def advance_live(self, seconds=limits.SECONDS_PER_CALL):
        """Run the scheduler's slices here, for about `seconds` (scripts, tests and benchmarks; no pool)."""
        self._advance("train", seconds)

    # -- the seed sweep ----------------------------------------------------------------

    @_locked
    def start_sweep(self, n_seeds, steps, target_error):
        """Train seeds seed .. seed + n_seeds - 1 side by side, live, up to `steps`; returns a note if capped."""
        config = self.trainer.config.replace(learning_rate=self.settings.learning_rate)
        self.sweep, note = Sweep.start(config, self.trainer.X, self.trainer.Y, self.settings.seed, n_seeds, steps,
                                       target_error, self.sweep_key(), self.trainer.X_test, self.trainer.Y_test)
        self.live.stop()
        self.generation += 1
        return note

    @_locked
    def pause_sweep(self):
        if self.sweep is not None:
            self.sweep.running = False

    @_locked
    def continue_sweep(self):
        if self.sweep is not None and self.sweep.trainer.steps < self.sweep.target_steps:
            self.sweep.running = True

    @_locked
    def advance_sweep(self, seconds=limits.SECONDS_PER_CALL):
        """Run the sweep's slices here for about `seconds` (scripts, tests and benchmarks; no pool)."""
        self._advance("sweep", seconds)

    @_locked
    def open_seed(self, seed):
        """Make seed's network from the sweep the Train page's network, with exactly its weights."""
        k = int(np.flatnonzero(self.sweep.trainer.seeds == seed)[0])
        self.trainer = self.sweep.trainer.extract(k)
        self.settings = replace(self.settings, seed=int(seed))
        self.learning_rate_changes = ((0, self.settings.learning_rate),)
        self.weight_edits = ()
        self.sweep.made_from = self.sweep_key()
        self.live.stop()
        self.message = ""
        self._changed()
        self._settings_changed_elsewhere()

    # -- inside ------------------------------------------------------------------------

    def _advance(self, kind, seconds):
        started = time.perf_counter()
        while time.perf_counter() - started < seconds and (job := self.job(kind)) is not None:
            every = max(1, job.steps // 3) if job.snapshots else 0
            steps = min(job.steps, 2_000)
            self.absorb(kind, job.generation, run_slice(job.config, job.X, job.Y, job.states, steps, every,
                                                         job.alone_on_divergence, job.X_test, job.Y_test))

    def _after_training(self, diverged):
        if diverged or self.trainer.diverged_at[0] >= 0:
            self.message = self.trainer.divergence_message()
            self.live.stop()
        elif self.steps >= limits.MAX_TOTAL_STEPS:
            self.message = f"Reached the limit of {limits.MAX_TOTAL_STEPS:,} steps; reset to start again."
            self.live.stop()
        elif self.run_until and self.steps >= self.run_until:
            self.live.stop()

    def _train(self, n_steps):
        """Up to n_steps more updates, bounded by the total-step limit; returns the RunReport."""
        room = limits.MAX_TOTAL_STEPS - self.steps
        n_steps = max(0, min(int(n_steps), room))
        report = self.trainer.run(n_steps)
        self._after_training(report.diverged)
        return report

"""The playground's one state object: settings, table, and the network trained on them.

Nothing here imports streamlit, so every rule (what re-initialises, what a link restores)
is tested without a browser. Two rules hold by construction:

- Every change goes through a public method of Playground, and each takes the playground's
  re-entrant lock itself, so a click never races the training thread. Pages and callbacks
  call these methods and never assign fields (tests/test_architecture.py checks).
- `settings_version` grows with every change of settings that did not come from the
  sidebar's own widgets (a preset, a link, a seed opened from the sweep, a refused
  change). The sidebar keys its widgets with it, so they show the settings in use.
"""

import functools
import threading
import time
from collections import deque
from dataclasses import dataclass, field, replace

import numpy as np

from engine import ACTIVATIONS, Trainer
from engine.features import add_features, feature_labels
from engine.presets import PRESETS
from engine.stack import absorb, run_slice, take_states
from engine.tables import prepare_table
from ui import limits, links
from ui.live import Frame, LiveRun
from ui.saved import read_network
from ui.scheduler import Job
from ui.settings import DATA_FIELDS, DEFAULT_PRESET, SCALING_FIELDS, Settings, network_fields
from ui.sweep import Sweep
from ui.table import Table, check_frame, table_from_preset, targets_problem


def _locked(method):
    """Run `method` holding the playground's lock (re-entrant: locked methods may call each other).

    Slices the scheduler finished meanwhile are taken first, so the method sees the newest state.
    """
    @functools.wraps(method)
    def locked(self, *args, **kwargs):
        with self.lock:
            self._take_finished_slices()
            return method(self, *args, **kwargs)
    return locked


@dataclass(eq=False)
class Replay:
    """An opened link's run, replayed slice by slice: its target step and the events still to come."""

    target: int
    generation: int  # the playground's generation when it started: any change but a slice ends the replay
    events: deque  # (step, "rate", rate) or (step, "edit", (step, layer, row, column, value)), in order
    query: dict  # the link as it will be once replayed: the address bar keeps it meanwhile


@dataclass(eq=False)
class Playground:
    """One visitor's playground: the settings, the table, and the network trained on them."""

    settings: Settings
    table: Table
    # (step, learning rate) from which each rate applied; the last one is the current rate.
    learning_rate_changes: tuple = ((0, 1.0),)
    # (step, layer, row, column, value) of every weight typed in by hand, in order (row n_layer: a bias)
    weight_edits: tuple = ()
    trainer: Trainer = None
    scaler: object = None
    train_rows: object = None  # (n_train,) the table's rows the network trains on, in table order
    test_rows: object = None  # (n_test,) the rows held out for testing, possibly none
    message: str = ""  # what holds while it is true (training diverged, the step limit reached)
    notice: str = ""  # said once, then gone: a change that was refused
    live: LiveRun = field(default_factory=LiveRun)  # running, where it stops, speed, frames for the screen
    sweep: Sweep = None  # while the Seeds page has one
    settings_version: int = 0
    hidden: tuple = ()  # what a classroom link hides (ui.links.HIDEABLE); it stays in the address bar
    generation: int = 0  # grows whenever the network changes other than by a scheduled slice
    replay: "Replay" = None  # while an opened link's run is replayed in the background
    lock: object = field(default_factory=threading.RLock, repr=False)
    # Slices the scheduler finished while the playground was busy (a page being drawn holds the lock).
    finished: deque = field(default_factory=deque, repr=False)

    # -- making one ----------------------------------------------------------------

    @classmethod
    def from_preset(cls, key=DEFAULT_PRESET):
        settings = Settings.from_preset(key)
        pg = cls(settings, table_from_preset(PRESETS[key]), ((0, settings.learning_rate),))
        pg._rebuild()
        return pg

    @classmethod
    def from_query(cls, query, background=False):
        """(Playground, warnings) for a link's query parameters; anything bad falls back, with a warning.

        background: train the link's steps as a live run through the scheduler (the page draws at
        once and shows the replay); otherwise here, before returning. The numbers are the same.
        """
        link, warnings = links.from_query(query)
        pg = cls(link.settings, link.table, ((0, link.settings.learning_rate),), hidden=link.hidden)
        try:
            pg._rebuild()
        except ValueError as error:
            warnings.append(f"The link's settings don't fit its table ({error}); using the preset.")
            pg = cls.from_preset(link.settings.preset)
            pg.hidden = link.hidden
            return pg, warnings
        steps = limits.steps_within_budget(pg.trainer, link.steps)
        if steps < link.steps:
            warnings.append(f"The link asks for {link.steps:,} steps; it opened at step {steps:,}, because "
                            "replaying more of this network would take more than about two seconds of the shared "
                            f"server. Run to {link.steps:,} continues with the same weights, {steps:,} steps a click.")
        changes = link.learning_rate_changes or pg.learning_rate_changes
        if background:
            pg._start_replay(steps, changes, link.weight_edits)
            warnings += [text for text in (pg.take_notice(), pg.message) if text]
            return pg, warnings
        problem = pg._replay(steps, changes, link.weight_edits)
        warnings += [text for text in (problem, pg.message) if text]
        return pg, warnings

    def to_query(self, hidden=None):
        """The whole playground as a link's query parameters (strings); `hidden` overrides what it hides.

        While an opened link is being replayed, it is that link (with what it hides now).
        """
        if self._active_replay() is not None:
            query = dict(self.replay.query)
            query.pop("hide", None)
            hide = links.to_query(links.Link(self.settings, self.table, hidden=self.hidden if hidden is None
                                             else tuple(hidden))).get("hide")
            return {**query, **({"hide": hide} if hide else {})}
        return links.to_query(links.Link(self.settings, self.table, self.steps, self.learning_rate_changes,
                                         self.hidden if hidden is None else tuple(hidden), self.weight_edits))

    def shows(self, part):
        """False when this playground's link hides `part` (a name from ui.links.HIDEABLE)."""
        return part not in self.hidden

    def link_carries_table(self):
        """False when the table differs from the preset's but is too large to put in a link."""
        return links.table_is_named(self.settings, self.table) or "table" in self.to_query()

    # -- reading -------------------------------------------------------------------

    @property
    def steps(self):
        return self.trainer.steps

    @property
    def config(self):
        return self.trainer.config

    @property
    def running(self):
        return self.live.running

    @property
    def run_until(self):
        return self.live.run_until

    def outputs(self):
        """The network's outputs on the training rows, in the table's units (n_train, n_out)."""
        return self.scaler.outputs_back(self.trainer.predict(self.trainer.X))

    def outputs_all(self):
        """The network's outputs on every row of the table, held out or not, in its order and units (n_rows, n_out)."""
        test = self.trainer.predict(self.trainer.X_test) if self.has_test else None
        return self.scaler.outputs_back(self.in_table_order(self.trainer.predict(self.trainer.X), test))

    def scaled_inputs(self, rows):
        """What the network sees for raw input rows (n_rows, n_in): derived inputs added, then scaled."""
        return self.scaler.inputs(add_features(rows, self.settings.features))

    def predict_raw(self, rows):
        """Outputs in table units for raw input rows (n_rows, n_in), scaled as the table was."""
        return self.scaler.outputs_back(self.trainer.predict(self.scaled_inputs(rows)))

    def input_names(self):
        """Names of the network's inputs: the table's input columns, then the derived ones."""
        return [*self.table.inputs, *feature_labels(self.settings.features, self.table.inputs)]

    @property
    def has_test(self):
        return self.trainer.has_test

    def in_table_order(self, train_values, test_values=None):
        """Rows of the training set (n_train, ...) and of the test set (n_test, ...) back in the table's order."""
        if test_values is None or not len(self.test_rows):
            return np.asarray(train_values)
        train_values, test_values = np.asarray(train_values), np.asarray(test_values)
        merged = np.empty((self.table.n_rows, *train_values.shape[1:]), dtype=train_values.dtype)
        merged[self.train_rows], merged[self.test_rows] = train_values, test_values
        return merged

    def targets_warning(self):
        """A message when the scaled targets lie outside what the output activation can reach, else None."""
        activation = ACTIVATIONS[self.settings.output_activation]
        return targets_problem(self.trainer.Y, activation.name, activation.output_range)

    def sweep_key(self):
        return (self.settings.starting_point(), self.settings.learning_rate, self.table)

    def network_problems(self, text):
        """(Trainer, []) for a saved network this playground can continue, or (None, reasons)."""
        return read_network(text, self.table)

    # -- settings and table ----------------------------------------------------------

    @_locked
    def take_notice(self):
        """The notice to show now ("" if none); it is not shown again."""
        notice, self.notice = self.notice, ""
        return notice

    @_locked
    def load_preset(self, key):
        self.settings = Settings.from_preset(key)
        self.table = table_from_preset(PRESETS[key])
        self.message = ""
        self._rebuild()
        self._settings_changed_elsewhere()

    @_locked
    def apply_settings(self, new, from_sidebar=False):
        """Take new settings; returns False (and keeps the old ones, with a message) if they can't be used.

        New data set settings draw the table afresh from them. from_sidebar: the change comes from
        widgets that already show it (the sidebar's, or a page's own), so they are not drawn afresh.
        """
        problems = new.problems()
        if problems:
            self.notice = "Settings not applied: " + "; ".join(problems) + "."
            self._settings_changed_elsewhere()  # the widgets show the settings still in use
            return False
        old, self.settings = self.settings, new
        if new.starting_point() != old.starting_point():
            old_table = self.table
            try:
                if new.dataset and new.data() != old.data():
                    self.table = links.generated_table(new.data())
                self._rebuild()
            except ValueError as error:  # e.g. a divisor that the table cannot use
                self.settings, self.table = old, old_table
                self._rebuild()
                self.notice = f"Settings not applied: {error}."
                self._settings_changed_elsewhere()
                return False
            self.message = ""
        elif new.learning_rate != old.learning_rate:
            self.set_learning_rate(new.learning_rate)
        if not from_sidebar:
            self._settings_changed_elsewhere()
        return True

    @_locked
    def set_learning_rate(self, rate):
        """Change the rate from the current step on; the weights stay."""
        self.settings = replace(self.settings, learning_rate=rate)
        self.trainer.set_learning_rate(rate)
        changes = [c for c in self.learning_rate_changes if c[0] < self.steps]
        self.learning_rate_changes = tuple(changes) + ((self.steps, rate),)
        self.message = ""
        self._changed()

    @_locked
    def fit_targets(self):
        """Scale the outputs so the output activation can reach them (max, or min-max for negatives)."""
        low = ACTIVATIONS[self.settings.output_activation].output_range[0]
        mode = "minmax" if low >= 0 and (self.table.Y < 0).any() else "max"
        return self.apply_settings(replace(self.settings, output_scaling=mode))

    @_locked
    def set_table(self, table):
        """A new valid table re-initialises the network (a link then reproduces the run).

        An edited generated set becomes the visitor's own table: the settings no longer name it.
        """
        if table == self.table:
            return
        old, old_settings = self.table, self.settings
        self.table = table
        if self.settings.dataset and not links.table_is_named(self.settings, table):
            self.settings = replace(self.settings, **{name: getattr(Settings(), name) for name in DATA_FIELDS})
        try:
            self._rebuild()
        except ValueError as error:
            self.table, self.settings = old, old_settings
            self._rebuild()
            self.notice = f"Table not used: {error}."
        if self.settings != old_settings:
            self._settings_changed_elsewhere()

    @_locked
    def generate_data(self, dataset, points, noise, data_seed):
        """Draw a generated data set into the table (its settings go into the link); False with a notice if refused."""
        return self.apply_settings(replace(self.settings, dataset=dataset, points=int(points), noise=float(noise),
                                           data_seed=int(data_seed)))

    @_locked
    def set_weight(self, layer, row, column, value):
        """Type a value into a weight (row n_layer of layer `layer` is its bias): a recorded event of the run.

        Returns "" or why it was refused. A link and the exported script replay it at this step.
        """
        if len(self.weight_edits) >= limits.MAX_WEIGHT_EDITS:
            return (f"At most {limits.MAX_WEIGHT_EDITS} weights can be typed in by hand in one run; "
                    "reset to start again.")
        try:
            value = float(value)
        except (TypeError, ValueError):
            return f"{links.short(value)} is not a number."
        if not abs(value) <= limits.MAX_WEIGHT_VALUE:
            return f"A weight typed in by hand must lie between -{limits.MAX_WEIGHT_VALUE:g} and " \
                   f"{limits.MAX_WEIGHT_VALUE:g}."
        try:
            self.trainer.set_weight(int(layer), int(row), int(column), value)
        except ValueError as error:
            return f"Not changed: {error}."
        self.live.stop()
        self.weight_edits += ((self.steps, int(layer), int(row), int(column), value),)
        self._changed()
        return ""

    @_locked
    def use_frame(self, frame, inputs, outputs):
        """Check an edited or uploaded frame; if it is sound it becomes the table. Returns the TableCheck."""
        check = check_frame(frame, inputs, outputs)
        if check.table is not None:
            self.set_table(check.table)
        return check

    @_locked
    def load_network(self, text):
        """Continue from a saved one-network JSON on the current table; its settings become ours.

        Raises ValueError naming what is wrong, before anything is allocated or changed.
        """
        loaded, problems = read_network(text, self.table)
        if problems:
            raise ValueError("; ".join(problems))
        c = loaded.config
        self.settings = replace(self.settings, hidden=tuple(c.layer_sizes[1:-1]), **network_fields(c))
        self._rebuild()
        state = loaded.state_dict()
        state["X"], state["Y"] = self.trainer.X.tolist(), self.trainer.Y.tolist()
        state.pop("X_test", None), state.pop("Y_test", None)  # this playground's own split, not the file's
        if self.trainer.has_test:
            state["X_test"], state["Y_test"] = self.trainer.X_test.tolist(), self.trainer.Y_test.tolist()
        state.pop("test_mean_abs_error", None), state.pop("test_loss_history", None)
        if len(loaded.X) != len(self.trainer.X):  # its row order referred to another table
            state["pending_rows"] = [[]]
        self.trainer = Trainer.from_state_dict(state)
        self.learning_rate_changes = ((0, c.learning_rate),)
        self.message = ""
        self._changed()
        self._settings_changed_elsewhere()

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

    def _settings_changed_elsewhere(self):
        self.settings_version += 1

    def _changed(self):
        """The network changed outside a scheduled slice: drop slices in flight, show the new state."""
        self.generation += 1
        trainer = self.trainer
        self.live.record(Frame(trainer.steps, tuple(trainer.weights()), tuple(trainer.biases())))

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

    def _rebuild(self):
        """New trainer from settings and table: the seed's starting weights, step 0.

        Derived inputs are added, the test rows held out and the scaling fitted on the training rows
        (engine.tables); ValueError when the settings do not fit the table.
        """
        s = self.settings
        prepared = prepare_table(self.table.X, self.table.Y, s.features, s.test_share, s.split_seed,
                                 **{name: getattr(s, name) for name in SCALING_FIELDS})
        config = s.network_config(len(self.table.inputs) + len(s.features), len(self.table.outputs))
        trainer = Trainer(config, prepared.X, prepared.Y, X_test=prepared.X_test, Y_test=prepared.Y_test)
        self.trainer, self.scaler = trainer, prepared.scaler
        self.train_rows, self.test_rows = prepared.train_rows, prepared.test_rows
        self.learning_rate_changes = ((0, s.learning_rate),)
        self.weight_edits = ()
        self.live.stop()
        self.sweep = None
        self.message = ""
        self._changed()

    def _train(self, n_steps):
        """Up to n_steps more updates, bounded by the total-step limit; returns the RunReport."""
        room = limits.MAX_TOTAL_STEPS - self.steps
        n_steps = max(0, min(int(n_steps), room))
        report = self.trainer.run(n_steps)
        self._after_training(report.diverged)
        return report

    def _replay(self, steps, learning_rate_changes, weight_edits=()):
        """Train from the starting weights to `steps`, applying the recorded rate changes and weight edits in order.

        Returns "" or why the weight edits were not all replayed (those left out and after them are dropped).
        """
        self._start_replay(steps, learning_rate_changes, weight_edits, live=False)
        self._replay_the_rest()
        return self.take_notice()

    @_locked
    def finish_replay(self):
        """Train what is left of an opened link's replay here and now (for a page that does not show training)."""
        if self._active_replay() is not None:
            self._replay_the_rest()
            self._changed()  # a slice still in flight is dropped; the live view shows where the replay ended

    def _replay_the_rest(self):
        while self.replay is not None and self.steps < self.replay.target:
            before = self.steps
            self._train(self._replay_room(self.replay.target - self.steps))
            if self.steps == before:  # stopped early (diverged): what comes later never happened
                break
            self._replay_events_due()
        self.replay = None

    def _start_replay(self, steps, learning_rate_changes, weight_edits, live=True):
        """Back to step 0, with the link's events queued; live: the scheduler trains up to `steps`."""
        self.reset()
        changes = [(start, "rate", rate) for start, rate in learning_rate_changes if start <= steps]
        edits = [(edit[0], "edit", edit) for edit in weight_edits if edit[0] <= steps]
        events = sorted(changes + edits, key=lambda e: (e[0], e[1] == "edit"))  # stable: rates first at a step
        query = links.to_query(links.Link(self.settings, self.table, steps, tuple(learning_rate_changes),
                                          self.hidden, tuple(weight_edits)))
        self.replay = Replay(steps, self.generation, deque(events), query)
        self._replay_events_due()
        if live and self.replay is not None and self.steps < steps:
            self.live.start(steps)
        elif self.steps >= steps:
            self.replay = None

    def _replay_room(self, steps):
        """At most `steps`, and no further than the replay's next event."""
        if self.replay is not None and self.replay.events:
            steps = min(steps, self.replay.events[0][0] - self.steps)
        return steps

    def _replay_events_due(self):
        """Apply the replay's events of this step; the replay ends at its target or when the run stopped."""
        replay = self.replay
        while replay.events and replay.events[0][0] <= self.steps:
            start, kind, value = replay.events.popleft()
            if kind == "rate":
                if value != self.trainer.learning_rates[0]:
                    self.trainer.set_learning_rate(value)
                self.learning_rate_changes = ((0, value),) if start == 0 else (*self.learning_rate_changes,
                                                                                (start, value))
                self.settings = replace(self.settings, learning_rate=float(value))
                self._settings_changed_elsewhere()
                continue
            try:
                self.trainer.set_weight(*value[1:])
                self.weight_edits = (*self.weight_edits, value)
                trainer = self.trainer
                self.live.record(Frame(trainer.steps, tuple(trainer.weights()), tuple(trainer.biases())))
            except ValueError as error:
                self.notice = (f"The link's weight edit at step {start:,} can't be used ({error}); it and later "
                               "edits are left out.")
                replay.events = deque(e for e in replay.events if e[1] != "edit")
        if self.steps >= replay.target or self.trainer.diverged_at[0] >= 0:
            self.replay = None

    def _active_replay(self):
        """The replay under way, or None: a pause, a click that trains or any change of the network ends it."""
        replay = self.replay
        if replay is not None and (replay.generation != self.generation or not self.running
                                   or self.run_until != replay.target):
            self.replay = replay = None
        return replay


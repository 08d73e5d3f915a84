"""The playground's one state object: settings, table, and the network trained on them.

Playground is one class in four modules, each a concern a newcomer can read alone: this one
(fields, making one from a preset or a link, settings and table changes), ui/state_reading.py
(read-only views), ui/state_training.py (clicks that train, the scheduler's slices, the seed
sweep) and ui/state_replay.py (replaying an opened link). ui/locking.py holds the lock rule.

Nothing here imports streamlit, so every rule (what re-initialises, what a link restores)
is tested without a browser. Two rules hold by construction:

- Every change goes through a public method of Playground, and each takes the playground's
  re-entrant lock itself, so a click never races the training thread. Pages and callbacks
  call these methods and never assign fields (tests/test_architecture.py checks).
- `settings_version` grows with every change of settings that did not come from the
  sidebar's own widgets (a preset, a link, a seed opened from the sweep, a refused
  change). The sidebar keys its widgets with it, so they show the settings in use.
"""


import threading
from collections import deque
from dataclasses import dataclass, field, replace

from engine import ACTIVATIONS, Trainer
from engine.presets import PRESETS
from engine.tables import prepare_table
from ui import limits, links
from ui.live import Frame, LiveRun
from ui.locking import locked as _locked
from ui.saved import read_network
from ui.settings import DATA_FIELDS, DEFAULT_PRESET, SCALING_FIELDS, Settings, network_fields
from ui.state_reading import Reading
from ui.state_replay import LinkReplay, Replay
from ui.state_training import Training
from ui.sweep import Sweep
from ui.table import Table, check_frame, table_from_preset


@dataclass(eq=False)
class Playground(Reading, Training, LinkReplay):
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

    # -- inside ------------------------------------------------------------------------

    def _settings_changed_elsewhere(self):
        self.settings_version += 1

    def _changed(self):
        """The network changed outside a scheduled slice: drop slices in flight, show the new state."""
        self.generation += 1
        trainer = self.trainer
        self.live.record(Frame(trainer.steps, tuple(trainer.weights()), tuple(trainer.biases())))

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

"""Playground's replay of an opened link: at once, or slice by slice as a live run.

A mixin of ui.state.Playground; it holds no fields beyond Playground.replay. A link records a run
as its steps, the learning-rate changes and the weights typed in by hand, each at its step;
replaying stops at every such step and applies it, so the numbers are the run's, bit for bit.
"""

from collections import deque
from dataclasses import dataclass, replace

from ui import links
from ui.live import Frame
from ui.locking import locked as _locked


@dataclass(eq=False)
class Replay:
    """An opened link's run, replayed slice by slice: its target step and the events still to come."""

    target: int
    generation: int  # the playground's generation when it started: any change but a slice ends the replay
    events: deque  # (step, "rate", rate) or (step, "edit", (step, layer, row, column, value)), in order
    query: dict  # the link as it will be once replayed: the address bar keeps it meanwhile


class LinkReplay:
    """Playground's link replay (see ui.state.Playground for the fields it uses)."""

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

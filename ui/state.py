"""The playground's one state object: settings, table, trained network; and its URL form.

Nothing here imports streamlit, so every rule (what re-initialises, what a link
restores) is tested without a browser. ui.session keeps one Playground per
browser session in st.session_state.
"""

import math
import threading
import time
from dataclasses import asdict, dataclass, field, fields, replace
from types import MappingProxyType

import numpy as np

from engine import ACTIVATIONS, INITIALIZERS, LOSSES, SCALINGS, NetworkConfig, Trainer, fit_scaler
from engine.presets import PRESETS
from ui import limits
from ui.live import LiveRunner
from ui.table import Table, check_frame, decode_table, encode_table, table_from_preset, targets_problem

DEFAULT_PRESET = "trask-3-layer"
_NO_TARGET = "(no target)"


@dataclass(frozen=True)
class Settings:
    """Every choice in the sidebar; the vocabulary of names comes from the engine's registries."""

    preset: str = DEFAULT_PRESET
    hidden: tuple = (4,)  # neurons in each hidden layer
    hidden_activation: str = "sigmoid"
    output_activation: str = "sigmoid"
    bias: bool = False
    init: str = "uniform"
    loss: str = "tutorial"
    learning_rate: float = 1.0
    batch_size: int = 0  # 0 = full batch, 1 = one row at a time
    seed: int = 1
    input_scaling: str = "none"
    output_scaling: str = "none"
    input_divisor: float = 1.0
    output_divisor: float = 1.0

    @classmethod
    def from_preset(cls, key):
        p = PRESETS[key]
        c = p.config
        return cls(
            preset=key, hidden=p.hidden, hidden_activation=c.hidden_activation,
            output_activation=c.output_activation, bias=c.bias, init=c.init, loss=c.loss,
            learning_rate=c.learning_rate, batch_size=c.batch_size, seed=c.seed,
            input_scaling=p.input_scaling, output_scaling=p.output_scaling,
            input_divisor=p.input_divisor, output_divisor=p.output_divisor,
        )

    def network_config(self, n_in, n_out):
        return NetworkConfig(
            layer_sizes=(n_in, *self.hidden, n_out), hidden_activation=self.hidden_activation,
            output_activation=self.output_activation, bias=self.bias, init=self.init, loss=self.loss,
            learning_rate=self.learning_rate, batch_size=self.batch_size, seed=self.seed,
        )

    def starting_point(self):
        """What decides the starting weights and the data: changing any of it re-initialises."""
        return tuple((f.name, getattr(self, f.name)) for f in fields(self) if f.name not in ("learning_rate", "preset"))

    def problems(self):
        """Plain-language reasons these settings cannot be used ([] if none)."""
        found = []
        if len(self.hidden) > limits.MAX_HIDDEN_LAYERS:
            found.append(f"at most {limits.MAX_HIDDEN_LAYERS} hidden layers")
        if any(not 1 <= n <= limits.MAX_NEURONS for n in self.hidden):
            found.append(f"each hidden layer needs 1 to {limits.MAX_NEURONS} neurons")
        if not limits.MIN_LEARNING_RATE <= self.learning_rate <= limits.MAX_LEARNING_RATE:
            found.append(f"learning rate must be between {limits.MIN_LEARNING_RATE:g} and {limits.MAX_LEARNING_RATE:g}")
        for side in ("input", "output"):
            if getattr(self, f"{side}_scaling") == "divide" and not _usable_divisor(getattr(self, f"{side}_divisor")):
                found.append(f"the {side} divisor must be a non-zero number")
        found += self.network_config(1, 1).problems()
        return found


def _usable_divisor(value):
    return math.isfinite(value) and value != 0 and abs(value) <= 1e9


@dataclass
class Sweep:
    """The same network trained from many seeds at once (the Seeds page)."""

    trainer: Trainer  # S networks, seeds seed, seed + 1, ...
    made_from: tuple  # Playground.sweep_key() when it was started
    target_steps: int
    target_error: float
    running: bool = True

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


@dataclass
class Playground:
    """One visitor's playground: the settings, the table, and the network trained on them."""

    settings: Settings
    table: Table
    # (step, learning rate) from which each rate applied; the last one is the current rate.
    learning_rate_changes: tuple = ((0, 1.0),)
    trainer: Trainer = None
    scaler: object = None
    message: str = ""  # the latest thing the user should read (divergence, a refused change)
    running: bool = False
    run_until: int = 0  # Run to N: the step at which the running stops (0: until paused)
    sweep: object = None  # ui.state.Sweep while the Seeds page has one
    extra: dict = field(default_factory=dict)
    # Live training runs in a thread (ui.live); every change to the playground happens under this lock.
    lock: object = field(default_factory=threading.RLock, repr=False, compare=False)
    runners: dict = field(default_factory=dict, repr=False, compare=False)

    def runner(self, name):
        """The LiveRunner for `name` ("train" or "sweep"), made on first use."""
        if name not in self.runners:
            self.runners[name] = LiveRunner(self.lock)
        return self.runners[name]

    @classmethod
    def from_preset(cls, key=DEFAULT_PRESET):
        settings = Settings.from_preset(key)
        pg = cls(settings, table_from_preset(PRESETS[key]), ((0, settings.learning_rate),))
        pg.rebuild()
        return pg

    # -- derived ---------------------------------------------------------------

    @property
    def steps(self):
        return self.trainer.steps

    @property
    def config(self):
        return self.trainer.config

    def outputs(self):
        """The network's outputs on the training rows, in the table's units (n_rows, n_out)."""
        return self.scaler.outputs_back(self.trainer.predict(self.trainer.X))

    def predict_raw(self, rows):
        """Outputs in table units for raw input rows (n_rows, n_in), scaled as the table was."""
        return self.scaler.outputs_back(self.trainer.predict(self.scaler.inputs(rows)))

    def targets_warning(self):
        """A message when the scaled targets lie outside what the output activation can reach, else None."""
        activation = ACTIVATIONS[self.settings.output_activation]
        return targets_problem(self.trainer.Y, activation.name, activation.output_range)

    def fit_targets(self):
        """Scale the outputs so the output activation can reach them (max, or min-max for negatives)."""
        low = ACTIVATIONS[self.settings.output_activation].output_range[0]
        mode = "minmax" if low >= 0 and (self.table.Y < 0).any() else "max"
        return self.apply_settings(replace(self.settings, output_scaling=mode))

    def read_new_inputs(self, frame):
        """(X_raw (n_rows, n_in), problems) from an edited frame of new input rows; checked like the table."""
        frame = frame.copy()
        frame = frame[[c for c in self.table.inputs if c in frame.columns]]
        if frame.empty:
            return np.empty((0, len(self.table.inputs))), []
        frame[_NO_TARGET] = 0.0  # check_frame wants an output column; new rows have no target
        check = check_frame(frame, self.table.inputs, (_NO_TARGET,))
        if check.table is None:
            return np.empty((0, len(self.table.inputs))), list(check.problems)
        return check.table.X, []

    def layer_names(self):
        """Name of every layer of neurons, input first: ['inputs', 'hidden 1', ..., 'outputs']."""
        n_hidden = len(self.settings.hidden)
        hidden = [f"hidden {i + 1}" if n_hidden > 1 else "hidden" for i in range(n_hidden)]
        return ["inputs", *hidden, "outputs"]

    def neuron_labels(self):
        """Labels of every neuron per layer: column names at both ends, l1[0], l1[1], ... between."""
        hidden = [[f"l{i + 1}[{j}]" for j in range(n)] for i, n in enumerate(self.settings.hidden)]
        return [list(self.table.inputs), *hidden, list(self.table.outputs)]

    def weight_titles(self):
        """'syn0: 3 inputs × 4 hidden' for each weight matrix, in the tutorials' naming."""
        sizes, names = self.trainer.config.layer_sizes, self.layer_names()

        def counted(n, name):
            return f"{n} {name[:-1] if n == 1 and name.endswith('s') else name}"

        return [f"syn{l}: {counted(sizes[l], names[l])} × {counted(sizes[l + 1], names[l + 1])}"
                for l in range(len(sizes) - 1)]

    def advance_live(self, seconds=limits.SECONDS_PER_TICK):
        """Train while running for about `seconds`, stopping at run_until; how the page runs live."""
        n_weights = sum(W[0].size for W in self.trainer.W)
        slice_steps = max(1, limits.steps_per_tick(len(self.table.rows), n_weights) // 10)
        start = time.perf_counter()
        while self.running and time.perf_counter() - start < seconds:
            n = slice_steps if not self.run_until else min(slice_steps, self.run_until - self.steps)
            if n <= 0:
                self.running = False
                break
            self.train(n)
            if self.run_until and self.steps >= self.run_until:
                self.running = False

    def start_run(self, until=0):
        """Run until paused, or until step `until` (capped per click); returns a note for the user."""
        note = ""
        if until:
            if until <= self.steps:
                return f"Already at step {self.steps:,}; choose a larger step."
            if until - self.steps > limits.MAX_STEPS_PER_CLICK:
                until = self.steps + limits.MAX_STEPS_PER_CLICK
                note = (f"One click runs at most {limits.MAX_STEPS_PER_CLICK:,} steps: running to "
                        f"{until:,}; click again to continue.")
        self.running, self.run_until = True, int(until)
        return note

    def rebuild(self):
        """New trainer from settings and table: the seed's starting weights, step 0."""
        s = self.settings
        self.scaler = fit_scaler(self.table.X, self.table.Y, s.input_scaling, s.output_scaling,
                                 s.input_divisor, s.output_divisor)
        config = s.network_config(len(self.table.inputs), len(self.table.outputs))
        self.trainer = Trainer(config, self.scaler.inputs(self.table.X), self.scaler.outputs(self.table.Y))
        self.learning_rate_changes = ((0, s.learning_rate),)
        self.running = False
        self.run_until = 0
        self.sweep = None

    # -- what the user does ------------------------------------------------------

    def load_preset(self, key):
        self.settings = Settings.from_preset(key)
        self.table = table_from_preset(PRESETS[key])
        self.message = ""
        self.rebuild()

    def apply_settings(self, new):
        """Take new sidebar settings; returns False (and keeps the old ones) if they can't be used."""
        problems = new.problems()
        if problems:
            self.message = "Settings not applied: " + "; ".join(problems) + "."
            return False
        old, self.settings = self.settings, new
        if new.starting_point() != old.starting_point():
            try:
                self.rebuild()
            except ValueError as error:  # e.g. a divisor that the table cannot use
                self.settings = old
                self.message = f"Settings not applied: {error}."
                return False
            self.message = ""
        elif new.learning_rate != old.learning_rate:
            self.set_learning_rate(new.learning_rate)
        return True

    def set_learning_rate(self, rate):
        """Change the rate from the current step on; the weights stay."""
        self.settings = replace(self.settings, learning_rate=rate)
        self.trainer.set_learning_rate(rate)
        changes = [c for c in self.learning_rate_changes if c[0] < self.steps]
        self.learning_rate_changes = tuple(changes) + ((self.steps, rate),)
        self.message = ""

    def set_table(self, table):
        """A new valid table re-initialises the network (a link then reproduces the run)."""
        if table == self.table:
            return
        old = self.table
        self.table = table
        try:
            self.rebuild()
        except ValueError as error:
            self.table = old
            self.rebuild()
            self.message = f"Table not used: {error}."

    def reset(self):
        """Back to the same starting weights (same seed), step 0."""
        self.trainer.reset()
        self.trainer.set_learning_rate(self.settings.learning_rate)
        self.learning_rate_changes = ((0, self.settings.learning_rate),)
        self.running = False
        self.run_until = 0
        self.message = ""

    def train(self, n_steps):
        """Up to n_steps more updates, bounded by the total-step limit; returns the RunReport."""
        room = limits.MAX_TOTAL_STEPS - self.steps
        n_steps = max(0, min(int(n_steps), room))
        report = self.trainer.run(n_steps)
        if report.diverged or (self.trainer.n_networks == 1 and self.trainer.diverged_at[0] >= 0):
            self.message = report.message or self.trainer.divergence_message()
            self.running = False
        elif self.steps >= limits.MAX_TOTAL_STEPS:
            self.message = f"Reached the limit of {limits.MAX_TOTAL_STEPS:,} steps; reset to start again."
            self.running = False
        return report

    def replay(self, steps, learning_rate_changes=None):
        """Train from the starting weights to `steps`, applying the recorded rate changes."""
        changes = learning_rate_changes or self.learning_rate_changes
        self.reset()
        for i, (start, rate) in enumerate(changes):
            if start > steps:
                break
            if start > self.steps:
                self.train(start - self.steps)
            if rate != self.trainer.learning_rates[0]:
                self.trainer.set_learning_rate(rate)
            end = changes[i + 1][0] if i + 1 < len(changes) else steps
            self.train(min(end, steps) - self.steps)
        self.settings = replace(self.settings, learning_rate=float(self.trainer.learning_rates[0]))
        self.learning_rate_changes = tuple(c for c in changes if c[0] <= steps) or ((0, self.settings.learning_rate),)

    def adopt(self, loaded):
        """Continue from a loaded one-network Trainer on the current table (its settings become ours)."""
        c = loaded.config
        self.settings = replace(
            self.settings, hidden=tuple(c.layer_sizes[1:-1]), hidden_activation=c.hidden_activation,
            output_activation=c.output_activation, bias=c.bias, init=c.init, loss=c.loss,
            learning_rate=c.learning_rate, batch_size=c.batch_size, seed=c.seed,
        )
        self.rebuild()
        state = loaded.state_dict()
        state["X"], state["Y"] = self.trainer.X.tolist(), self.trainer.Y.tolist()
        if len(loaded.X) != len(self.trainer.X):  # its row order referred to another table
            state["pending_rows"] = [[]]
        self.trainer = Trainer.from_state_dict(state)
        self.learning_rate_changes = ((0, c.learning_rate),)
        self.message = ""

    def sweep_key(self):
        return (self.settings.starting_point(), self.settings.learning_rate, self.table)

    def start_sweep(self, n_seeds, steps, target_error):
        """Train seeds seed .. seed + n_seeds - 1 side by side, live, up to `steps`; returns a note if capped."""
        n_seeds = int(min(max(1, n_seeds), limits.MAX_SEEDS))
        wanted = int(min(max(1, steps), limits.MAX_SWEEP_STEPS))
        steps = min(wanted, limits.MAX_SWEEP_NETWORK_STEPS // n_seeds)
        note = "" if steps == wanted else (
            f"{n_seeds} seeds can train at most {steps:,} steps each here "
            f"({limits.MAX_SWEEP_NETWORK_STEPS:,} network-steps in all); fewer seeds can go further.")
        seeds = [(self.settings.seed + k) % 2**32 for k in range(n_seeds)]
        trainer = Trainer(self.trainer.config.replace(learning_rate=self.settings.learning_rate),
                          self.trainer.X, self.trainer.Y, seeds=seeds)
        self.sweep = Sweep(trainer, self.sweep_key(), steps, float(target_error))
        self.running = False
        return note

    def advance_sweep(self, seconds=limits.SECONDS_PER_TICK):
        """Train the sweep for about `seconds` while it runs, stopping at its target steps."""
        sweep = self.sweep
        trainer = sweep.trainer
        n_weights = sum(W[0].size for W in trainer.W)
        slice_steps = max(1, limits.steps_per_tick(len(trainer.X), n_weights, trainer.n_networks) // 4)
        start = time.perf_counter()
        while sweep.running and time.perf_counter() - start < seconds:
            trainer.run(min(slice_steps, sweep.target_steps - trainer.steps))
            if trainer.steps >= sweep.target_steps or (trainer.diverged_at >= 0).all():
                sweep.running = False

    def open_seed(self, seed):
        """Make seed's network from the sweep the Train page's network, with exactly its weights."""
        k = int(np.flatnonzero(self.sweep.trainer.seeds == seed)[0])
        self.trainer = self.sweep.trainer.extract(k)
        self.settings = replace(self.settings, seed=int(seed))
        self.learning_rate_changes = ((0, self.settings.learning_rate),)
        self.sweep.made_from = self.sweep_key()
        self.running = False
        self.message = ""

    def new_seed(self, seed):
        self.apply_settings(replace(self.settings, seed=int(seed)))

    # -- links -------------------------------------------------------------------

    def to_query(self):
        """The whole playground as query parameters (strings)."""
        s = self.settings
        defaults = Settings.from_preset(s.preset) if s.preset in PRESETS else Settings()
        query = {"preset": s.preset}
        for f in fields(Settings):
            if f.name == "preset":
                continue
            value = getattr(s, f.name)
            if value != getattr(defaults, f.name):
                query[_QUERY_NAMES[f.name]] = _format(value)
        query["seed"] = str(s.seed)
        query["steps"] = str(self.steps)
        if len(self.learning_rate_changes) > 1:
            query["lrs"] = ",".join(f"{step}:{rate!r}" for step, rate in self.learning_rate_changes)
        if not self._has_preset_table():
            encoded = encode_table(self.table)
            # A table too big for a link is left out rather than making a link that will be refused.
            if len(encoded) + 2_000 <= limits.MAX_QUERY_CHARS:
                query["table"] = encoded
        return query

    def _has_preset_table(self):
        preset = PRESETS.get(self.settings.preset)
        return preset is not None and self.table == table_from_preset(preset)

    def link_carries_table(self):
        """False when the table differs from the preset's but is too large to put in a link."""
        return self._has_preset_table() or "table" in self.to_query()

    @classmethod
    def from_query(cls, query):
        """(Playground, warnings): every bad or missing parameter falls back to a safe value."""
        query = {str(k): str(v) for k, v in dict(query).items()}
        warnings = []
        total = sum(len(k) + len(v) for k, v in query.items())
        if total > limits.MAX_QUERY_CHARS:
            return cls.from_preset(), [f"The link is too long ({total:,} characters); the default playground is shown."]
        preset = query.get("preset", DEFAULT_PRESET)
        if preset not in PRESETS:
            warnings.append(f"Unknown preset {_short(preset)}; using {DEFAULT_PRESET}.")
            preset = DEFAULT_PRESET
        base = Settings.from_preset(preset)
        values = asdict(base)
        for f in fields(Settings):
            name = _QUERY_NAMES.get(f.name)
            if name is None or name not in query:
                continue
            parsed, problem = _parse(f.name, query[name])
            if problem:
                warnings.append(f"Link parameter '{name}': {problem}; using {_format(values[f.name])}.")
            else:
                values[f.name] = parsed
        settings = Settings(**values)
        problems = settings.problems()
        if problems:
            warnings.append("Link settings can't be used (" + "; ".join(problems) + "); using the preset's.")
            settings = base
        table = table_from_preset(PRESETS[preset])
        if "table" in query:
            try:
                table = decode_table(query["table"])
            except ValueError as error:
                warnings.append(f"The link's table can't be read ({error}); using the preset's table.")
        pg = cls(settings, table, ((0, settings.learning_rate),))
        try:
            pg.rebuild()
        except ValueError as error:
            warnings.append(f"The link's settings don't fit its table ({error}); using the preset.")
            return cls.from_preset(preset), warnings
        steps, problem = _parse_int(query.get("steps", "0"), 0, limits.MAX_LINK_STEPS)
        if problem:
            warnings.append(f"Link parameter 'steps': {problem}; training {steps:,} steps.")
        changes = ((0, settings.learning_rate),)
        if "lrs" in query:
            parsed, problem = _parse_rate_changes(query["lrs"], settings.learning_rate)
            if problem:
                warnings.append(f"Link parameter 'lrs': {problem}; using one learning rate throughout.")
            else:
                changes = parsed
        pg.replay(steps, changes)
        if pg.message:
            warnings.append(pg.message)
        return pg, warnings


_QUERY_NAMES = MappingProxyType({
    "hidden": "hidden", "hidden_activation": "act", "output_activation": "out", "bias": "bias",
    "init": "init", "loss": "loss", "learning_rate": "lr", "batch_size": "batch", "seed": "seed",
    "input_scaling": "xscale", "output_scaling": "yscale", "input_divisor": "xdiv", "output_divisor": "ydiv",
})

_CHOICES = MappingProxyType({
    "hidden_activation": ACTIVATIONS, "output_activation": ACTIVATIONS, "init": INITIALIZERS,
    "loss": LOSSES, "input_scaling": SCALINGS, "output_scaling": SCALINGS,
})


def _format(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple):
        return ",".join(str(n) for n in value) if value else "0"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _short(text, size=30):
    text = str(text)
    return repr(text if len(text) <= size else text[:size] + "…")


def _parse(name, text):
    """(value, "") or (None, problem) for one settings field given as link text."""
    text = text.strip()
    if name in _CHOICES:
        if text in _CHOICES[name]:
            return text, ""
        return None, f"unknown value {_short(text)} (choose from {', '.join(_CHOICES[name])})"
    if name == "bias":
        if text in ("0", "1"):
            return text == "1", ""
        return None, f"{_short(text)} is not 0 or 1"
    if name == "hidden":
        if text == "0":
            return (), ""
        parts = text.split(",")
        if len(parts) > limits.MAX_HIDDEN_LAYERS:
            return None, f"at most {limits.MAX_HIDDEN_LAYERS} hidden layers"
        sizes = []
        for part in parts:
            n, problem = _parse_int(part, 1, limits.MAX_NEURONS, clamp=False)
            if problem:
                return None, problem
            sizes.append(n)
        return tuple(sizes), ""
    if name == "seed":
        return _parse_int(text, 0, 2**32 - 1, clamp=False)
    if name == "batch_size":
        return _parse_int(text, 0, limits.MAX_ROWS, clamp=False)
    if name == "learning_rate":
        return _parse_float(text, limits.MIN_LEARNING_RATE, limits.MAX_LEARNING_RATE)
    if name in ("input_divisor", "output_divisor"):
        value, problem = _parse_float(text, -1e9, 1e9)
        if not problem and value == 0:
            return None, "cannot divide by 0"
        return value, problem
    return None, "not a setting"


def _parse_int(text, low, high, clamp=True):
    """(int, "") or, if out of range, (clamped value, problem) / (None, problem)."""
    text = str(text).strip()
    if not (text.isascii() and text.lstrip("-").isdigit() and len(text) <= 12):
        return (low if clamp else None), f"{_short(text)} is not a whole number"
    value = int(text)
    if low <= value <= high:
        return value, ""
    return (min(max(value, low), high) if clamp else None), f"{value:,} is outside {low:,} to {high:,}"


def _parse_float(text, low, high):
    try:
        value = float(text) if len(text) <= 40 else math.nan
    except ValueError:
        return None, f"{_short(text)} is not a number"
    if not math.isfinite(value):
        return None, f"{_short(text)} is not a finite number"
    if not low <= value <= high:
        return None, f"{value:g} is outside {low:g} to {high:g}"
    return value, ""


def _parse_rate_changes(text, current):
    """'0:1.0,500:0.5' -> ((0, 1.0), (500, 0.5)); steps strictly increasing from 0, last rate = current."""
    changes = []
    for part in text.split(",")[: 1000]:
        step_text, _, rate_text = part.partition(":")
        step, problem = _parse_int(step_text, 0, limits.MAX_LINK_STEPS, clamp=False)
        if problem:
            return None, problem
        rate, problem = _parse_float(rate_text, limits.MIN_LEARNING_RATE, limits.MAX_LEARNING_RATE)
        if problem:
            return None, problem
        if changes and step <= changes[-1][0]:
            return None, "steps must increase"
        changes.append((step, rate))
    if not changes or changes[0][0] != 0:
        return None, "the first change must be at step 0"
    if changes[-1][1] != current:
        return None, "the last rate must equal 'lr'"
    return tuple(changes), ""

"""The playground as a link: one table of parameters, read by both directions.

A link holds the preset, every setting that differs from the preset's, the seed, the
steps trained, the learning-rate changes, the weights typed in by hand and, when it is
neither the preset's nor the generated data set the settings name, the table.
Opening it replays the run from the seed's starting weights, so it gives the same
weights. SETTINGS_PARAMS names each setting in the address with its parser and
formatter; adding a setting to Settings means adding one row there (a test checks).
"""

import base64
import binascii
import math
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from types import MappingProxyType

import numpy as np
import pandas as pd

from engine import ACTIVATIONS, INITIALIZERS, LOSSES, REGULARIZERS, SCALINGS
from engine.datasets import DATASETS, MAX_NOISE, make_dataset
from engine.features import FEATURES
from engine.presets import PRESETS
from ui import limits, site
from ui.mathtext import plain
from ui.settings import DATA_FIELDS, DEFAULT_PRESET, Settings
from ui.table import Table, check_frame, number_text, table_from_preset


class LinkProblem(ValueError):
    """A parameter's text that cannot be used; its message says why, in a few words."""


def short(text, size=30):
    """User text repeated in a message: quoted, cut at `size` characters, escaped so Markdown shows it as typed."""
    text = str(text)
    return plain(repr(text if len(text) <= size else text[:size] + "…"))


# -- parsers and formatters ---------------------------------------------------------


def whole_number(text, low, high):
    """int in [low, high] from link text, or LinkProblem."""
    text = str(text).strip()
    if not (text.isascii() and text.lstrip("-").isdigit() and len(text) <= 12):
        raise LinkProblem(f"{short(text)} is not a whole number")
    value = int(text)
    if not low <= value <= high:
        raise LinkProblem(f"{value:,} is outside {low:,} to {high:,}")
    return value


def finite_number(text, low, high):
    """float in [low, high] from link text, or LinkProblem."""
    text = str(text).strip()
    try:
        value = float(text) if len(text) <= 40 else math.nan
    except ValueError:
        raise LinkProblem(f"{short(text)} is not a number") from None
    if not math.isfinite(value):
        raise LinkProblem(f"{short(text)} is not a finite number")
    if not low <= value <= high:
        raise LinkProblem(f"{value:g} is outside {low:g} to {high:g}")
    return value


def _choice(registry):
    def parse(text):
        text = text.strip()
        if text not in registry:
            raise LinkProblem(f"unknown value {short(text)} (choose from {', '.join(registry)})")
        return text
    return parse


def _whole(low, high):
    return lambda text: whole_number(text, low, high)


def _number(low, high):
    return lambda text: finite_number(text, low, high)


def _divisor(text):
    value = finite_number(text, -1e9, 1e9)
    if value == 0:
        raise LinkProblem("cannot divide by 0")
    return value


def _flag(text):
    if text.strip() not in ("0", "1"):
        raise LinkProblem(f"{short(text)} is not 0 or 1")
    return text.strip() == "1"


def _features(text):
    text = text.strip()
    if text == "0":
        return ()
    names = [name.strip() for name in text.split(",")[: len(FEATURES) + 1]]
    if unknown := [name for name in names if name not in FEATURES]:
        raise LinkProblem(f"unknown feature {short(unknown[0])} (choose from {', '.join(FEATURES)})")
    return tuple(name for name in FEATURES if name in names)


def _dataset(text):
    text = text.strip()
    if text and text not in DATASETS:
        raise LinkProblem(f"unknown data set {short(text)} (choose from {', '.join(DATASETS)})")
    return text


def _layer_sizes(text):
    text = text.strip()
    if text == "0":
        return ()
    parts = text.split(",")
    if len(parts) > limits.MAX_HIDDEN_LAYERS:
        raise LinkProblem(f"at most {limits.MAX_HIDDEN_LAYERS} hidden layers")
    return tuple(whole_number(part, 1, limits.MAX_NEURONS) for part in parts)


def _format(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple):
        return ",".join(str(n) for n in value) if value else "0"
    if isinstance(value, float):
        return repr(value)
    return str(value)


@dataclass(frozen=True)
class Param:
    """One setting in the address: Settings.<field> travels as ?<name>=<format(value)>."""

    field: str
    name: str
    parse: Callable  # text -> value, or LinkProblem
    format: Callable = _format


SETTINGS_PARAMS = (
    Param("hidden", "hidden", _layer_sizes),
    Param("hidden_activation", "act", _choice(ACTIVATIONS)),
    Param("output_activation", "out", _choice(ACTIVATIONS)),
    Param("bias", "bias", _flag),
    Param("init", "init", _choice(INITIALIZERS)),
    Param("loss", "loss", _choice(LOSSES)),
    Param("learning_rate", "lr", _number(limits.MIN_LEARNING_RATE, limits.MAX_LEARNING_RATE)),
    Param("batch_size", "batch", _whole(0, limits.MAX_ROWS)),
    Param("seed", "seed", _whole(0, 2**32 - 1)),
    Param("input_scaling", "xscale", _choice(SCALINGS)),
    Param("output_scaling", "yscale", _choice(SCALINGS)),
    Param("input_divisor", "xdiv", _divisor),
    Param("output_divisor", "ydiv", _divisor),
    Param("regularization", "reg", _choice(REGULARIZERS)),
    Param("regularization_rate", "regrate", _number(0.0, limits.MAX_REGULARIZATION_RATE)),
    Param("features", "features", _features),
    Param("test_share", "test", _number(0.0, limits.MAX_TEST_SHARE)),
    Param("split_seed", "splitseed", _whole(0, 2**32 - 1)),
    Param("dataset", "data", _dataset),
    Param("points", "points", _whole(limits.MIN_POINTS, limits.MAX_ROWS)),
    Param("noise", "noise", _number(0.0, MAX_NOISE)),
    Param("data_seed", "dataseed", _whole(0, 2**32 - 1)),
    Param("discretize", "discrete", _flag),
)
PARAM_BY_FIELD = MappingProxyType({p.field: p for p in SETTINGS_PARAMS})


# What a link can hide, for a focused exercise: the sidebar's settings, the Data page's editor,
# the page list, or single pages (by their address).
HIDEABLE = MappingProxyType({
    "settings": "the sidebar's settings (preset, network, training)",
    "editor": "the Data page's editor and uploads",
    "nav": "the list of pages",
    **{p.url_path: f"the {p.title} page" for p in site.PAGES if not p.default},
})


def parse_hidden(text):
    """'settings,math' -> ('settings', 'math'): known names only, in HIDEABLE's order."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in HIDEABLE]
    if unknown:
        raise LinkProblem(f"cannot hide {', '.join(short(n) for n in unknown[:3])} (choose from {', '.join(HIDEABLE)})")
    return tuple(name for name in HIDEABLE if name in names)


# -- the link as a value -----------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """What a link asks for: settings, table, and how far to train (with the rate changes on the way)."""

    settings: Settings
    table: Table
    steps: int = 0
    learning_rate_changes: tuple = ()  # ((step, rate), ...) from step 0; () = one rate throughout
    hidden: tuple = ()  # names from HIDEABLE
    weight_edits: tuple = ()  # ((step, layer, row, column, value), ...): weights typed in by hand, in order


def is_preset_table(preset_key, table):
    """True when `table` is exactly the named preset's own table (a link then need not carry it)."""
    preset = PRESETS.get(preset_key)
    return preset is not None and table == table_from_preset(preset)


def generated_table(data):
    """The Table of a generated data set (dataset, points, noise, data_seed): x1 and x2 in, y out."""
    X, Y = make_dataset(*data)
    return Table(columns=("x1", "x2", "y"), rows=tuple(map(tuple, np.hstack([X, Y]).tolist())),
                 inputs=("x1", "x2"), outputs=("y",))


def table_is_named(settings, table):
    """True when the settings name this table: the preset's own, or the generated set they describe."""
    if settings.dataset:
        return settings.dataset in DATASETS and table == generated_table(settings.data())
    return is_preset_table(settings.preset, table)


def to_query(link):
    """The link as query parameters (strings); settings equal to the preset's are left out."""
    s = link.settings
    defaults = Settings.from_preset(s.preset) if s.preset in PRESETS else Settings()
    query = {"preset": s.preset}
    for p in SETTINGS_PARAMS:
        value = getattr(s, p.field)
        if value != getattr(defaults, p.field):
            query[p.name] = p.format(value)
    query["seed"] = str(s.seed)
    query["steps"] = str(link.steps)
    if len(link.learning_rate_changes) > 1:
        query["lrs"] = ",".join(f"{step}:{rate!r}" for step, rate in link.learning_rate_changes)
    if link.hidden:
        query["hide"] = ",".join(link.hidden)
    if link.weight_edits:
        query["edits"] = ",".join(":".join([*(str(int(n)) for n in edit[:4]), repr(float(edit[4]))])
                                  for edit in link.weight_edits)
    if not table_is_named(s, link.table):
        encoded = encode_table(link.table)
        # A table too big for a link is left out rather than making a link that will be refused.
        if len(encoded) + 2_000 <= limits.MAX_QUERY_CHARS:
            query["table"] = encoded
    return query


def from_query(query):
    """(Link, warnings): every bad or missing parameter falls back to a safe value, with a warning."""
    query = {str(k): str(v) for k, v in dict(query).items()}
    total = sum(len(k) + len(v) for k, v in query.items())
    if total > limits.MAX_QUERY_CHARS:
        return (Link(Settings.from_preset(DEFAULT_PRESET), table_from_preset(PRESETS[DEFAULT_PRESET])),
                [f"The link is too long ({total:,} characters); the default playground is shown."])
    warnings = []
    preset = query.get("preset", DEFAULT_PRESET)
    if preset not in PRESETS:
        warnings.append(f"Unknown preset {short(preset)}; using {DEFAULT_PRESET}.")
        preset = DEFAULT_PRESET
    base = Settings.from_preset(preset)
    values = asdict(base)
    for p in SETTINGS_PARAMS:
        if p.name in query:
            try:
                values[p.field] = p.parse(query[p.name])
            except LinkProblem as problem:
                warnings.append(f"Link parameter '{p.name}': {problem}; using {p.format(values[p.field])}.")
    settings = Settings(**values)
    if problems := settings.problems():
        warnings.append("Link settings can't be used (" + "; ".join(problems) + "); using the preset's.")
        settings = base
    table = table_from_preset(PRESETS[preset])
    if "table" in query:
        try:
            table = decode_table(query["table"])
        except ValueError as error:
            warnings.append(f"The link's table can't be read ({error}); using the preset's table.")
        settings = replace(settings, **{name: getattr(base, name) for name in DATA_FIELDS})  # the table says it all
    elif settings.dataset:
        table = generated_table(settings.data())
    steps = 0
    if "steps" in query:
        try:
            steps = whole_number(query["steps"], 0, limits.MAX_TOTAL_STEPS)
        except LinkProblem as problem:
            steps = _clamped_steps(query["steps"])
            warnings.append(f"Link parameter 'steps': {problem}; training {steps:,} steps.")
    def event_list(name, parse, instead):
        """The parsed parameter `name`, or () with a warning saying what happens `instead`."""
        try:
            return parse(query[name]) if name in query else ()
        except LinkProblem as problem:
            warnings.append(f"Link parameter '{name}': {problem}; {instead}.")
            return ()

    changes = event_list("lrs", lambda text: parse_rate_changes(text, settings.learning_rate),
                         "using one learning rate throughout")
    hidden = event_list("hide", parse_hidden, "nothing is hidden")
    edits = event_list("edits", parse_weight_edits, "no weights are typed in")
    return Link(settings, table, steps, changes, hidden, edits), warnings


def _clamped_steps(text):
    """A usable step count for a link's bad 'steps': out-of-range numbers are clamped, the rest are 0."""
    text = str(text).strip()
    if text.isascii() and text.lstrip("-").isdigit() and len(text) <= 12:
        return min(max(int(text), 0), limits.MAX_TOTAL_STEPS)
    return 0


def parse_rate_changes(text, current):
    """'0:1.0,500:0.5' -> ((0, 1.0), (500, 0.5)); steps strictly increasing from 0, last rate = current."""
    changes = []
    for part in text.split(",")[: 1000]:
        step_text, _, rate_text = part.partition(":")
        step = whole_number(step_text, 0, limits.MAX_TOTAL_STEPS)
        rate = finite_number(rate_text, limits.MIN_LEARNING_RATE, limits.MAX_LEARNING_RATE)
        if changes and step <= changes[-1][0]:
            raise LinkProblem("steps must increase")
        changes.append((step, rate))
    if not changes or changes[0][0] != 0:
        raise LinkProblem("the first change must be at step 0")
    if changes[-1][1] != current:
        raise LinkProblem("the last rate must equal 'lr'")
    return tuple(changes)


def parse_weight_edits(text):
    """'120:0:1:2:0.5,300:1:4:0:-2.0' -> ((120, 0, 1, 2, 0.5), ...): step, layer, row, column, value; steps in order.

    Whether the weight exists is for the network to say when the link is replayed.
    """
    parts = text.split(",")
    if len(parts) > limits.MAX_WEIGHT_EDITS:
        raise LinkProblem(f"at most {limits.MAX_WEIGHT_EDITS} weights typed in by hand")
    edits = []
    for part in parts:
        fields = part.split(":")
        if len(fields) != 5:
            raise LinkProblem(f"{short(part)} is not step:layer:row:column:value")
        step = whole_number(fields[0], 0, limits.MAX_TOTAL_STEPS)
        layer = whole_number(fields[1], 0, limits.MAX_HIDDEN_LAYERS)
        row, column = (whole_number(f, 0, max(limits.MAX_NEURONS, limits.MAX_COLUMNS)) for f in fields[2:4])
        value = finite_number(fields[4], -limits.MAX_WEIGHT_VALUE, limits.MAX_WEIGHT_VALUE)
        if edits and step < edits[-1][0]:
            raise LinkProblem("steps must not go down")
        edits.append((step, layer, row, column, value))
    return tuple(edits)


# -- the table inside a link ----------------------------------------------------------------

_TABLE_VERSION = "1."
# The longest honest table: 12 names of 30 characters and 500 rows of 12 numbers of ~24 characters.
_MAX_TABLE_TEXT_BYTES = 256_000
_BASE64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def encode_table(table):
    """Compact text for a link: names, roles and repr-exact numbers, compressed; only A-Z a-z 0-9 - _ and '.'.

    Big tables of long numbers can come out longer than MAX_QUERY_CHARS; callers check the length.
    """
    roles = "".join("i" if c in table.inputs else "o" if c in table.outputs else "-" for c in table.columns)
    lines = ["\t".join(table.columns), roles]
    lines += [",".join(number_text(x) for x in row) for row in table.rows]
    packed = zlib.compress("\n".join(lines).encode("utf-8"), 9)
    return _TABLE_VERSION + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode_table(text):
    """The Table of encode_table's text; ValueError with a plain message for anything else."""
    if not isinstance(text, str):
        raise ValueError("The shared table is not text.")
    if len(text) > limits.MAX_QUERY_CHARS:
        raise ValueError(f"The shared table is longer than {limits.MAX_QUERY_CHARS:,} characters, so it was not read.")
    text = text.strip()
    body = text[len(_TABLE_VERSION):]
    if not text.startswith(_TABLE_VERSION) or not set(body) <= _BASE64URL:
        raise ValueError("The shared table is not in a form this app can read; the link may be cut short.")
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        unpacker = zlib.decompressobj()
        raw = unpacker.decompress(packed, _MAX_TABLE_TEXT_BYTES)
        if unpacker.unconsumed_tail:
            raise ValueError("The shared table unpacks to more than this playground allows.")
        if not unpacker.eof:
            raise zlib.error("truncated")
        plain = raw.decode("utf-8")
    except (binascii.Error, zlib.error, UnicodeDecodeError):
        raise ValueError("The shared table is damaged; the link may be cut short.") from None

    lines = plain.split("\n")
    if len(lines) < 2:
        raise ValueError("The shared table is damaged: it has no column names.")
    names, roles, cells = lines[0].split("\t"), lines[1], lines[2:]
    if len(names) > limits.MAX_COLUMNS:
        raise ValueError(f"The shared table has {len(names)} columns; the limit is {limits.MAX_COLUMNS}.")
    if len(cells) > limits.MAX_ROWS:
        raise ValueError(f"The shared table has {len(cells):,} rows; the limit is {limits.MAX_ROWS}.")
    if len(roles) != len(names) or set(roles) - set("io-"):
        raise ValueError("The shared table is damaged: its column roles do not match its columns.")
    rows = [line.split(",") for line in cells]
    for i, row in enumerate(rows):
        if len(row) != len(names):
            raise ValueError(f"The shared table is damaged: row {i + 1} has {len(row)} values for "
                             f"{len(names)} columns.")
    frame = pd.DataFrame(rows, columns=names, dtype=object) if rows else pd.DataFrame(columns=names)
    check = check_frame(frame,
                        [n for n, r in zip(names, roles) if r == "i"],
                        [n for n, r in zip(names, roles) if r == "o"])
    if check.table is None:
        raise ValueError("The shared table was refused: " + " ".join(check.problems[:3]))
    if check.table.columns != tuple(names):
        raise ValueError("The shared table is damaged: its column names have spaces around them.")
    return check.table


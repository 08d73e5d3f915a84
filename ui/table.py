"""The training table: checking what people type or upload, and moving it to and from CSV.

Everything here turns bad input into short messages instead of exceptions. Rows are
counted from 1 and columns by name, as people see them in the editor; a refused
table leaves the caller's last good table in place.
"""

import csv
import io
import math
import numbers
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from engine.activations import ACTIVATIONS
from engine.scaling import SCALINGS

from .limits import MAX_CELL_CHARS, MAX_COLUMNS, MAX_NAME_CHARS, MAX_ROWS, MAX_UPLOAD_BYTES
from .mathtext import plain

MAX_ABS_VALUE = 1e6  # beyond this, sums of a few weights times inputs could overflow float64 during training
MAX_PROBLEMS = 8  # more than this at once is a wall of text; the rest are counted
_SHOWN_CHARS = 20  # how much of a bad value a message repeats

# Plain decimal notation only: float() would also take "inf", "nan", "1_000" and non-ASCII digits.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_TRUTHY_WORDS = frozenset({"true", "false", "yes", "no"})
_INFINITE_WORDS = frozenset({"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"})
# Spreadsheets run a cell starting with = + - @ tab or CR as a formula (OWASP, CSV injection). A sheet
# that splits lines at ';' or ',' starts a cell after each of them, so every piece between them
# counts as a start; spaces and double quotes before it do not protect it.
_SEPARATORS = re.compile(r"([,;])")
_RUNS_AS_FORMULA = re.compile(r"""[ "]*[=+\-@\t\r']""")  # ' too: a piece opening with one gets it doubled
_ESCAPED = re.compile(r"""'[ "]*[=+\-@\t\r']""")



@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[float, ...], ...]  # one finite float per column
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]

    @property
    def n_rows(self):
        return len(self.rows)

    def _values(self, names):
        grid = np.asarray(self.rows, dtype=np.float64).reshape(len(self.rows), len(self.columns))
        return grid[:, [self.columns.index(name) for name in names]]

    @property
    def X(self):
        """Input columns, (n_rows, n_in) float64."""
        return self._values(self.inputs)

    @property
    def Y(self):
        """Output columns, (n_rows, n_out) float64."""
        return self._values(self.outputs)


@dataclass(frozen=True)
class TableCheck:
    table: Table | None
    problems: tuple[str, ...]  # why the table was refused; empty when table is not None
    notes: tuple[str, ...]  # changes the user should know about, even when accepted


def table_from_preset(preset):
    """The Table of an engine.presets.Preset, raw numbers and roles included."""
    columns = tuple(str(name) for name in preset.columns)
    return Table(
        columns=columns,
        rows=tuple(tuple(float(v) for v in row) for row in preset.rows),
        inputs=tuple(c for c in columns if c in preset.inputs),
        outputs=tuple(c for c in columns if c in preset.outputs),
    )


def table_to_frame(table):
    """A float DataFrame (n_rows, n_columns) with the table's column names, for st.data_editor."""
    grid = np.asarray(table.rows, dtype=np.float64).reshape(len(table.rows), len(table.columns))
    return pd.DataFrame(grid, columns=list(table.columns))


def table_to_text_frame(table):
    """The table as exact number text in object columns, so the editor accepts any typing and we explain it."""
    return table_to_frame(table).map(number_text).astype(object)


# ---------------------------------------------------------------- checking a frame


class _Report:
    """Problems and notes as they are found; only the first few are spelled out."""

    def __init__(self):
        self.problems, self.notes = [], []
        self.extra_problems = self.extra_notes = 0

    def problem(self, text):
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)
        else:
            self.extra_problems += 1

    def note(self, text):
        if len(self.notes) < MAX_PROBLEMS:
            self.notes.append(text)
        else:
            self.extra_notes += 1

    def check(self, table=None):
        problems, notes = list(self.problems), list(self.notes)
        if self.extra_problems:
            problems.append(f"...and {self.extra_problems} more {_plural(self.extra_problems, 'problem')}.")
        if self.extra_notes:
            notes.append(f"...and {self.extra_notes} more {_plural(self.extra_notes, 'change')} like these.")
        return TableCheck(None if problems else table, tuple(problems), tuple(notes))


def _plural(n, word):
    return word if n == 1 else word + "s"


def _show(value):
    """A value as a message repeats it: quoted if text, cut short if long, escaped so Markdown shows it as typed."""
    if isinstance(value, str):
        return plain(repr(value if len(value) <= _SHOWN_CHARS else value[:_SHOWN_CHARS] + "…"))
    if isinstance(value, numbers.Integral) and abs(value) > 10**_SHOWN_CHARS:
        return "a number with more than 20 digits"  # repr of a huge int can itself refuse to run
    try:
        text = repr(value)
    except Exception:
        text = type(value).__name__
    return plain(text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…")


def _is_missing(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _read_cell(value):
    """(number, None) for a usable cell, else (None, what is wrong with it)."""
    if isinstance(value, (bool, np.bool_)):
        return float(bool(value)), None
    if _is_missing(value):
        return None, "empty cell"
    if isinstance(value, str):
        if len(value) > MAX_CELL_CHARS:
            return None, f"{_show(value)} is longer than {MAX_CELL_CHARS} characters"
        text = value.strip()
        if not text:
            return None, "empty cell"
        if not _NUMBER.fullmatch(text):
            lowered = text.lower()
            if lowered in _INFINITE_WORDS:
                return None, f"{_show(value)} is too large for this playground (keep numbers within ±1,000,000)"
            if lowered in _TRUTHY_WORDS:
                return None, f"{_show(value)} is not a number (use 1 for true and 0 for false)"
            if "," in text and _NUMBER.fullmatch(text.replace(",", ".", 1)):
                return None, f"{_show(value)} is not a number (use a dot for decimals, no thousands separators)"
            return None, f"{_show(value)} is not a number"
        number = float(text)
    elif isinstance(value, numbers.Integral):
        if abs(value) > MAX_ABS_VALUE:
            return None, f"{_show(value)} is too large for this playground (keep numbers within ±1,000,000)"
        number = float(value)
    elif isinstance(value, (numbers.Real, Decimal)):
        try:
            number = float(value)
        except (ValueError, OverflowError, TypeError):
            return None, f"{_show(value)} is not a number"
        if math.isnan(number):
            return None, "empty cell"
    else:
        return None, f"{_show(value)} is not a number"
    if not abs(number) <= MAX_ABS_VALUE:
        return None, f"{_show(value)} is too large for this playground (keep numbers within ±1,000,000)"
    return number, None


def _column_name(raw):
    """The name people see for a column label of any type ("" when there is none)."""
    if _is_missing(raw):
        return ""
    return (raw if isinstance(raw, str) else str(raw)).strip()


def _name_problem(name):
    if not name:
        return "has no name: give it one"
    if len(name) > MAX_NAME_CHARS:
        return f"is named {_show(name)}, longer than {MAX_NAME_CHARS} characters"
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in name):
        return f"is named {_show(name)}, which holds a control character"
    return None


def _picked_names(picked):
    """A role pick as a tuple of stripped names; a bare string is one name, not its letters."""
    if picked is None:
        return ()
    if isinstance(picked, str):
        picked = (picked,)
    try:
        return tuple(dict.fromkeys(_column_name(name) for name in picked))
    except TypeError:
        return ()


def check_frame(df, inputs, outputs):
    """A TableCheck for whatever st.data_editor or an upload gave, with inputs/outputs picked by name."""
    report = _Report()
    if not isinstance(df, pd.DataFrame):
        report.problem("There is no table to read.")
        return report.check()
    n_rows, n_columns = df.shape
    if n_columns == 0:
        report.problem("The table has no columns.")
    if n_rows == 0:
        report.problem("The table has no rows: add at least one.")
    if n_rows > MAX_ROWS:
        report.problem(f"The table has {n_rows:,} rows; the limit is {MAX_ROWS}.")
    if n_columns > MAX_COLUMNS:
        report.problem(f"The table has {n_columns:,} columns; the limit is {MAX_COLUMNS}.")
    if report.problems:
        return report.check()

    names = [_column_name(raw) for raw in df.columns]
    good_name = [False] * n_columns
    first_seen = {}
    for j, name in enumerate(names):
        wrong = _name_problem(name)
        if wrong:
            report.problem(f"Column {j + 1} {wrong}.")
        elif name in first_seen:
            report.problem(f"Columns {first_seen[name] + 1} and {j + 1} are both called {_show(name)}: rename one.")
        else:
            first_seen[name] = j
            good_name[j] = True

    roles = {}
    for role, picked in (("input", _picked_names(inputs)), ("output", _picked_names(outputs))):
        for name in picked:
            if name not in first_seen:
                report.note(f"{_show(name)} was picked as an {role} but the table has no such column; it was dropped.")
            elif roles.get(name, role) != role:
                report.problem(f"Column {_show(name)} is picked as both an input and an output: give it one role.")
                roles[name] = "both"
            else:
                roles[name] = role
    for role in ("input", "output"):
        if role not in roles.values():
            report.problem(f"Pick at least one {role} column.")
    for name in first_seen:
        if name not in roles:
            report.note(f"Column {_show(name)} is neither an input nor an output, so the network ignores it.")

    grid = np.empty((n_rows, n_columns))
    for j in range(n_columns):
        label = f"column {_show(names[j])}" if good_name[j] else f"column {j + 1}"
        try:
            values = df.iloc[:, j].tolist()
        except Exception:
            report.problem(f"The cells of {label} could not be read.")
            continue
        for i, value in enumerate(values):
            number, wrong = _read_cell(value)
            if wrong:
                report.problem(f"Row {i + 1}, {label}: {wrong}.")
                continue
            if isinstance(value, (bool, np.bool_)):
                report.note(f"Row {i + 1}, {label}: {bool(value)} read as {int(number)}.")
            grid[i, j] = number
    if report.problems:
        return report.check()
    columns = tuple(names)
    table = Table(
        columns=columns,
        rows=tuple(tuple(row) for row in grid.tolist()),
        inputs=tuple(c for c in columns if roles.get(c) == "input"),
        outputs=tuple(c for c in columns if roles.get(c) == "output"),
    )
    return report.check(table)


# ---------------------------------------------------------------- column changes

_NO_TARGET = "(no target)"


def read_new_rows(frame, inputs):
    """(X_raw (n_rows, n_in), problems) from a frame of new input rows, checked like the training table."""
    frame = frame[[c for c in inputs if c in frame.columns]].copy()
    if frame.empty:
        return np.empty((0, len(inputs))), []
    frame[_NO_TARGET] = 0.0  # check_frame wants an output column; new rows have no target
    check = check_frame(frame, inputs, (_NO_TARGET,))
    if check.table is None:
        return np.empty((0, len(inputs))), list(check.problems)
    return check.table.X, []


def blank_rows(frame):
    """Boolean Series: rows of an edited frame with nothing typed in any cell (a row just added)."""
    return frame.apply(lambda row: all(_is_missing(v) or str(v).strip() in ("", "nan", "None") for v in row),
                       axis=1).astype(bool)


def with_new_column(table, name, role):
    """(frame, inputs, outputs): the table plus a column of zeros called `name` as an 'input' or 'output'."""
    frame = table_to_frame(table)
    inputs, outputs = list(table.inputs), list(table.outputs)
    if name:
        frame[name] = 0.0
        (inputs if role == "input" else outputs).append(name)
    return frame, inputs, outputs


def with_renamed_column(table, old, new):
    """(frame, inputs, outputs): the table with column `old` called `new`, keeping its role."""
    swap = {old: new}
    frame = table_to_frame(table).rename(columns=swap)
    return frame, [swap.get(c, c) for c in table.inputs], [swap.get(c, c) for c in table.outputs]


def without_column(table, name):
    """(frame, inputs, outputs): the table without column `name`."""
    frame = table_to_frame(table).drop(columns=[name])
    return frame, [c for c in table.inputs if c != name], [c for c in table.outputs if c != name]


# ---------------------------------------------------------------- targets against the output layer


def _number_words(x):
    return f"{x:.6g}"


def _activation_words(name):
    activation = ACTIVATIONS.get(name)
    label = activation.label if activation else str(name)
    # Keep acronyms like ReLU; lower-case plain words as they sit mid-sentence.
    return label if any(ch.isupper() for ch in label[1:]) else label.lower()


def _range_words(low, high):
    if math.isinf(high):
        return f"{_number_words(low)} and above"
    return f"{_number_words(low)} to {_number_words(high)}"


def targets_problem(Y_scaled, output_activation, output_range):
    """What is wrong when scaled targets Y (n_rows, n_out) leave the output activation's (low, high), else None."""
    Y = np.asarray(Y_scaled, dtype=np.float64)
    if Y.size == 0:
        return None
    if not np.all(np.isfinite(Y)):
        return "Some scaled targets are not finite numbers: choose a larger divisor for output scaling."
    low, high = float(output_range[0]), float(output_range[1])
    top, bottom = float(Y.max()), float(Y.min())
    slack = 1e-12  # scaling by the maximum gives exactly 1 anyway; this only forgives rounding
    if top <= high + slack and bottom >= low - slack:
        return None
    largest = max(abs(top), abs(bottom))
    power_of_ten = 10.0 ** math.ceil(math.log10(largest)) if largest > 0 else 1.0
    if power_of_ten < largest:  # log10 rounding can land one power short
        power_of_ten *= 10
    divide_by_max = f"'{SCALINGS['max']}'"
    divide_by = f"'{SCALINGS['divide']}' with {_number_words(power_of_ten)}"
    minmax = f"'{SCALINGS['minmax']}'"
    if bottom < low and low >= 0:
        fixes = minmax  # only min-max moves negative targets up into a non-negative range
    elif bottom < low:
        fixes = f"{divide_by_max}, or {divide_by}"  # a symmetric range: dividing keeps the sign
    else:
        fixes = f"{divide_by_max}, or {divide_by}" if bottom >= 0 or low < 0 else minmax
    if top > high + slack and bottom < low - slack:
        where = f"go from {_number_words(bottom)} to {_number_words(top)}"
    elif top > high + slack:
        where = f"go up to {_number_words(top)}"
    else:
        where = f"go down to {_number_words(bottom)}"
    return (f"Targets {where} but a {_activation_words(output_activation)} output only reaches "
            f"{_range_words(low, high)}: choose output scaling {fixes}.")


# ---------------------------------------------------------------- CSV


def _is_plain_number(text):
    return bool(_NUMBER.fullmatch(text))


def _escape_formula(text):
    """Text no spreadsheet runs, split at ',' or ';' or not: a quote opens each piece that could start a formula.

    Plain numbers stay as they are (-1 is a number, not a formula); _unescape_formula undoes it exactly.
    """
    if _is_plain_number(text):
        return text
    pieces = _SEPARATORS.split(text)  # pieces at even places, separators between them
    return "".join("'" + piece if i % 2 == 0 and _RUNS_AS_FORMULA.match(piece) else piece
                   for i, piece in enumerate(pieces))


def _unescape_formula(text):
    pieces = _SEPARATORS.split(text)
    return "".join(piece[1:] if i % 2 == 0 and _ESCAPED.match(piece) else piece for i, piece in enumerate(pieces))


def number_text(x):
    """Shortest text that reads back as exactly x: repr, without a trailing '.0' (but keeping -0.0)."""
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") and text != "-0.0" else text


def table_to_csv(table):
    """UTF-8 CSV bytes of the table; any text a spreadsheet could run as a formula is quoted (_escape_formula)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([_escape_formula(name) for name in table.columns])
    for row in table.rows:
        writer.writerow([_escape_formula(number_text(x)) for x in row])
    return buffer.getvalue().encode("utf-8")


def _file_size_words(n_bytes):
    return f"{n_bytes / 1e6:.3g} MB" if n_bytes >= 100_000 else f"{n_bytes:,} bytes"


def read_csv_upload(data):
    """(frame of text cells, "") for an uploaded CSV, or (None, why it was refused)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        return None, "There is no file to read."
    size = len(data)
    if size > MAX_UPLOAD_BYTES:
        return None, (f"The file is {_file_size_words(size)}; the limit is {_file_size_words(MAX_UPLOAD_BYTES)} "
                      f"({MAX_UPLOAD_BYTES:,} bytes).")
    if size == 0:
        return None, "The file is empty."
    data = bytes(data)
    if b"\x00" in data:
        return None, "The file is not text (it looks like an image or a spreadsheet file): save the table as CSV."
    try:
        text = data.decode("utf-8-sig")  # also plain UTF-8: the signature is only dropped when present
    except UnicodeDecodeError:
        return None, "The file is not UTF-8 text: save it as 'CSV UTF-8'."
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in text):
        return None, "The file is not text (it holds control characters): save the table as CSV."
    if not text.strip():
        return None, "The file is empty."

    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True, strict=True)
    header, rows = None, []
    try:
        for fields in reader:
            if not any(field.strip() for field in fields):
                continue  # blank lines and rows of bare commas carry nothing
            if header is None:
                header = [_unescape_formula(field.strip()) for field in fields]
                while not header[-1]:
                    header.pop()  # spreadsheets end lines with a comma for an empty last column
                if len(header) > MAX_COLUMNS:
                    return None, f"The file has {len(header)} columns; the limit is {MAX_COLUMNS}."
                if len(header) == 1 and ";" in header[0]:
                    return None, "The file separates values with ';': save it with commas, and dots for decimals."
                continue
            # A trailing comma gives an empty extra field; only real values beyond the header count.
            while len(fields) > len(header) and not fields[-1].strip():
                fields.pop()
            if len(fields) > len(header):
                return None, (f"Row {len(rows) + 1} (line {reader.line_num}) has {len(fields)} values but the "
                              f"header names {len(header)} columns.")
            rows.append(fields + [""] * (len(header) - len(fields)))
            if len(rows) > MAX_ROWS:
                return None, f"The file has more than {MAX_ROWS} rows; the limit is {MAX_ROWS}."
    except csv.Error:
        return None, f"The file could not be read as CSV (near line {reader.line_num})."
    if header is None:
        return None, "The file holds no values."
    if not rows:
        return None, "The file has a header line but no rows of numbers."
    return pd.DataFrame(rows, columns=header, dtype=str), ""

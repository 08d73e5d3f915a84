"""Whatever people type, upload or paste into a link: nothing raises, and what is accepted is sound."""

import base64
import csv
import io
import math
import string
import zlib
from decimal import Decimal

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_table import runs_as_formula
from ui.limits import MAX_COLUMNS, MAX_NAME_CHARS, MAX_ROWS
from ui.links import decode_table, encode_table
from ui.table import (
    MAX_ABS_VALUE,
    MAX_PROBLEMS,
    check_frame,
    read_csv_upload,
    table_to_csv,
)

FUZZ = settings(max_examples=300, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

numeric_text = st.builds(
    "{}{}{}{}{}{}".format,
    st.sampled_from(["", " ", "\t"]),
    st.sampled_from(["", "+", "-"]),
    st.integers(0, 10**7).map(str),
    st.sampled_from(["", ".", ".5", ".125", ".0001"]),
    st.sampled_from(["", "e3", "E-2", "e+1", "e-300", "e400"]),
    st.sampled_from(["", " "]),
)
cells = st.one_of(
    st.floats(),  # nan, inf and 1e308 included
    st.floats(min_value=-2e6, max_value=2e6),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.booleans(),
    st.none(),
    st.just(pd.NA),
    numeric_text,
    st.sampled_from(["", " ", "abc", "1,5", "1e", "inf", "NaN", "TRUE", "=1+1", "-", ".", "1_0", "0x1f", "１"]),
    st.text(max_size=45),
    st.builds(Decimal, st.sampled_from(["1.5", "NaN", "sNaN", "Infinity", "-2e3"])),
)
names = st.one_of(
    st.sampled_from(["a", "b", "x1", "y", " a", "a ", "=x", "-x", "'q", "a,b", "", "  ", "x;=cmd|' /C calc'!A0",
                     "a,'=b", ' ;"@x', "'", "';-1"]),
    st.text(max_size=MAX_NAME_CHARS + 3),
    st.integers(-3, 3),
    st.none(),
)


good_names = st.one_of(
    st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=MAX_NAME_CHARS),
    st.sampled_from(["x;=cmd|' /C calc'!A0", "a,'=b", ' ;"@x', "';-1", "-x;+y", "q;'", "n,-2"]),  # for CSV readers
)
good_cells = st.one_of(
    st.floats(-MAX_ABS_VALUE, MAX_ABS_VALUE),
    st.integers(-(10**6), 10**6),
    st.booleans(),
    numeric_text.filter(lambda t: abs(float(t)) <= MAX_ABS_VALUE),
)


@st.composite
def frames_and_roles(draw):
    """A frame as st.data_editor might return it, and the role picks; half are tidy enough to pass."""
    tidy = draw(st.booleans())
    if tidy:
        n_columns = draw(st.integers(2, 5))
        columns = draw(st.lists(good_names.map(str.strip).filter(bool), min_size=n_columns, max_size=n_columns,
                                unique=True))
        column_cells = st.one_of(good_cells, cells) if draw(st.booleans()) else good_cells
    else:
        n_columns = draw(st.integers(0, MAX_COLUMNS + 1))
        columns = draw(st.lists(names, min_size=n_columns, max_size=n_columns))
        column_cells = cells
    n_rows = draw(st.integers(tidy, 6))
    data = [draw(st.lists(column_cells, min_size=n_rows, max_size=n_rows)) for _ in range(n_columns)]
    frame = pd.DataFrame(dict(enumerate(data)), index=range(n_rows), dtype=object)
    frame.columns = pd.Index(columns, dtype=object)
    if draw(st.booleans()):
        frame = frame.infer_objects()  # what the editor gives back for columns it knows are numbers
    if tidy:
        order = draw(st.permutations(columns))
        n_in = draw(st.integers(1, n_columns - 1))
        n_out = draw(st.integers(1, n_columns - n_in))
        return frame, order[:n_in], order[n_in:n_in + n_out]
    pick = st.lists(st.one_of(st.sampled_from(columns) if columns else names, names), max_size=4)
    inputs = draw(st.one_of(pick, st.none(), st.sampled_from(columns) if columns else st.none()))
    return frame, inputs, draw(pick)


@st.composite
def csv_files(draw):
    """CSV text written as people and spreadsheets do: spaces, quotes, a signature, CRLF, trailing commas."""
    n_columns = draw(st.integers(1, 4))
    header = draw(st.lists(good_names, min_size=n_columns, max_size=n_columns))
    in_range = numeric_text.filter(lambda t: abs(float(t)) <= MAX_ABS_VALUE)
    cell = st.one_of(in_range, in_range, in_range, numeric_text, st.sampled_from(["", "abc", '"1,5"', "=1"]))
    rows = draw(st.lists(st.lists(cell, min_size=n_columns, max_size=n_columns), min_size=draw(st.integers(0, 1)),
                         max_size=5))
    end = draw(st.sampled_from(["\n", "\r\n", ",\n"]))
    quoted = ['"' + name.replace('"', '""') + '"' for name in header]
    lines = [",".join(quoted)] + [", ".join(row) for row in rows]
    return draw(st.sampled_from(["", "\ufeff"])) + end.join(lines) + draw(st.sampled_from(["", end]))


def expected_number(value):
    """The number a cell should read as, worked out separately from ui.table."""
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    if isinstance(value, str):
        return float(value.strip())
    return float(value)


def assert_sound_refusal(check):
    assert check.table is None and check.problems
    assert all(isinstance(p, str) and p.strip() for p in check.problems)
    assert len(check.problems) <= MAX_PROBLEMS + 1


def assert_sound_table(table):
    columns = table.columns
    assert 1 <= len(columns) <= MAX_COLUMNS and len(set(columns)) == len(columns)
    assert all(name == name.strip() and 0 < len(name) <= MAX_NAME_CHARS for name in columns)
    assert 1 <= table.n_rows <= MAX_ROWS
    assert all(len(row) == len(columns) for row in table.rows)
    assert all(type(x) is float and math.isfinite(x) and abs(x) <= MAX_ABS_VALUE for row in table.rows for x in row)
    assert table.inputs and table.outputs and not set(table.inputs) & set(table.outputs)
    assert list(table.inputs) == [c for c in columns if c in table.inputs]
    assert list(table.outputs) == [c for c in columns if c in table.outputs]
    assert table.X.shape == (table.n_rows, len(table.inputs)) and table.Y.shape == (table.n_rows, len(table.outputs))


def assert_round_trips(table):
    data = table_to_csv(table)
    for delimiter in ",;":  # what a spreadsheet splitting at either would see
        rows = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=delimiter)
        assert not [field for row in rows for field in row if runs_as_formula(field)]
    frame, message = read_csv_upload(data)
    assert message == ""
    assert check_frame(frame, table.inputs, table.outputs).table == table
    assert decode_table(encode_table(table)) == table


@FUZZ
@given(frames_and_roles())
def test_check_frame_never_raises_and_accepts_only_sound_tables(case):
    frame, inputs, outputs = case
    check = check_frame(frame, inputs, outputs)
    assert all(isinstance(n, str) and n for n in check.notes)
    if check.table is None:
        assert_sound_refusal(check)
        return
    table = check.table
    assert check.problems == ()
    assert_sound_table(table)
    for j in range(frame.shape[1]):
        read = [row[j] for row in table.rows]
        assert read == [expected_number(v) for v in frame.iloc[:, j].tolist()]
    assert_round_trips(table)


csv_like_text = st.lists(
    st.lists(st.one_of(numeric_text, st.sampled_from(["", "a", '"q"', "1,5", "=1", " 2"]), st.text(max_size=6)),
             min_size=1, max_size=4).map(",".join),
    max_size=8,
).map("\n".join)


@FUZZ
@given(st.one_of(st.binary(max_size=300), csv_like_text.map(str.encode), st.text(max_size=200).map(str.encode),
                 csv_files().map(str.encode)),
       st.data())
def test_uploads_never_raise(data, draw):
    frame, message = read_csv_upload(data)
    if frame is None:
        assert isinstance(message, str) and message.strip()
        return
    assert message == "" and 1 <= len(frame) <= MAX_ROWS and 1 <= frame.shape[1] <= MAX_COLUMNS
    assert all(isinstance(v, str) for v in frame.to_numpy().ravel())
    split = draw.draw(st.integers(0, frame.shape[1]))
    check = check_frame(frame, list(frame.columns[:split]), list(frame.columns[split:]))
    if check.table is None:
        assert_sound_refusal(check)
    else:
        assert_sound_table(check.table)
        assert_round_trips(check.table)


def packed(text):
    return "1." + base64.urlsafe_b64encode(zlib.compress(text.encode("utf-8", "replace"))).decode()


link_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=string.ascii_letters + string.digits + "-_", max_size=300).map("1.".__add__),
    st.text(max_size=300).map(packed),
    csv_like_text.map(lambda t: packed("a\tb\nio\n" + t)),
    st.tuples(st.text(max_size=40), st.text(max_size=10), csv_like_text).map(lambda p: packed("\n".join(p))),
)


def decoded_or_refused(text):
    """The table a link decodes to, sound; or None when it is refused with a message."""
    try:
        table = decode_table(text)
    except ValueError as refusal:
        assert str(refusal).strip()
        return None
    assert_sound_table(table)
    return table


@settings(FUZZ, max_examples=400)
@given(link_text)
def test_decode_only_raises_value_error(text):
    table = decoded_or_refused(text)
    if table is not None:
        assert decode_table(encode_table(table)) == table


@settings(FUZZ, max_examples=150)
@given(frames_and_roles(), st.data())
def test_damaged_links_only_raise_value_error(case, data):
    check = check_frame(*case)
    if check.table is None:
        return
    text = encode_table(check.table)
    cut = data.draw(st.integers(0, len(text) - 1))
    damaged = text[:cut] + data.draw(st.sampled_from(["", "A", "_", "%", "=", " "])) + text[cut + 1:]
    decoded_or_refused(damaged)

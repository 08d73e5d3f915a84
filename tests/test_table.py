import base64
import csv
import io
import re
import zlib
from urllib.parse import parse_qs, urlencode

import numpy as np
import pandas as pd
import pytest

from engine.activations import ACTIVATIONS
from engine.presets import PRESETS, preset_table
from engine.scaling import fit_scaler
from ui.limits import MAX_CELL_CHARS, MAX_COLUMNS, MAX_NAME_CHARS, MAX_QUERY_CHARS, MAX_ROWS, MAX_UPLOAD_BYTES
from ui.links import decode_table, encode_table
from ui.table import (
    MAX_PROBLEMS,
    Table,
    check_frame,
    read_csv_upload,
    table_from_preset,
    table_to_csv,
    table_to_frame,
    targets_problem,
)

# Names and numbers that trip up CSV, spreadsheets, URLs and float printing.
AWKWARD = Table(
    columns=("a, b", 'say "hi"', "=SUM(A1)", "-x", "'q", "x²", "a&b=c+d #1", "out/put?"),
    rows=(
        (0.1, 1 / 3, -0.0, 1e-300, 5e-324, 1e6, -1e6, 123456.789),
        (2.0, -1.5, 7e-5, 0.30000000000000004, -2.2250738585072014e-308, 999999.9999999999, 1.0, 0.0),
    ),
    inputs=("a, b", 'say "hi"', "-x", "'q", "x²"),
    outputs=("a&b=c+d #1", "out/put?"),
)


def same_bits(a, b):
    """Tables equal down to the sign of zero, which == alone would not see."""
    return a == b and [list(map(repr, r)) for r in a.rows] == [list(map(repr, r)) for r in b.rows]


def one_column_check(values, name="x"):
    """check_frame on an object column `name` of values beside a clean output column."""
    frame = pd.DataFrame({name: pd.Series(values, dtype=object), "y": [0.0] * len(values)})
    return check_frame(frame, [name], ["y"])


def assert_refused(check, *fragments):
    assert check.table is None
    text = " ".join(check.problems)
    for fragment in fragments:
        assert fragment in text, (fragment, check.problems)


# ---------------------------------------------------------------- Table and presets


@pytest.mark.parametrize("key", PRESETS)
def test_preset_table_matches_engine_arrays(key):
    X, Y = preset_table(PRESETS[key])
    table = table_from_preset(PRESETS[key])
    np.testing.assert_array_equal(table.X, X)
    np.testing.assert_array_equal(table.Y, Y)
    assert table.X.dtype == np.float64 and table.n_rows == len(PRESETS[key].rows)


@pytest.mark.parametrize("key", PRESETS)
def test_preset_survives_the_editor_frame(key):
    table = table_from_preset(PRESETS[key])
    frame = table_to_frame(table)
    assert list(frame.columns) == list(table.columns)
    assert all(dtype == np.float64 for dtype in frame.dtypes)
    check = check_frame(frame, table.inputs, table.outputs)
    assert check.problems == () and check.notes == ()
    assert same_bits(check.table, table)


def test_tables_are_hashable_values():
    a, b = table_from_preset(PRESETS["trask-3-layer"]), table_from_preset(PRESETS["video-blog"])
    assert a == b and hash(a) == hash(b) and len({a, b, AWKWARD}) == 2


# ---------------------------------------------------------------- cells


def test_numbers_and_numeric_strings_are_read_exactly():
    values = ["1.5", " 2 ", "1e-3", "-4", ".5", "+3.", "\t7\n", 8, np.int64(-9), 0.25, np.float32(0.5)]
    check = one_column_check(values)
    assert check.problems == ()
    assert check.table.X[:, 0].tolist() == [1.5, 2.0, 0.001, -4.0, 0.5, 3.0, 7.0, 8.0, -9.0, 0.25, 0.5]


def test_text_is_refused_naming_row_column_and_value():
    check = one_column_check(["1", "abc", "2"])
    assert_refused(check, "Row 2, column 'x': 'abc' is not a number")


def test_decimal_comma_gets_a_hint():
    assert_refused(one_column_check(["1,5"]), "Row 1, column 'x': '1,5'", "use a dot for decimals")


def test_unfinished_exponent_is_refused():
    assert_refused(one_column_check(["2", "3", "1e"]), "Row 3, column 'x': '1e' is not a number")


@pytest.mark.parametrize("blank", [None, float("nan"), np.nan, pd.NA, "", "   "])
def test_blank_cells_are_called_empty(blank):
    assert_refused(one_column_check([1.0, blank]), "Row 2, column 'x': empty cell")


@pytest.mark.parametrize("huge", [float("inf"), float("-inf"), 1e308, "1e308", "inf", 10**400, 1e6 + 1])
def test_huge_numbers_are_too_large(huge):
    assert_refused(one_column_check([huge]), "Row 1, column 'x'", "too large for this playground")


def test_the_largest_allowed_number_is_a_million():
    check = one_column_check([1e6, -1e6, "1000000"])
    assert check.table.X[:, 0].tolist() == [1e6, -1e6, 1e6]


def test_long_cells_are_refused_without_repeating_them():
    long_text = "7" * (MAX_CELL_CHARS + 1)
    check = one_column_check([long_text])
    assert_refused(check, "Row 1, column 'x'", f"longer than {MAX_CELL_CHARS} characters")
    assert long_text not in " ".join(check.problems)
    assert one_column_check(["7" * MAX_CELL_CHARS]).table is None  # 7777... is a number, but too large
    assert one_column_check(["0." + "5" * (MAX_CELL_CHARS - 2)]).table is not None


def test_booleans_become_one_and_zero_with_a_note():
    check = one_column_check([True, False, np.bool_(True)])
    assert check.table.X[:, 0].tolist() == [1.0, 0.0, 1.0]
    assert "Row 1, column 'x': True read as 1." in check.notes
    assert "Row 2, column 'x': False read as 0." in check.notes


def test_formula_text_is_not_a_number():
    assert_refused(one_column_check(["=cmd|' /C calc'!A0"]), "Row 1, column 'x'", "is not a number")


def test_rows_are_counted_by_position_not_by_index():
    frame = pd.DataFrame({"x": [1, "oops"], "y": [0, 1]}, index=[10, 5], dtype=object)
    assert_refused(check_frame(frame, ["x"], ["y"]), "Row 2, column 'x'")


def test_many_problems_are_capped_and_counted():
    check = one_column_check(["bad"] * 20)
    assert len(check.problems) == MAX_PROBLEMS + 1
    assert check.problems[-1] == f"...and {20 - MAX_PROBLEMS} more problems."
    assert check.problems[0].startswith("Row 1,")
    assert check.problems[MAX_PROBLEMS - 1].startswith(f"Row {MAX_PROBLEMS},")


# ---------------------------------------------------------------- structure


def frame_of(n_rows, n_columns):
    return pd.DataFrame(np.zeros((n_rows, n_columns)), columns=[f"c{j}" for j in range(n_columns)])


def test_no_rows_is_refused():
    assert_refused(check_frame(frame_of(0, 2), ["c0"], ["c1"]), "no rows")


def test_one_row_is_enough():
    check = check_frame(frame_of(1, 2), ["c0"], ["c1"])
    assert check.table is not None and check.table.n_rows == 1


def test_row_limit():
    assert check_frame(frame_of(MAX_ROWS, 2), ["c0"], ["c1"]).table.n_rows == MAX_ROWS
    too_many = check_frame(frame_of(MAX_ROWS + 1, 2), ["c0"], ["c1"])
    assert_refused(too_many, f"{MAX_ROWS + 1} rows", f"limit is {MAX_ROWS}")


def test_column_limit():
    assert check_frame(frame_of(2, MAX_COLUMNS), ["c0"], ["c1"]).table is not None
    assert_refused(check_frame(frame_of(2, MAX_COLUMNS + 1), ["c0"], ["c1"]), f"limit is {MAX_COLUMNS}")


def test_a_million_rows_are_refused_before_reading_cells():
    frame = pd.DataFrame({"a": ["not a number"] * 1_000_000, "b": ["x"] * 1_000_000})
    check = check_frame(frame, ["a"], ["b"])
    assert check.problems == (f"The table has 1,000,000 rows; the limit is {MAX_ROWS}.",)


def test_missing_roles_are_refused():
    assert_refused(check_frame(frame_of(2, 2), [], ["c1"]), "Pick at least one input column")
    assert_refused(check_frame(frame_of(2, 2), ["c0"], None), "Pick at least one output column")


def test_a_column_in_both_roles_is_refused():
    assert_refused(check_frame(frame_of(2, 2), ["c0", "c1"], ["c1"]), "Column 'c1'", "both an input and an output")


def test_picked_names_that_are_not_columns_are_dropped_with_a_note():
    check = check_frame(frame_of(2, 3), ["c0", "gone"], ["c2"])
    assert check.table.inputs == ("c0",)
    assert any("'gone'" in note and "dropped" in note for note in check.notes)
    assert_refused(check_frame(frame_of(2, 2), ["gone"], ["c1"]), "Pick at least one input column")


def test_unpicked_columns_are_kept_but_noted():
    check = check_frame(frame_of(2, 3), ["c2"], ["c0"])
    assert check.table.columns == ("c0", "c1", "c2")
    assert check.table.inputs == ("c2",) and check.table.outputs == ("c0",)
    assert any("'c1'" in note and "ignores" in note for note in check.notes)


def test_roles_follow_column_order():
    check = check_frame(frame_of(1, 4), ["c3", "c1"], "c0")  # a bare string is one name
    assert check.table.inputs == ("c1", "c3") and check.table.outputs == ("c0",)


def test_duplicate_names_are_refused():
    frame = pd.DataFrame([[1, 2, 3]], columns=["a", "b", "a"])
    assert_refused(check_frame(frame, ["a"], ["b"]), "Columns 1 and 3 are both called 'a'")


@pytest.mark.parametrize("name", ["", "   ", None, float("nan")])
def test_blank_names_are_refused(name):
    frame = pd.DataFrame([[1, 2]], columns=["a", name])
    assert_refused(check_frame(frame, ["a"], ["b"]), "Column 2 has no name")


def test_long_names_are_refused():
    name = "n" * (MAX_NAME_CHARS + 1)
    check = check_frame(pd.DataFrame([[1, 2]], columns=["a", name]), ["a"], [name])
    assert_refused(check, "Column 2", f"longer than {MAX_NAME_CHARS} characters")
    assert name not in " ".join(check.problems)


def test_names_lose_surrounding_spaces():
    check = check_frame(pd.DataFrame([[1, 2]], columns=[" a ", "b"]), ["a"], [" b"])
    assert check.table.columns == ("a", "b") and check.table.inputs == ("a",)


def test_not_a_frame_is_refused():
    assert check_frame(None, ["a"], ["b"]).problems


# ---------------------------------------------------------------- targets


def test_test_score_targets_need_scaling_for_a_sigmoid():
    preset = PRESETS["test-score"]
    Y = table_from_preset(preset).Y
    message = targets_problem(Y, "sigmoid", ACTIVATIONS["sigmoid"].output_range)
    assert "92" in message and "0 to 1" in message and "100" in message
    # The tutorial's own fix, dividing by 100, is one the message names; it must clear the problem.
    scaled = fit_scaler(Y, Y, output_mode=preset.output_scaling, output_divisor=preset.output_divisor).outputs(Y)
    assert targets_problem(scaled, "sigmoid", ACTIVATIONS["sigmoid"].output_range) is None


@pytest.mark.parametrize("activation, Y, mode", [
    ("sigmoid", [[0.0], [92.0]], "max"),
    ("sigmoid", [[-3.0], [0.5]], "minmax"),
    ("tanh", [[-30.0], [4.0]], "max"),
    ("relu", [[-2.0], [5.0]], "minmax"),
])
def test_the_suggested_scaling_fixes_the_targets(activation, Y, mode):
    from engine.scaling import SCALINGS

    output_range = ACTIVATIONS[activation].output_range
    message = targets_problem(np.array(Y), activation, output_range)
    assert f"'{SCALINGS[mode]}'" in message
    scaled = fit_scaler(np.array(Y), np.array(Y), output_mode=mode).outputs(np.array(Y))
    assert targets_problem(scaled, activation, output_range) is None


def test_targets_inside_the_range_are_fine():
    assert targets_problem(np.array([[0.0], [1.0]]), "sigmoid", (0.0, 1.0)) is None
    assert targets_problem(np.array([[-1e6], [1e6]]), "linear", ACTIVATIONS["linear"].output_range) is None
    assert "not finite" in targets_problem(np.array([[np.inf]]), "sigmoid", (0.0, 1.0))


# ---------------------------------------------------------------- CSV


def csv_round_trip(table):
    frame, message = read_csv_upload(table_to_csv(table))
    assert message == ""
    return check_frame(frame, table.inputs, table.outputs)


@pytest.mark.parametrize("table", [table_from_preset(p) for p in PRESETS.values()] + [AWKWARD])
def test_csv_download_uploads_to_the_same_table(table):
    check = csv_round_trip(table)
    assert check.problems == ()
    assert same_bits(check.table, table)


def test_csv_never_starts_a_cell_with_a_formula():
    data = table_to_csv(AWKWARD)
    for line in data.decode("utf-8").splitlines():
        assert not line.startswith(("=", "+", "@", "\t", "\r"))
    for fields in csv.reader(io.StringIO(data.decode("utf-8"))):
        for field in fields:
            is_number = re.fullmatch(r"-?[0-9.]+(e-?[0-9]+)?", field) is not None
            assert is_number or not field.startswith(("=", "+", "-", "@", "\t", "\r")), field
    assert b"'=SUM(A1)" in data and b"'-x" in data and b"''q" in data
    assert b",-1000000," in data  # negative numbers stay numbers


# Names that start a formula in a spreadsheet splitting lines at ';' (or ','), not only at their start.
HOSTILE = Table(
    columns=("x;=cmd|' /C calc'!A0", "a,=1+2", 'b;"@SUM(1)', "c; -2+3+cmd|' /C calc'!A0", "'=kept", "d;'+e", "y"),
    rows=((1.0, -2.0, 3.0, 0.5, 1e-7, -1e6, -0.0), (0.25, -0.5, 2.0, -3.0, 4.0, 5.0, 1.0)),
    inputs=("x;=cmd|' /C calc'!A0", "a,=1+2", 'b;"@SUM(1)', "c; -2+3+cmd|' /C calc'!A0", "'=kept", "d;'+e"),
    outputs=("y",),
)


def runs_as_formula(field):
    """True if a spreadsheet would run this cell: it opens (after spaces and quotes) with = + - @ tab or CR,
    and holds more than the digits, signs, dots, exponents and commas of numbers."""
    opening = field.lstrip(' "')
    return opening[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r"[0-9.eE+,-]*", opening)


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_a_csv_read_with_either_separator_holds_no_formula(delimiter):
    text = table_to_csv(HOSTILE).decode("utf-8")
    fields = [field for row in csv.reader(io.StringIO(text), delimiter=delimiter) for field in row]
    assert fields and not [field for field in fields if runs_as_formula(field)]


def test_csv_with_hostile_names_uploads_to_the_same_table():
    check = csv_round_trip(HOSTILE)
    assert check.problems == () and same_bits(check.table, HOSTILE)


def test_upload_refuses_a_file_over_the_size_limit():
    frame, message = read_csv_upload(b"a,b\n" + b"1,2\n" * 1_250_000)  # 5 MB
    assert frame is None and f"{MAX_UPLOAD_BYTES:,} bytes" in message


def test_upload_refuses_a_million_rows():
    frame, message = read_csv_upload(b"a\n" + b"1\n" * 1_000_000)
    assert frame is None and "limit" in message


def test_upload_stops_reading_at_the_row_limit():
    # A broken line far past the limit would be reported if the whole file were read.
    rows = b"1,2\n" * 100_000 + b"1,2,3,4,5\n" + b"1,2\n" * 10
    frame, message = read_csv_upload(b"a,b\n" + rows)
    assert frame is None and message == f"The file has more than {MAX_ROWS} rows; the limit is {MAX_ROWS}."
    assert read_csv_upload(b"a,b\n" + b"1,2\n" * MAX_ROWS)[0].shape == (MAX_ROWS, 2)


@pytest.mark.parametrize("data, fragment", [
    (b"", "empty"),
    (b"  \n\n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not text"),
    (b"a,b\n1,\x002\n", "not text"),
    ("a,b\n1,2\n".encode("utf-16"), "not text"),
    ("größe,y\n1,2\n".encode("latin-1"), "UTF-8"),
    (b"a,b\x07\n1,2\n", "control characters"),
    (b"a,b\n", "no rows"),
    (b"a,b\n1,2,3\n", "Row 1 (line 2) has 3 values but the header names 2 columns"),
    (b'a,b\n"1,2\n', "could not be read as CSV"),
    (b"a;b\n1,5;2\n", "';'"),
    (",".join(f"c{j}" for j in range(MAX_COLUMNS + 1)).encode(), f"limit is {MAX_COLUMNS}"),
])
def test_upload_refusals(data, fragment):
    frame, message = read_csv_upload(data)
    assert frame is None and fragment in message


def test_upload_keeps_cells_as_text():
    frame, message = read_csv_upload(b"x,y\n=cmd|' /C calc'!A0,1\n007,TRUE\n")
    assert message == "" and frame.iloc[:, 0].tolist() == ["=cmd|' /C calc'!A0", "007"]
    check = check_frame(frame, ["x"], ["y"])
    assert_refused(check, "Row 1, column 'x'", "is not a number", "Row 2, column 'y': 'TRUE'")


def test_upload_reads_signature_spaces_trailing_commas_and_short_rows():
    frame, message = read_csv_upload(b"\xef\xbb\xbfx, y,\r\n1, 2,\r\n\r\n3\r\n")
    assert message == "" and list(frame.columns) == ["x", "y"]
    assert frame.values.tolist() == [["1", "2"], ["3", ""]]
    assert_refused(check_frame(frame, ["x"], ["y"]), "Row 2, column 'y': empty cell")


def test_upload_keeps_duplicate_header_names_for_check_frame_to_report():
    frame, message = read_csv_upload(b"a,a\n1,2\n")
    assert message == ""
    assert_refused(check_frame(frame, ["a"], ["a"]), "both called 'a'")


# ---------------------------------------------------------------- links


def pack(plain):
    """Link text for a hand-written inner form: names, roles, then rows."""
    return "1." + base64.urlsafe_b64encode(zlib.compress(plain.encode("utf-8"))).decode().rstrip("=")


@pytest.mark.parametrize("table", [table_from_preset(p) for p in PRESETS.values()] + [AWKWARD])
def test_link_round_trip_is_exact(table):
    text = encode_table(table)
    assert re.fullmatch(r"[A-Za-z0-9_.-]+", text)
    assert same_bits(decode_table(text), table)


def test_link_survives_url_query_encoding():
    text = encode_table(AWKWARD)
    query = urlencode({"table": text, "seed": 1})
    assert same_bits(decode_table(parse_qs(query)["table"][0]), AWKWARD)


def test_the_hand_written_form_decodes():
    table = decode_table(pack("a\tb\tc\ni-o\n1,2,3\n-0.5,1e-05,0"))
    assert table == Table(("a", "b", "c"), ((1.0, 2.0, 3.0), (-0.5, 1e-05, 0.0)), ("a",), ("c",))


def test_link_over_the_length_limit_is_refused_unread():
    with pytest.raises(ValueError, match=f"{MAX_QUERY_CHARS:,} characters"):
        decode_table(encode_table(AWKWARD) + "A" * MAX_QUERY_CHARS)


@pytest.mark.parametrize("text", [
    "", "hello", "1.", "1.!!!!", "2." + encode_table(AWKWARD)[2:], encode_table(AWKWARD)[:-10],
    pack("a\tb\nio\n1,inf"),
    pack("a\tb\nio\n1,1e7"),
    pack("a\tb\nio\n1,"),
    pack("a\tb\nii\n1,2"),
    pack("a\tb\nix\n1,2"),
    pack("a\tb\nio\n1,2,3"),
    pack("a\ta\nio\n1,2"),
    pack("a\tb\nio"),
    pack("a"),
    pack("a\tb\nio\n" + "1,2\n" * MAX_ROWS + "1,2"),
    "1." + base64.urlsafe_b64encode(b"not zlib").decode(),
])
def test_bad_links_raise_a_plain_value_error(text):
    with pytest.raises(ValueError) as caught:
        decode_table(text)
    assert str(caught.value).startswith("The shared table")


def test_a_link_that_unpacks_into_megabytes_is_refused():
    bomb = pack("a\tb\nio\n" + "0" * 10_000_000)
    assert len(bomb) < MAX_QUERY_CHARS
    with pytest.raises(ValueError, match="more than this playground allows"):
        decode_table(bomb)

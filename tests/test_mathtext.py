"""The Math page's LaTeX pieces: numbers a learner can copy, and user text that stays text."""

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ui.mathtext import MAX_TERMS, factor, matrix, num, plain, variable, weighted_sum, wrapping

TEXT_ESCAPES = {r"\textbackslash{}": "\\", r"\textasciicircum{}": "^", r"\textasciitilde{}": "~"}
LATEX_SPECIAL = set("\\^~#$%&_{}")


@pytest.mark.parametrize("x, shown", [
    (0.0966, "0.0966"), (0.38784, "0.3878"), (-0.25, "-0.25"), (7.6, "7.6"), (12345.0, "1.234 \\times 10^{4}"),
    (-5.568e-06, "-5.568 \\times 10^{-6}"), (1e20, "1 \\times 10^{20}"), (0.0, "0"), (-0.0, "0"),
    (math.inf, "\\infty"), (-math.inf, "-\\infty"), (math.nan, "\\text{nan}"),
])
def test_num(x, shown):
    assert num(x) == shown


@given(st.floats(-1e300, 1e300), st.integers(1, 8))  # rounding 1.5e308 to one digit overflows
def test_num_is_never_python_notation_nor_negative_zero(x, digits):
    text = num(x, digits)
    assert not re.search(r"\de", text) and text not in ("-0", "-0.0")
    mantissa = text.split(" \\times 10^")[0]
    exponent = re.fullmatch(r".* \\times 10\^\{(-?\d+)\}", text)
    value = float(f"{mantissa}e{exponent.group(1)}" if exponent else mantissa)
    assert value == pytest.approx(x, rel=10 ** (1 - digits), abs=0)


def test_num_has_no_brackets_and_factor_adds_them_after_an_operator():
    assert num(-0.25) == "-0.25"
    assert factor(-0.25) == "(-0.25)"
    assert factor(0.25) == "0.25"
    assert factor(2e-7) == "(2 \\times 10^{-7})"
    assert factor(-0.0) == "0"


def test_weighted_sum_writes_symbols_then_numbers_then_the_result():
    line = weighted_sum("z", [1.0, 0.5], [-0.25, 2.0], bias=0.1, z=0.85, input_names=["x", "y"])
    assert line == "z = x\\,w_{1} + y\\,w_{2} + b = {1 \\cdot (-0.25)} + {0.5 \\cdot 2} + 0.1 = 0.85"


def test_long_weighted_sums_are_cut():
    n = MAX_TERMS + 3
    line = weighted_sum("z", [1.0] * n, [1.0] * n, z=float(n))
    assert line.count("\\cdot") == MAX_TERMS and line.count("\\dots") == 2 and line.endswith(f"= {n}")


def test_matrix():
    assert matrix([[1.0, -0.0], [-2e-9, 0.5]]) == \
        "\\begin{bmatrix}1 & 0 \\\\ -2 \\times 10^{-9} & 0.5\\end{bmatrix}"
    # a matrix cannot wrap: past max_cols columns the rest is one column of dots
    assert matrix([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], max_cols=2) == \
        "\\begin{bmatrix}1 & 2 & \\cdots \\\\ 4 & 5 & \\cdots\\end{bmatrix}"
    assert matrix([[1.0, 2.0]], max_cols=2) == "\\begin{bmatrix}1 & 2\\end{bmatrix}"


def test_wrapping_is_one_inline_formula_that_a_name_cannot_end():
    formula = weighted_sum("z", [1.0], [2.0], z=2.0, input_names=[variable("price in $")])
    text = wrapping(formula)
    assert text == f"$${formula}$$" and "\n" not in text and text.count("$$") == 2


def read_text(latex):
    """The characters a \\text{...} from variable() prints; fails on anything LaTeX would read as a command."""
    assert latex.startswith("\\text{") and latex.endswith("}")
    body, out, i = latex[len("\\text{"):-1], [], 0
    while i < len(body):
        long = next((e for e in TEXT_ESCAPES if body.startswith(e, i)), None)
        if long:
            out.append(TEXT_ESCAPES[long])
            i += len(long)
        elif body[i] == "\\":
            assert body[i + 1] in "#$%&_{}", body
            out.append(body[i + 1])
            i += 2
        else:
            assert body[i] not in LATEX_SPECIAL, body
            out.append(body[i])
            i += 1
    return "".join(out)


@given(st.text(max_size=30))
def test_variable_prints_any_name_as_itself(name):
    assert read_text(variable(name)) == name


@pytest.mark.parametrize("name", ["a\\", "[x](http://e)", "x_1", "$y$", "50%", "{}", "^~", "a & b #"])
def test_variable_escapes_each_special_character(name):
    assert read_text(variable(name)) == name


def read_markdown(text):
    """Text as Markdown prints it, when every special character is escaped; fails on a bare one."""
    text, out, i = text.replace("\u2060", ""), [], 0  # word joiners print as nothing
    while i < len(text):
        if text[i] == "\\":
            out.append(text[i + 1])
            i += 2
        else:
            assert text[i] not in "\\`*_{}[]()<>#+-.!|$~:@&\n", text
            out.append(text[i])
            i += 1
    return "".join(out)


@given(st.text(max_size=30))
def test_plain_keeps_user_text_from_formatting(text):
    assert read_markdown(plain(text)) == " ".join(text.splitlines())


def test_plain_stops_links_and_latex():
    assert plain("[x](http://e)") == "\\[x\\]\\(http\\:\u2060//e\\)"
    # bare addresses and icons are found after escapes are read: a word joiner breaks each one up
    assert plain("http://ev.il www.ev.il a@ev.il :material/home:") == (
        "http\\:\u2060//ev\u2060\\.il www\u2060\\.ev\u2060\\.il a\\@\u2060ev\u2060\\.il "
        "\\:\u2060material/home\\:\u2060")
    assert plain("$a$") == "\\$a\\$"

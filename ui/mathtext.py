"""LaTeX strings for the Math page: the real numbers of one pass, written the way a teacher would."""

import math
from types import MappingProxyType

MAX_TERMS = 8  # longer sums are cut with an ellipsis so a line stays readable when projected

# Characters that mean something to LaTeX inside \text{...}, with what prints them as themselves.
_TEXT_ESCAPES = MappingProxyType({
    "\\": r"\textbackslash{}", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
    "#": r"\#", "$": r"\$", "%": r"\%", "&": r"\&", "_": r"\_", "{": r"\{", "}": r"\}",
})
# Characters Markdown may read as formatting, links, HTML, entities or (in Streamlit) the start of LaTeX
# or of a directive (:red[...]).
_MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()<>#+-.!|$~:@&")
# Bare http://..., www.... and a@b.c become links, and :material/name: an icon, after the escapes are read
# (Streamlit finds them in the text itself). An invisible word joiner after ':' and '@' and before '.'
# breaks each pattern without changing what is shown.
_JOINED = MappingProxyType({":": ":\u2060", "@": "@\u2060", ".": "\u2060."})


def num(x, digits=4):
    """A number (float) as LaTeX, `digits` significant: 0.0966, -5.568 \\times 10^{-6}, never -0; no brackets."""
    x = float(x)
    if x == 0:
        return "0"  # also for -0.0, which a learner would read as a different number
    if math.isnan(x):
        return r"\text{nan}"
    if math.isinf(x):
        return r"\infty" if x > 0 else r"-\infty"
    text = f"{x:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def factor(x, digits=4):
    """num(x) ready to follow an operator: negatives and powers of ten in brackets, (-0.25) or (1.2 \\times 10^{-5})."""
    text = num(x, digits)
    return f"({text})" if text.startswith("-") or r"\times" in text else text


def product(a, b):
    """'{a \\cdot b}': braced, so a wrapped formula breaks between the terms of a sum, never inside one."""
    return f"{{{factor(a)} \\cdot {factor(b)}}}"


def weighted_sum(target, inputs, weights, bias=None, z=None, input_names=None):
    """'z_j = a_1 w_1 + ... (+ b) = 0.1·0.2 + ... = z' for one neuron; inputs, weights (n_in,)."""
    names = input_names or [f"a_{{{i + 1}}}" for i in range(len(inputs))]
    symbolic = " + ".join(f"{n}\\,w_{{{i + 1}}}" for i, n in enumerate(names[:MAX_TERMS]))
    numbers = " + ".join(product(a, w) for a, w in zip(inputs[:MAX_TERMS], weights[:MAX_TERMS]))
    if len(inputs) > MAX_TERMS:
        symbolic += r" + \dots"
        numbers += r" + \dots"
    if bias is not None:
        symbolic += " + b"
        numbers += f" + {factor(bias)}"
    result = f" = {num(z)}" if z is not None else ""
    return f"{target} = {symbolic} = {numbers}{result}"


def matrix(M, digits=3, max_cols=None):
    """A matrix (n, m) as a LaTeX bmatrix; past max_cols columns the rest is one column of dots.

    A matrix cannot wrap, so a wide one is cut to stay inside a projected page.
    """
    dots = [r"\cdots"] if max_cols is not None and len(M[0]) > max_cols else []
    rows = [" & ".join([num(v, digits) for v in row[:max_cols]] + dots) for row in M]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def wrapping(formula):
    """A formula as Markdown that wraps after its = and + signs instead of scrolling sideways.

    Inline math wraps where display math ($$ on lines of their own, st.latex) cannot. Between $$ and $$
    inside a line, a single $ (escaped in a column name) cannot end it.
    """
    return f"$${formula}$$"


def variable(name):
    """A column name as LaTeX text: \\text{...} with every character printed as itself."""
    return r"\text{" + "".join(_TEXT_ESCAPES.get(c, c) for c in str(name)) + "}"


def plain(text):
    """User text for Markdown, shown as typed: what could format, link, or open LaTeX is escaped or broken up."""
    text = " ".join(str(text).splitlines())  # a line break would end a table cell or a list item
    return "".join(_JOINED.get(c, c).replace(c, "\\" + c) if c in _MARKDOWN_SPECIAL else c for c in text)

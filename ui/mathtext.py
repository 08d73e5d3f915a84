"""LaTeX strings for the Math page: the real numbers of one pass, written the way a teacher would."""

MAX_TERMS = 8  # longer sums are cut with an ellipsis so a line stays readable when projected


def num(x, digits=4):
    """A number for a formula: 4 significant digits, negatives in brackets when they follow an operator."""
    text = f"{x:.{digits}g}"
    return text


def factor(x, digits=4):
    text = num(x, digits)
    return f"({text})" if text.startswith("-") else text


def weighted_sum(target, inputs, weights, bias=None, z=None, input_names=None):
    """'z_j = a_1 w_1j + ... (+ b) = 0.1·0.2 + ... = z' for one neuron; inputs, weights (n_in,)."""
    names = input_names or [f"a_{{{i + 1}}}" for i in range(len(inputs))]
    symbolic = " + ".join(f"{n}\\,w_{{{i + 1}}}" for i, n in enumerate(names[:MAX_TERMS]))
    numbers = " + ".join(f"{factor(a)} \\cdot {factor(w)}" for a, w in zip(inputs[:MAX_TERMS], weights[:MAX_TERMS]))
    if len(inputs) > MAX_TERMS:
        symbolic += r" + \dots"
        numbers += r" + \dots"
    if bias is not None:
        symbolic += " + b"
        numbers += f" + {factor(bias)}"
    result = f" = {num(z)}" if z is not None else ""
    return f"{target} = {symbolic} = {numbers}{result}"


def matrix(M, digits=3):
    """A matrix (n, m) as a LaTeX bmatrix."""
    rows = [" & ".join(num(v, digits) for v in row) for row in M]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def variable(name):
    """A column name as LaTeX text."""
    escaped = "".join("\\" + c if c in "#$%&_{}" else c for c in str(name))
    return r"\text{" + escaped + "}"

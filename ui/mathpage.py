"""The Math page as a list of blocks: which lines it shows, their LaTeX and code, for any setting.

pages/math.py only draws the blocks in order. Every claim the page makes is built
here from one row's trace (engine.explain) and from the registry entries, so it is
true for every activation, loss, bias and batch size, and tests can read it.
"""

from dataclasses import dataclass

from engine import ACTIVATIONS, LOSSES, REGULARIZERS, explain
from engine.export import (
    hidden_delta_code,
    layer_code,
    loss_scale_code,
    output_delta_code,
    penalty_code,
    update_code,
)
from ui.mathtext import MAX_TERMS, factor, matrix, num, plain, product, variable, weighted_sum

MAX_NEURONS = 6  # neurons written out per layer; more would push the backward pass off a projected screen


@dataclass(frozen=True)
class Block:
    kind: str  # the Streamlit call that draws it: "header", "markdown", "latex", "code", "caption" or "info"
    text: str


def row_label(inputs, values, i):
    """'row 1: x1 = 0, x2 = 1' for the row picker (plain text); inputs: column names, values (n_in,)."""
    return f"row {i + 1}: " + ", ".join(f"{name} = {value:g}" for name, value in zip(inputs, values))


def training_step(trainer, row, neuron_labels, layer_names):
    """Blocks for one training step followed on row `row` of trainer's (scaled) table.

    neuron_labels: per layer, each neuron's name (column names at both ends);
    layer_names: per layer, e.g. ['inputs', 'hidden', 'outputs'].
    """
    trace = explain.trace_row(trainer, trainer.X[row], trainer.Y[row])
    config = trainer.config
    step = _Step(trace, config, [[variable(n) for n in layer] for layer in neuron_labels], layer_names,
                 len(trainer.X), trainer.has_test)
    return (*step.forward(), *step.error(), *step.backward(), *step.changes(), *step.sum_over_rows())


class _Step:
    def __init__(self, trace, config, symbols, names, n_rows, held_out=False):
        self.trace, self.config, self.symbols, self.names, self.n_rows = trace, config, symbols, names, n_rows
        self.held_out = held_out  # some rows are kept for testing: a step never sees them
        self.acts = [ACTIVATIONS[name] for name in config.activations]
        self.loss = LOSSES[config.loss]
        self.last = len(trace.weights) - 1
        self.uses_rate = trace.learning_rate != 1.0
        self.penalty = REGULARIZERS[config.regularization] if config.penalized else None

    def forward(self):
        t, blocks, noted = self.trace, [Block("header", "1. Forward")], set()
        for l, W in enumerate(t.weights):
            f = self.acts[l]
            bias = f" and `bias{l}`" if t.biases else ""
            blocks.append(Block("markdown", f"**{self.names[l]} → {self.names[l + 1]}** with `syn{l}` "
                                            f"({W.shape[0]} × {W.shape[1]}){bias}, then {f.label}: ${f.formula}$"))
            for j in range(min(W.shape[1], MAX_NEURONS)):
                neuron = self.symbols[l + 1][j]
                blocks.append(Block("latex", weighted_sum(f"z_{{{neuron}}}", t.activations[l], W[:, j],
                                                          t.biases[l][j] if t.biases else None, t.zs[l][j],
                                                          self.symbols[l])))
                blocks.append(Block("latex", f"a_{{{neuron}}} = f({num(t.zs[l][j])}) = {num(t.activations[l + 1][j])}"))
            blocks += self._more(W.shape[1])
            blocks.append(Block("code", layer_code(l, f.name, bool(t.biases))))
            if f.code_note and f.name not in noted:
                noted.add(f.name)
                blocks.append(Block("caption", f.code_note))
        return blocks

    def error(self):
        t, L = self.trace, self.last + 1
        blocks = [Block("header", "2. Error")]
        for j, symbol in enumerate(self.symbols[-1]):
            blocks.append(Block("latex", f"\\text{{error}}_{{{symbol}}} = y - a = {num(t.target[j])} - "
                                         f"{factor(t.activations[-1][j])} = {num(t.error[j])}"))
        target = "y" if t.batch_rows == self.n_rows else "y_batch"
        blocks.append(Block("code", f"l{L}_error = {target} - l{L}"))
        over = (f", averaged over the N = {t.batch_rows} row{_s(t.batch_rows)} × {len(t.target)} "
                f"output{_s(len(t.target))} = {t.n_items} numbers of a step" if self.loss.per_item else "")
        blocks.append(Block("markdown", f"Loss being minimised: {self.loss.label}, ${self.loss.formula}${over}."))
        return blocks

    def backward(self):
        blocks = [Block("header", "3. Backward"), *self._output_delta()]
        for l in range(self.last - 1, -1, -1):
            blocks += self._hidden_delta(l)
        return blocks

    def _output_delta(self):
        t, f, loss, L = self.trace, self.acts[-1], self.loss, self.last + 1
        slope = loss.uses_slope
        scale = loss.scale_latex()
        symbolic = (f"{scale}\\," if scale else "") + "(y - a)" + (f" \\cdot {f.slope_latex}" if slope else "")
        what = f" times the slope ${f.derivative_formula}$" if slope else ""
        blocks = [Block("markdown", f"**delta of {self.names[-1]}**: how far each output's weighted sum z should "
                                    f"move, $\\delta = -\\partial L / \\partial z$: the error{what}"
                                    + (f", times ${scale}$" if scale else "") + ".")]
        for j in range(min(len(t.deltas[-1]), MAX_NEURONS)):
            numbers = ([loss.scale_latex(t.n_items)] if scale else []) + [factor(t.error[j])]
            if slope:
                numbers.append(factor(t.slopes[-1][j]))
            product = r" \times ".join(numbers)
            blocks.append(Block("latex", f"\\delta_{{{self.symbols[-1][j]}}} = {symbolic} = {product} = "
                                         f"{num(t.deltas[-1][j])}\\qquad {{(a = {num(t.activations[-1][j])})}}"))
        blocks += self._more(len(t.deltas[-1]))
        if not slope:
            blocks.append(Block("caption", f"With {loss.label.lower()} after a {f.label.lower()} output, the slope "
                                           f"${f.derivative_formula}$ cancels out of $-\\partial L / \\partial z$: "
                                           "the delta is the error, scaled."))
        code = [loss_scale_code(loss.name, t.n_items), output_delta_code(L, f.name, loss.name, t.n_items)]
        blocks.append(Block("code", "\n".join(line for line in code if line)))
        return blocks

    def _hidden_delta(self, l):
        """Blocks for the delta of layer l + 1 (hidden), from the deltas of layer l + 2 through syn{l + 1}."""
        t, f = self.trace, self.acts[l]
        W_next, above = t.weights[l + 1], t.deltas[l + 1]
        blocks = [Block("markdown", f"**delta of {self.names[l + 1]}**: each neuron's share of the deltas above, "
                                    f"through the weights it feeds (`syn{l + 1}` before it changes), times its own "
                                    f"slope ${f.derivative_formula}$.")]
        for j in range(min(len(t.deltas[l]), MAX_NEURONS)):
            terms = " + ".join(product(d, w) for d, w in zip(above[:MAX_TERMS], W_next[j, :MAX_TERMS]))
            if len(above) > MAX_TERMS:
                terms += r" + \dots"
            # Two formulas, not one two-line block: each wraps on its own in a narrow window.
            blocks.append(Block("latex", f"\\textstyle\\sum_k \\delta_k\\, w_{{jk}} = {terms} = "
                                         f"{num(t.back_errors[l][j])}"))
            blocks.append(Block("latex", f"\\delta_{{{self.symbols[l + 1][j]}}} = \\big(\\textstyle\\sum_k "
                                         f"\\delta_k\\, w_{{jk}}\\big) \\cdot {f.slope_latex} = "
                                         f"{factor(t.back_errors[l][j])} \\times {factor(t.slopes[l][j])} = "
                                         f"{num(t.deltas[l][j])} \\qquad {{(a = {num(t.activations[l + 1][j])})}}"))
        blocks += self._more(len(t.deltas[l]))
        blocks.append(Block("code", "\n".join(hidden_delta_code(l + 1, f.name))))
        return blocks

    def changes(self):
        t = self.trace
        rate = num(t.learning_rate)
        bias = (", and each bias by the delta it feeds: $\\Delta b_j = \\eta\\, \\delta_j$" if t.biases else "")
        blocks = [Block("header", "4. Weight changes" + (" and bias changes" if t.biases else "")),
                  Block("markdown", "Each weight moves by the learning rate × its input × the delta it feeds: "
                                    f"$\\Delta w_{{ij}} = \\eta\\, a_i\\, \\delta_j$ with $\\eta = {rate}${bias}. "
                                    "For this row alone:")]
        for l in range(self.last, -1, -1):
            blocks.append(Block("latex", f"\\Delta\\text{{syn{l}}} = \\eta\\; a^{{\\top}} \\delta = "
                                         f"{matrix(t.weight_changes[l], max_cols=MAX_NEURONS)}"))
            if t.biases:
                blocks.append(Block("latex", f"\\Delta\\text{{bias{l}}} = \\eta\\; \\delta = "
                                             f"{matrix([t.bias_changes[l]], max_cols=MAX_NEURONS)}"))
            if self.penalty:
                blocks.append(Block("latex", f"-\\eta\\,\\lambda\\,\\partial R / \\partial \\text{{syn{l}}} = "
                                             f"{matrix(t.penalty_changes[l])}"))
            blocks.append(Block("code", "\n".join(update_code(l, bool(t.biases), self.uses_rate,
                                                               penalty_code(self.config)))))
        if self.penalty:
            blocks.insert(2, Block("markdown", self._penalty_words()))
        return blocks

    def _penalty_words(self):
        p, rate = self.penalty, num(self.config.regularization_rate)
        return (f"**Weight penalty** ({p.label}, ${p.formula}$, rate $\\lambda = {rate}$): once per step, not once "
                f"per row, each weight also moves by $-\\eta\\,\\lambda\\,\\partial R / \\partial w = "
                f"-\\eta\\,\\lambda\\, {p.slope_latex}$, which pulls it towards 0 whatever the rows say. "
                "The biases carry no penalty: a bias only moves a neuron's threshold. The error curve shows the "
                "loss without the penalty.")

    def sum_over_rows(self):
        t, loss, out = self.trace, self.loss, self.last
        B = t.batch_rows
        which = ((f"all {B} training rows (the rows held out for testing never take part)" if self.held_out
                  else f"all {B} rows of the table") if B == self.n_rows else
                 f"the {B} row{_s(B)} of its batch (drawn in shuffled order; this row counts when it is among them)")
        scale = loss.scale_latex()
        slope = "\\, f'(z_r)" if loss.uses_slope else ""
        rule = (f"\\Delta\\text{{syn{out}}} = \\eta\\, {scale + ' ' if scale else ''}\\sum_{{r=1}}^{{{B}}} "
                f"a_{{\\text{{in}},r}}^{{\\top}}\\, (y_r - a_r){slope}")
        if loss.per_item:
            why = (f"The loss averages over N = {t.n_items} numbers, so each row's δ already carries "
                   f"${loss.scale_latex(t.n_items)}$ and the plain sum of the rows' changes is the step.")
        else:
            why = ("This loss has no 1/N: the step is the total over the rows, so a table with more rows takes "
                   "larger steps at the same learning rate.")
        total = f"\\Delta\\text{{syn}} = \\sum_{{r=1}}^{{{B}}} \\Delta\\text{{syn}}^{{(r)}}"
        if self.penalty:
            total += r" - \eta\,\lambda\,\partial R / \partial \text{syn}"
        if t.biases:
            total += f", \\qquad \\Delta\\text{{bias}} = \\sum_{{r=1}}^{{{B}}} \\Delta\\text{{bias}}^{{(r)}}"
        return [
            Block("header", "5. One training step"),
            Block("markdown", f"A training step adds up these per-row changes over {which}:"),
            Block("latex", total),
            Block("markdown", "For the output layer" + (", with the loss's factor taken out of the sum:" if scale
                                                         else ", written out:")),
            Block("latex", rule),
            Block("markdown", why),
            Block("info", f"`l{out}.T.dot(l{out + 1}_delta)` is that sum in one call: `.T` (transpose) lines every "
                          "row's input up with the same row's delta, and the dot product adds the rows' products"
                          + (f"; `l{out + 1}_delta.sum(axis=0)` adds the rows' deltas for the bias." if t.biases
                             else ".")),
        ]

    def _more(self, n):
        if n <= MAX_NEURONS:
            return []
        return [Block("caption", f"… and {n - MAX_NEURONS} more neurons, computed the same way.")]


def worked_example(preset):
    """Blocks for the preset's hand-worked forward pass, as the network computes it and as the tutorial printed it.

    () when the preset's tutorial worked none (or preset is None).
    """
    example = explain.worked_example(preset)
    if example is None:
        return ()
    input_names = preset.inputs
    printed = example.printed
    names = [variable(n) for n in input_names]
    hidden, output = example.activations[1], example.activations[-1]
    W0, W1 = example.weights[0], example.weights[-1]
    S = ["S" if name == "sigmoid" else "f" for name in example.activation_names]
    row = ", ".join(f"{plain(n)} = {v:g}" for n, v in zip(input_names, example.row))
    blocks = [
        Block("header", "The article's worked example"),
        Block("markdown", "Before any code, the article pushed its first student through the network by hand: the "
                          f"raw row ({row}), not scaled, and weights it picked itself, `syn0` = {_rows(W0)} and "
                          f"`syn1` = {_rows(W1)}. Here is that pass as the network computes it, then what the "
                          "article printed."),
    ]
    for j in range(W0.shape[1]):
        blocks.append(Block("latex", weighted_sum(f"z_{{{j + 1}}}", example.row, W0[:, j], z=example.zs[0][j],
                                                  input_names=names)))
        blocks.append(Block("latex", f"a_{{{j + 1}}} = {S[0]}({num(example.zs[0][j])}) = {num(hidden[j], 10)}"))
    blocks.append(Block("latex", weighted_sum("z", hidden, W1[:, 0], z=example.zs[-1][0],
                                              input_names=[f"a_{{{j + 1}}}" for j in range(len(hidden))])))
    blocks.append(Block("latex", f"o = {S[-1]}({num(example.zs[-1][0], 10)}) = {num(output[0], 10)}"))
    rows = [("hidden sums", printed["hidden_sums"], repr, example.zs[0], 10),
            ("hidden outputs", printed["hidden_activations"], repr, hidden, 10),
            ("hidden outputs to 4 digits", printed["carried_activations"], "{:#.4g}".format, hidden, 4),
            ("output sum", [printed["output_sum"]], repr, example.zs[-1], 10),
            ("output", [printed["output"]], repr, output, 10)]
    table = ["| | the article printed | the network gives |", "|---|---|---|"]
    for what, shown, as_printed, computed, digits in rows:
        table.append(f"| {what} | {', '.join(as_printed(float(v)) for v in shown)} | "
                     f"{', '.join(f'{v:.{digits}g}' for v in computed)} |")
    blocks.append(Block("markdown", "\n".join(table)))
    blocks.append(Block("markdown", "**Why they differ**\n\n" + "\n".join(f"- {note}" for note in example.notes)))
    return tuple(blocks)


def _rows(W):
    return "[" + ", ".join("[" + ", ".join(f"{v:g}" for v in row) + "]" for row in W) + "]"


def _s(n):
    return "" if n == 1 else "s"

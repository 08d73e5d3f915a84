"""The classic from-scratch tutorials (and two small sets of our own) as data.

`published` holds what each tutorial printed, so tests and the app can check the
engine against it; where a tutorial printed a slip, the key says "printed" and the
engine's own number is shown beside it, never replaced by it. `published_outputs_when`
says which forward pass the printed outputs came from: "last_pass" is the forward
pass inside the final loop iteration (before its weight update, as Trask prints
`l1`), "after_training" is a fresh prediction with the trained weights. `printout`
lists what the tutorial printed, in its order, for `python -m engine` to print again.
"""

from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from .network import NetworkConfig, Trainer
from .scaling import fit_scaler


@dataclass(frozen=True)
class Preset:
    key: str
    title: str
    source: str
    columns: tuple  # column names, inputs first
    inputs: tuple  # names of the input columns
    outputs: tuple  # names of the output columns
    rows: tuple  # raw table rows, one value per column
    config: NetworkConfig
    steps: int
    print_every: int = 0  # the tutorial printed the error every this many steps
    input_scaling: str = "none"
    output_scaling: str = "none"
    input_divisor: float = 1.0
    output_divisor: float = 1.0
    new_inputs: tuple = ()  # raw rows the tutorial predicted after training
    published: dict = field(default_factory=dict)
    published_outputs_when: str = "last_pass"
    printout: tuple = ("errors", "after_training", "predictions")  # see engine.__main__.SECTIONS
    example_notes: tuple = ()  # Markdown: why a worked example's printed numbers differ from the network's
    story: str = ""

    @property
    def hidden(self):
        return tuple(self.config.layer_sizes[1:-1])


_GATE_INPUTS = ((0, 0, 1), (0, 1, 1), (1, 0, 1), (1, 1, 1))
_XOR_OF_FIRST_TWO = tuple(r + (t,) for r, t in zip(_GATE_INPUTS, (0, 1, 1, 0)))

# The 3-4-1 net's mean |error| every 10,000 steps, as the blog post printed it (full repr).
_THREE_LAYER_ERRORS = MappingProxyType({
    0: 0.49641003190272537, 10_000: 0.008584525653247153, 20_000: 0.005789459862507809,
    30_000: 0.004629176776769984, 40_000: 0.003958765280273649, 50_000: 0.003510122567861676,
})

_CURVED_ROWS = (
    (-0.85, 0.56, 0),
    (-0.12, 0.45, 1),
    (0.96, 0.08, 0),
    (0.0, -0.86, 0),
    (-0.46, 0.0, 1),
    (0.36, 0.61, 0),
    (-0.24, -0.87, 0),
    (-0.42, 0.82, 0),
    (-0.57, -0.1, 1),
    (0.86, -0.95, 0),
    (0.2, 0.9, 0),
    (-0.54, 0.1, 1),
    (0.82, -0.73, 0),
    (0.05, 0.5, 1),
    (0.34, -0.06, 1),
    (-0.59, -0.02, 1),
    (-0.26, -0.05, 1),
    (-0.27, 0.68, 0),
    (0.54, -0.37, 1),
    (0.15, -0.45, 1),
    (-0.09, -0.29, 1),
    (0.31, -0.26, 1),
    (-0.08, 0.44, 1),
    (-0.17, 0.81, 0),
    (-0.64, 0.48, 0),
    (-0.16, -0.15, 1),
    (0.27, 0.05, 1),
    (-0.17, -1.0, 0),
    (-0.82, 0.42, 0),
    (0.05, 0.39, 1),
    (0.91, 0.37, 0),
    (-0.89, -0.38, 0),
    (0.19, -0.53, 1),
    (0.93, 0.89, 0),
    (0.7, -0.06, 0),
    (0.68, -0.74, 0),
    (-0.38, -0.07, 1),
    (0.48, -0.03, 1),
    (-0.73, -0.31, 0),
    (-0.35, -0.4, 1),
)

PRESETS = MappingProxyType({
    "single-neuron": Preset(
        key="single-neuron",
        title="One neuron, three inputs",
        source="'How to build a simple neural network in 9 lines of Python code'",
        columns=("in1", "in2", "in3", "out"),
        inputs=("in1", "in2", "in3"),
        outputs=("out",),
        rows=((0, 0, 1, 0), (1, 1, 1, 1), (1, 0, 1, 1), (0, 1, 1, 0)),
        config=NetworkConfig(layer_sizes=(3, 1), seed=1),
        steps=10_000,
        new_inputs=((1, 0, 0),),
        published={
            "starting_weights": [[-0.16595599], [0.44064899], [-0.99977125]],
            "trained_weights": [[9.67299303], [-0.2078435], [-4.62963669]],
            "prediction": [[0.99993704]],
        },
        printout=("starting_weights", "trained_weights", "predictions"),
        story="The output copies the first input. After 10,000 updates the neuron is asked about "
              "a situation it never saw, [1, 0, 0], and answers close to 1.",
    ),
    "trask-2-layer": Preset(
        key="trask-2-layer",
        title="Trask's 2-layer network",
        source="'A Neural Network in 11 lines of Python (Part 1)', 2-layer version",
        columns=("x1", "x2", "x3", "y"),
        inputs=("x1", "x2", "x3"),
        outputs=("y",),
        rows=tuple(r + (t,) for r, t in zip(_GATE_INPUTS, (0, 0, 1, 1))),
        config=NetworkConfig(layer_sizes=(3, 1), seed=1),
        steps=10_000,
        published={"outputs": [[0.00966449], [0.00786506], [0.99358898], [0.99211957]]},
        printout=("last_pass",),
        story="The first input column is perfectly correlated with the output, so one layer of "
              "weights (syn0, 3 x 1) is enough.",
    ),
    "trask-3-layer": Preset(
        key="trask-3-layer",
        title="Trask's 3-layer network",
        source="'A Neural Network in 11 lines of Python (Part 1)', 3-layer version",
        columns=("x1", "x2", "x3", "y"),
        inputs=("x1", "x2", "x3"),
        outputs=("y",),
        rows=_XOR_OF_FIRST_TWO,
        config=NetworkConfig(layer_sizes=(3, 4, 1), seed=1),
        steps=60_000,
        print_every=10_000,
        published={"errors": _THREE_LAYER_ERRORS},
        printout=("errors",),
        story="The output is the exclusive-or of the first two inputs: no single input column "
              "predicts it, so a hidden layer of 4 neurons (syn0 3 x 4, syn1 4 x 1) has to combine them.",
    ),
    "video-blog": Preset(
        key="video-blog",
        title="A neural net in four minutes",
        source="the four-minute video's 3-layer net, rebuilt step by step in the blog post 'Build a Neural Net'",
        columns=("x1", "x2", "x3", "y"),
        inputs=("x1", "x2", "x3"),
        outputs=("y",),
        rows=_XOR_OF_FIRST_TWO,
        config=NetworkConfig(layer_sizes=(3, 4, 1), seed=1),
        steps=60_000,
        print_every=10_000,
        published={
            "errors": _THREE_LAYER_ERRORS,
            "outputs": [[0.0026057], [0.99672212], [0.99701713], [0.00386756]],
        },
        published_outputs_when="after_training",
        printout=("errors", "after_training"),
        story="The same 3-4-1 network as Trask's; the blog post ends with a prediction made with "
              "the trained synapses, one update later than the loop's last forward pass.",
    ),
    "test-score": Preset(
        key="test-score",
        title="Hours to test score",
        source="the hours-studied/slept tutorial's Neural_Network class",
        columns=("studied", "slept", "score"),
        inputs=("studied", "slept"),
        outputs=("score",),
        rows=((2, 9, 92), (1, 5, 86), (3, 6, 89)),
        config=NetworkConfig(layer_sizes=(2, 3, 1), init="normal", seed=2),
        steps=1_000,
        input_scaling="max",
        output_scaling="divide",
        output_divisor=100.0,
        new_inputs=((4, 8),),
        published={
            # The article's forward pass worked by hand: the raw first row (2, 9), unscaled, through
            # weights it picked itself. The engine recomputes every step (engine.explain.worked_example).
            "example_row": [2, 9],
            "example_weights": [[[0.2, 0.6, 0.1], [0.8, 0.3, 0.7]], [[0.4], [0.5], [0.9]]],
            # What the article printed along the way, slips included: never the answer.
            "printed_hidden_sums": [7.6, 7.5, 6.5],
            "printed_hidden_activations": [0.999499799, 1.000553084, 0.998498818],
            "printed_carried_activations": [0.9994, 1.000, 0.9984],  # what it multiplied the output weights by
            "printed_output_sum": 1.79832,
            "printed_output": 0.8579443067,
        },
        printout=("worked_example", "last_block", "predictions"),
        example_notes=(
            r"The second hidden sum is $2 \cdot 0.6 + 9 \cdot 0.3 = 3.9$. The article wrote 7.5; a reader "
            "pointed this out in the comments and the author agreed.",
            r"It printed the sigmoid of that 7.5 as 1.000553084, more than any sigmoid gives (they stay below 1): "
            r"that number is $1 + e^{-7.5}$, the denominator of $S(7.5) = 1 / (1 + e^{-7.5}) = 0.9994472$.",
            "Its output sum took the hidden outputs cut to four significant digits (.9994, 1.000, .9984) and "
            "came to 1.79832. The last step, $S(1.79832) = 0.8579443067$, is right for that sum.",
            "The article fed in the raw hours. The network its code trains sees each column divided by its "
            "maximum, (2/3, 1) for this row, and starts from random weights: this pass shows the arithmetic, "
            "not a step of training.",
        ),
        story="Inputs are divided by each column's maximum and scores by 100, so a new student "
              "(4 hours, 8 hours) must be scaled by the training maxima 3 and 9, not by its own. "
              "The original draws its weights with np.random.randn and no seed; seed 2 is ours.",
    ),
    "xor-bias": Preset(
        key="xor-bias",
        title="XOR with a bias",
        source="Backprop Playground",
        columns=("a", "b", "a xor b"),
        inputs=("a", "b"),
        outputs=("a xor b",),
        rows=((0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0)),
        config=NetworkConfig(layer_sizes=(2, 2, 1), bias=True, seed=1),
        steps=5_000,
        story="Without the tutorials' constant third input, the network needs a bias to move each "
              "neuron's threshold. With only two hidden neurons some seeds get stuck: try the Seeds page.",
    ),
    "curved": Preset(
        key="curved",
        title="Inside or outside a circle",
        source="Backprop Playground",
        columns=("x", "y", "inside"),
        inputs=("x", "y"),
        outputs=("inside",),
        rows=_CURVED_ROWS,
        config=NetworkConfig(layer_sizes=(2, 6, 1), hidden_activation="tanh", bias=True,
                             init="xavier", learning_rate=0.5, seed=1),
        steps=3_000,
        story="40 points labelled 1 inside the circle x² + y² < 0.45. No straight line separates "
              "them; watch the output map on the Predict page bend around the middle.",
    ),
})


def preset_table(preset):
    """Raw X (n_rows, n_in), Y (n_rows, n_out) of a preset's table, as float arrays."""
    table = np.asarray(preset.rows, dtype=np.float64)
    index = {name: i for i, name in enumerate(preset.columns)}
    return table[:, [index[c] for c in preset.inputs]], table[:, [index[c] for c in preset.outputs]]


def build_trainer(preset, seed=None):
    """One-network Trainer on the preset's scaled table, and the Scaler fitted on its raw rows.

    seed replaces the preset's own seed; new rows must go through the returned scaler,
    so they are scaled by the training table's numbers.
    """
    X, Y = preset_table(preset)
    scaler = fit_scaler(X, Y, preset.input_scaling, preset.output_scaling,
                        preset.input_divisor, preset.output_divisor)
    config = preset.config if seed is None else preset.config.replace(seed=int(seed))
    return Trainer(config, scaler.inputs(X), scaler.outputs(Y)), scaler

"""Train a tutorial preset from the command line and print what the tutorial printed, in its order.

    python -m engine trask-3-layer [--steps N] [--seed S]
    python -m engine --list
"""

import argparse
import sys
from types import MappingProxyType

import numpy as np

from .explain import worked_example
from .presets import PRESETS, build_trainer

MAX_STEPS = 10_000_000  # history keeps two floats per step: 10^7 steps is 160 MB


class _OneLineParser(argparse.ArgumentParser):
    def error(self, message):
        # argparse prints its usage block too; one line is easier to read and to test
        self.exit(2, f"{self.prog}: error: {message}\n")


def _whole_number(low, high):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is outside {low}..{high}")
        return value
    return parse


def _parser():
    parser = _OneLineParser(prog="python -m engine", description="Train a tutorial preset and print its numbers.")
    parser.add_argument("preset", nargs="?", help="preset key (see --list)")
    parser.add_argument("--steps", type=_whole_number(0, MAX_STEPS), help="training steps (default: the preset's)")
    parser.add_argument("--seed", type=_whole_number(0, 2**32 - 1), help="random seed (default: the preset's)")
    parser.add_argument("--list", action="store_true", help="list the presets and stop")
    return parser


def _list_presets():
    width = max(len(key) for key in PRESETS)
    for key, preset in PRESETS.items():
        sizes = "-".join(str(n) for n in preset.config.layer_sizes)
        print(f"{key:<{width}}  {sizes:<8} {preset.steps:>7,} steps  {preset.title}")


def _weights(title, weights):
    print(title)
    for l, W in enumerate(weights):
        if len(weights) > 1:
            print(f"syn{l}:")
        print(W)


def _errors(run):
    every = run.preset.print_every or max(1, run.steps // 5)
    for step in range(0, run.trainer.steps, every):
        # repr of a Python float is what the tutorials' print showed
        print("Error:", repr(float(run.trainer.mean_abs_error[0, step])))


def _last_pass(run):
    print("Output of the last training pass (before its update):")
    last = run.trainer.last_outputs
    print(run.scaler.outputs_back(last[0]) if last is not None else "none: no training step was run")


def _after_training(run):
    print("Output after training:")
    print(run.scaler.outputs_back(run.trainer.predict(run.trainer.X)))


def _predictions(run):
    for row in run.preset.new_inputs:
        prediction = run.scaler.outputs_back(run.trainer.predict(run.scaler.inputs([row])))
        print(f"Prediction for {list(row)}:", prediction[0])


def _last_block(run):
    """The block the test-score tutorial printed before every update, in the network's (scaled) units."""
    trainer = run.trainer
    if trainer.last_outputs is None:
        print("The tutorial printed a block before every update; no update was run.")
        return
    print(f"The tutorial printed this block before every update; the last one, before update {run.steps:,}:")
    print("Input:")
    print(trainer.X)
    print("Actual Output:")
    print(trainer.Y)
    print("Predicted Output:")
    outputs = trainer.last_outputs[0]
    print(outputs)
    print("Loss:")
    print(repr(float(np.mean(np.square(trainer.Y - outputs)))))  # the tutorial's mean squared loss


def _worked_example(run):
    example = worked_example(run.preset)
    printed = example.printed
    *hidden, output = example.activations[1:]
    print(f"The article's worked example: the raw row {example.row.tolist()} through its hand-picked weights")
    print(f"  hidden sums     printed {printed['hidden_sums']}, the network gives {_numbers(example.zs[0])}")
    print(f"  hidden outputs  printed {printed['hidden_activations']}, the network gives {_numbers(hidden[0])}")
    print(f"                  carried on as {printed['carried_activations']}")
    print(f"  output sum      printed {printed['output_sum']}, the network gives {_numbers(example.zs[-1])}")
    print(f"  output          printed {printed['output']}, the network gives {_numbers(output)}")


def _numbers(values):
    values = [float(f"{v:.10g}") for v in np.ravel(values)]
    return values[0] if len(values) == 1 else values


# What a tutorial may have printed, by the name a preset's `printout` lists it under.
SECTIONS = MappingProxyType({
    "worked_example": _worked_example,
    "starting_weights": lambda run: _weights("Starting weights:", run.start_weights),
    "errors": _errors,
    "last_pass": _last_pass,
    "last_block": _last_block,
    "after_training": _after_training,
    "trained_weights": lambda run: _weights("Trained weights:", run.trainer.weights()),
    "predictions": _predictions,
})


class _Run:
    def __init__(self, preset, steps, seed):
        self.preset, self.steps = preset, steps
        self.trainer, self.scaler = build_trainer(preset, seed)
        self.start_weights = self.trainer.weights()
        self.report = self.trainer.run(steps)


def _report(preset, steps, seed):
    run = _Run(preset, steps, seed)
    print(f"{preset.title} ({preset.key}): {'-'.join(map(str, preset.config.layer_sizes))} network, "
          f"seed {run.trainer.config.seed}, {steps:,} steps")
    if run.report.message:
        print(run.report.message)
    with np.printoptions(precision=8, suppress=True):
        for section in preset.printout:
            SECTIONS[section](run)


def main(argv=None):
    args = _parser().parse_args(argv)
    if args.list:
        _list_presets()
        return 0
    if args.preset is None:
        print("python -m engine: error: name a preset (see --list)", file=sys.stderr)
        return 2
    if args.preset not in PRESETS:
        print(f"python -m engine: error: unknown preset {args.preset!r}; choose from {', '.join(PRESETS)}",
              file=sys.stderr)
        return 2
    preset = PRESETS[args.preset]
    _report(preset, preset.steps if args.steps is None else args.steps, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())

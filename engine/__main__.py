"""Train a tutorial preset from the command line and print what the tutorial printed.

    python -m engine trask-3-layer [--steps N] [--seed S]
    python -m engine --list
"""

import argparse
import sys

import numpy as np

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


def _report(preset, steps, seed):
    trainer, scaler = build_trainer(preset, seed)
    print(f"{preset.title} ({preset.key}): {'-'.join(map(str, preset.config.layer_sizes))} network, "
          f"seed {trainer.config.seed}, {steps:,} steps")
    report = trainer.run(steps)
    every = preset.print_every or max(1, steps // 5)
    for step in range(0, trainer.steps, every):
        # repr of a Python float is what the tutorials' print showed
        print("Error:", repr(float(trainer.mean_abs_error[0, step])))
    if report.message:
        print(report.message)
    np.set_printoptions(precision=8, suppress=True)
    if trainer.last_outputs is not None:
        print("Output of the last training pass (before its update):")
        print(scaler.outputs_back(trainer.last_outputs[0]))
    print("Output after training:")
    print(scaler.outputs_back(trainer.predict(trainer.X)))
    for row in preset.new_inputs:
        prediction = scaler.outputs_back(trainer.predict(scaler.inputs([row])))
        print(f"Prediction for {list(row)}:", prediction[0])


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

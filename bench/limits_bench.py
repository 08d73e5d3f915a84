"""CPU seconds of one interaction under the work budget, on the smallest and the largest networks.

    python bench/limits_bench.py [--rounds 3]

For each network: a link asking for 1,000,000 steps, one Run to click, one Run click, one
Step x100 click and one Run all seeds click with 256 seeds, each timed as the CPU time of
this process (training runs here, in slices, as the server's scheduler runs them). Next to
each: the steps the budget granted, the seconds ui.limits models for them, and what the
limits before the work budget allowed (100,000 steps a click or link, Run until 1,000,000,
7,812 steps of 256 seeds), extrapolated from the measured cost of a step.
"""

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ui import limits  # noqa: E402
from ui.state import Playground  # noqa: E402
from ui.table import Table  # noqa: E402

OLD_STEPS = {"link": 100_000, "run to": 100_000, "run": limits.MAX_TOTAL_STEPS, "step x100": 100,
             "256 seeds": limits.MAX_SWEEP_NETWORK_STEPS // 256}


def largest(batch_size=0):
    """Six hidden layers of 16 on 500 rows of 11 inputs and one output."""
    columns = tuple(f"x{j}" for j in range(limits.MAX_COLUMNS - 1)) + ("y",)
    grid = np.random.default_rng(0).integers(0, 2, (limits.MAX_ROWS, limits.MAX_COLUMNS))
    pg = Playground.from_preset("curved")
    pg.set_table(Table(columns, tuple(tuple(float(v) for v in row) for row in grid), columns[:-1], columns[-1:]))
    pg.apply_settings(replace(pg.settings, hidden=(limits.MAX_NEURONS,) * limits.MAX_HIDDEN_LAYERS,
                              batch_size=batch_size))
    return pg


NETWORKS = {
    "3-1 on 4 rows (single neuron)": lambda: Playground.from_preset("single-neuron"),
    "3-4-1 on 4 rows (Trask)": lambda: Playground.from_preset("trask-3-layer"),
    "11-16x6-1 on 500 rows": largest,
    "11-16x6-1 on 500 rows, one row a step": lambda: largest(batch_size=1),
}


def cpu_seconds(action):
    started = time.process_time()
    result = action()
    return time.process_time() - started, result


def until_stopped(pg, sweep=False):
    if sweep:
        while pg.sweep.running:
            pg.advance_sweep(1.0)
    else:
        while pg.running:
            pg.advance_live(1.0)


def interactions(make):
    """{name: (cpu seconds, steps granted, modelled seconds)} for one fresh playground per interaction."""
    measured = {}

    def modelled(pg, steps, networks=1):
        t = pg.trainer
        return steps * limits.step_seconds(t.config.layer_sizes, t.batch_rows, networks, not t.full_batch,
                                          t.config.bias)

    pg = make()
    query = {**pg.to_query(), "steps": str(limits.MAX_TOTAL_STEPS)}
    seconds, (opened, _) = cpu_seconds(lambda: Playground.from_query(query))
    measured["link"] = (seconds, opened.steps, modelled(opened, opened.steps))
    for name, until in (("run to", limits.MAX_TOTAL_STEPS), ("run", 0)):
        pg = make()
        seconds, _ = cpu_seconds(lambda pg=pg, until=until: (pg.run(until), until_stopped(pg)))
        measured[name] = (seconds, pg.steps, modelled(pg, pg.steps))
    pg = make()
    seconds, _ = cpu_seconds(lambda: pg.step(100))
    measured["step x100"] = (seconds, pg.steps, modelled(pg, pg.steps))
    pg = make()
    seconds, _ = cpu_seconds(lambda: (pg.start_sweep(256, limits.MAX_SWEEP_STEPS, 0.05), until_stopped(pg, True)))
    measured["256 seeds"] = (seconds, pg.sweep.trainer.steps, modelled(pg, pg.sweep.trainer.steps, 256))
    return measured


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"budget: {limits.CLICK_SECONDS:g} modelled seconds of one core per interaction; "
          f"CPU seconds are medians of {args.rounds} rounds")
    print(f"{'network':40}{'interaction':>12}{'steps':>10}{'model s':>9}{'CPU s':>8}{'old limit':>11}{'old CPU s':>11}")
    for label, make in NETWORKS.items():
        rounds = [interactions(make) for _ in range(args.rounds)]
        for name in rounds[0]:
            seconds = statistics.median(r[name][0] for r in rounds)
            _, steps, model = rounds[0][name]
            old = OLD_STEPS[name]
            print(f"{label:40}{name:>12}{steps:>10,}{model:>9.2f}{seconds:>8.2f}{old:>11,}"
                  f"{seconds / max(steps, 1) * old:>11.1f}")


if __name__ == "__main__":
    main()

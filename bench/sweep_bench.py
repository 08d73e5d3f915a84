"""Network-steps per second of S networks trained side by side, in CPU time, next to one-network baselines.

    python bench/sweep_bench.py [--rounds 5]

- 3-4-1 tutorial nets, full batch, one shared table, history on, S = 1 ... 1024, against the
  tutorial's loop as published (Trask's code, printing every 10,000 steps; see engine_bench.py).
  Large sweeps run fewer steps (STEPS below), counted as S * steps network-steps.
- 2-16-16-1 with biases, 200 rows, shuffled mini-batches of 20, S = 64, against the same 64
  networks trained one after another by the engine.

Before anything is timed, every network of each sweep is checked, bit for bit (weights, biases,
history), against the same network trained alone. Each round times the baseline beside every case,
taking turns on who goes first, and a ratio is the median over rounds of that round's own ratio.
"""

import argparse
import contextlib
import io
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine_bench import published_tutorial, tutorial_table, wide_table  # noqa: E402

from engine import NetworkConfig, Trainer  # noqa: E402

PUBLISHED_STEPS = 60_000
STEPS = {1: 60_000, 16: 15_000, 64: 6_000, 256: 3_000, 1024: 750}
TARGET_AT_256 = 40.0
WIDE_NETWORKS, WIDE_STEPS, WIDE_CHECK_STEPS = 64, 500, 120
TUTORIAL = NetworkConfig(layer_sizes=(3, 4, 1))
WIDE = NetworkConfig(layer_sizes=(2, 16, 16, 1), bias=True, learning_rate=0.5, batch_size=20)


def check_against_solo_runs(config, table, n_networks, steps):
    """Every network of a sweep equals its solo run bit for bit; returns whether the first layer was one product."""
    sweep = Trainer(config, *table, seeds=range(1, n_networks + 1))
    sweep.run(steps)
    for k, seed in enumerate(sweep.seeds):
        solo = Trainer(config.replace(seed=int(seed)), *table)
        solo.run(steps)
        for stacked, alone in zip(sweep.W + sweep.b, solo.W + solo.b):
            assert np.array_equal(stacked[k], alone[0]), (n_networks, k)
        assert np.array_equal(sweep.mean_abs_error[k], solo.mean_abs_error[0]), (n_networks, k)
        assert np.array_equal(sweep.loss_history[k], solo.loss_history[0]), (n_networks, k)
    return sweep.one_first_product


def cpu_seconds(run):
    start = time.process_time()
    run()
    return time.process_time() - start


def published_seconds():
    with contextlib.redirect_stdout(io.StringIO()):  # its six printed errors
        return cpu_seconds(lambda: published_tutorial(PUBLISHED_STEPS))


def sweep_seconds(config, table, n_networks, steps):
    trainer = Trainer(config, *table, seeds=range(1, n_networks + 1))
    seconds = cpu_seconds(lambda: trainer.run(steps))
    assert trainer.steps == steps and np.isfinite(trainer.mean_abs_error).all()
    return seconds


def solo_runs_seconds(config, table, n_networks, steps):
    trainers = [Trainer(config.replace(seed=seed), *table) for seed in range(1, n_networks + 1)]
    return cpu_seconds(lambda: [trainer.run(steps) for trainer in trainers])


def paired(first, second, rounds):
    """Times of first() and second() over rounds, alternating which goes first."""
    times = ([], [])
    for round_ in range(rounds):
        order = [(0, first), (1, second)] if round_ % 2 == 0 else [(1, second), (0, first)]
        for which, run in order:
            times[which].append(run())
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    one_product = {S: check_against_solo_runs(TUTORIAL, tutorial_table(), S, 40) for S in STEPS}
    check_against_solo_runs(WIDE, wide_table(), WIDE_NETWORKS, WIDE_CHECK_STEPS)
    print("Every network of every sweep equals its solo run bit for bit. CPU time, median of "
          f"{args.rounds} alternating rounds.")

    print(f"\n3-4-1 tutorial nets against the tutorial loop as published ({PUBLISHED_STEPS:,} steps per run)")
    print(f"{'S':>5}{'steps':>8}{'network-steps/s':>17}{'published loop':>16}{'x published':>13}  first layer")
    for S, steps in STEPS.items():
        def sweep(S=S, steps=steps):
            return sweep_seconds(TUTORIAL, tutorial_table(), S, steps)

        sweep_times, published_times = paired(sweep, published_seconds, args.rounds)
        rate = S * steps / statistics.median(sweep_times)
        published_rate = PUBLISHED_STEPS / statistics.median(published_times)
        ratio = statistics.median((S * steps / s) / (PUBLISHED_STEPS / p) for s, p in zip(sweep_times, published_times))
        layout = "one product" if one_product[S] else "per network"
        note = f"  target >= {TARGET_AT_256:g}x{'' if ratio >= TARGET_AT_256 else ', missed'}" if S == 256 else ""
        print(f"{S:>5}{steps:>8,}{rate:>17,.0f}{published_rate:>16,.0f}{ratio:>13.1f}  {layout}{note}")

    print(f"\n2-16-16-1, bias, 200 rows, mini-batches of 20: {WIDE_NETWORKS} networks side by side against the same "
          f"{WIDE_NETWORKS} trained one after another ({WIDE_STEPS:,} steps each)")
    table = wide_table()
    sweep_times, solo_times = paired(lambda: sweep_seconds(WIDE, table, WIDE_NETWORKS, WIDE_STEPS),
                                     lambda: solo_runs_seconds(WIDE, table, WIDE_NETWORKS, WIDE_STEPS), args.rounds)
    work = WIDE_NETWORKS * WIDE_STEPS
    ratio = statistics.median(solo / sweep for sweep, solo in zip(sweep_times, solo_times))
    print(f"{'side by side':<16}{work / statistics.median(sweep_times):>12,.0f} network-steps/s")
    print(f"{'one at a time':<16}{work / statistics.median(solo_times):>12,.0f} network-steps/s")
    print(f"{'ratio':<16}{ratio:>12.1f}x")


if __name__ == "__main__":
    main()

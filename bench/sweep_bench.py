"""Network-steps per second of a sweep of S tutorial nets, next to the hand-written single loop.

    python bench/sweep_bench.py [--rounds 3]

Every sweep trains 3-4-1 nets full batch with history on. Large sweeps run fewer
steps (STEPS below) and are counted as S * steps network-steps, so every size does
a comparable amount of work per round.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine_bench import hand_tutorial, tutorial_table  # noqa: E402

from engine import NetworkConfig, Trainer  # noqa: E402

HAND_STEPS = 60_000
STEPS = {1: 60_000, 16: 15_000, 64: 6_000, 256: 3_000}
TARGET_AT_256 = 15.0


def sweep_seconds(n_networks, steps):
    trainer = Trainer(NetworkConfig(layer_sizes=(3, 4, 1)), *tutorial_table(), seeds=range(1, n_networks + 1))
    start = time.perf_counter()
    trainer.run(steps)
    elapsed = time.perf_counter() - start
    assert trainer.steps == steps and np.isfinite(trainer.mean_abs_error).all()
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    hand_times = {S: [] for S in STEPS}
    sweep_times = {S: [] for S in STEPS}
    for _ in range(args.rounds):
        for S, steps in STEPS.items():  # the hand loop is timed beside every size, so load drifts hit both
            start = time.perf_counter()
            hand_tutorial(HAND_STEPS)
            hand_times[S].append(time.perf_counter() - start)
            sweep_times[S].append(sweep_seconds(S, steps))
    all_hand = [t for times in hand_times.values() for t in times]
    print(f"hand-written single loop: {HAND_STEPS / statistics.median(all_hand):,.0f} steps/s "
          f"(median of {len(all_hand)} runs of {HAND_STEPS:,} steps)")
    print(f"{'S':>5}{'steps':>9}{'network-steps/s':>18}{'x hand loop':>13}")
    for S, steps in STEPS.items():
        rate = S * steps / statistics.median(sweep_times[S])
        # paired with the hand runs timed next to it, then the median over rounds
        ratio = statistics.median((S * steps / s) / (HAND_STEPS / h) for s, h in zip(sweep_times[S], hand_times[S]))
        note = f"  (target >= {TARGET_AT_256:g}x{'' if ratio >= TARGET_AT_256 else ', missed'})" if S == 256 else ""
        print(f"{S:>5}{steps:>9,}{rate:>18,.0f}{ratio:>13.1f}{note}")


if __name__ == "__main__":
    main()

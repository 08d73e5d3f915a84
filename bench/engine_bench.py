"""One network in the engine against hand-written loops: steps per second in CPU time, median of paired ratios.

    python bench/engine_bench.py [--rounds 5]

The baselines, each checked to give the engine's numbers bit for bit before it is timed:

- tutorial loop as published (the headline): Trask's 3-layer code as printed, integer
  tables, `nonlin(x, deriv)`, the error printed every 10,000 steps and nowhere else;
- tutorial loop with history: the same arithmetic on float tables, storing the mean
  |error| of every step, which is what the engine always records;
- 2-16-16-1 hand loop: biases, shuffled mini-batches of 20 of 200 rows, mean |error| of
  every step stored.

The engine runs as the app runs it, with its history (mean |error| and loss of every
step) on. Rounds alternate which side goes first, so load from other processes hits
both alike, and the ratio is the median over rounds of each round's own ratio.
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

from engine import NetworkConfig, Trainer  # noqa: E402

TUTORIAL_STEPS = 60_000
PRINT_EVERY = 10_000
WIDE_STEPS = 20_000
WIDE_ROWS, WIDE_BATCH = 200, 20


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def tutorial_table():
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
    return X, np.array([[0], [1], [1], [0]], dtype=float)


def wide_table():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, (WIDE_ROWS, 2))
    return X, (X[:, :1] * X[:, 1:] > 0).astype(float)


def nonlin(x, deriv=False):
    if deriv == True:  # noqa: E712 -- as published
        return x * (1 - x)
    return 1 / (1 + np.exp(-x))


def published_tutorial(steps):
    """Trask's 3-layer loop as published (Python 3 print, range for xrange): (syn0, syn1); prints the error."""
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
    y = np.array([[0], [1], [1], [0]])
    np.random.seed(1)
    syn0 = 2 * np.random.random((3, 4)) - 1
    syn1 = 2 * np.random.random((4, 1)) - 1
    for j in range(steps):
        l0 = X
        l1 = nonlin(np.dot(l0, syn0))
        l2 = nonlin(np.dot(l1, syn1))
        l2_error = y - l2
        if (j % 10000) == 0:
            print("Error:" + str(np.mean(np.abs(l2_error))))
        l2_delta = l2_error * nonlin(l2, deriv=True)
        l1_error = l2_delta.dot(syn1.T)
        l1_delta = l1_error * nonlin(l1, deriv=True)
        syn1 += l1.T.dot(l2_delta)
        syn0 += l0.T.dot(l1_delta)
    return syn0, syn1


def quietly(run, steps):
    """run(steps) with its printing captured: (result, printed text)."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        result = run(steps)
    return result, printed.getvalue()


def hand_tutorial(steps):
    """The tutorial's 3-4-1 arithmetic on float tables, recording the mean absolute error of every step."""
    X, y = tutorial_table()
    np.random.seed(1)
    syn0 = 2 * np.random.random((3, 4)) - 1
    syn1 = 2 * np.random.random((4, 1)) - 1
    errors = np.empty(steps)
    for j in range(steps):
        l1 = sigmoid(np.dot(X, syn0))
        l2 = sigmoid(np.dot(l1, syn1))
        l2_error = y - l2
        errors[j] = np.mean(np.abs(l2_error))
        l2_delta = l2_error * (l2 * (1 - l2))
        l1_delta = l2_delta.dot(syn1.T) * (l1 * (1 - l1))
        syn1 += l1.T.dot(l2_delta)
        syn0 += X.T.dot(l1_delta)
    return errors


def hand_wide(steps, learning_rate=0.5):
    """2-16-16-1 with biases, shuffled mini-batches, recording each batch's mean absolute error."""
    X, Y = wide_table()
    rng = np.random.RandomState(1)
    Ws = [2 * rng.random_sample(shape) - 1 for shape in ((2, 16), (16, 16), (16, 1))]
    bs = [np.zeros((1, n)) for n in (16, 16, 1)]
    errors = np.empty(steps)
    order = np.empty(0, dtype=np.intp)
    for j in range(steps):
        if len(order) < WIDE_BATCH:
            order = np.concatenate([order, rng.permutation(WIDE_ROWS)])
        batch, order = order[:WIDE_BATCH], order[WIDE_BATCH:]
        a0, y = X[batch], Y[batch]
        a1 = sigmoid(a0.dot(Ws[0]) + bs[0])
        a2 = sigmoid(a1.dot(Ws[1]) + bs[1])
        a3 = sigmoid(a2.dot(Ws[2]) + bs[2])
        error = y - a3
        errors[j] = np.mean(np.abs(error))
        delta3 = error * (a3 * (1 - a3))
        delta2 = delta3.dot(Ws[2].T) * (a2 * (1 - a2))
        delta1 = delta2.dot(Ws[1].T) * (a1 * (1 - a1))
        for W, b, a_in, delta in ((Ws[2], bs[2], a2, delta3), (Ws[1], bs[1], a1, delta2), (Ws[0], bs[0], a0, delta1)):
            W += learning_rate * a_in.T.dot(delta)
            b += learning_rate * delta.sum(axis=0, keepdims=True)
    return errors


def engine_tutorial_trainer(steps):
    trainer = Trainer(NetworkConfig(layer_sizes=(3, 4, 1), seed=1), *tutorial_table())
    trainer.run(steps)
    return trainer


def engine_tutorial(steps):
    return engine_tutorial_trainer(steps).mean_abs_error[0]


def engine_wide(steps):
    config = NetworkConfig(layer_sizes=(2, 16, 16, 1), bias=True, learning_rate=0.5, batch_size=WIDE_BATCH, seed=1)
    trainer = Trainer(config, *wide_table())
    trainer.run(steps)
    return trainer.mean_abs_error[0]


def check_published_loop(steps=2 * PRINT_EVERY + 1):
    """The published loop's weights and printed errors are the engine's, bit for bit."""
    (syn0, syn1), printed = quietly(published_tutorial, steps)
    trainer = engine_tutorial_trainer(steps)
    assert np.array_equal(syn0, trainer.W[0][0]) and np.array_equal(syn1, trainer.W[1][0])
    expected = "".join(f"Error:{trainer.mean_abs_error[0, j]}\n" for j in range(0, steps, PRINT_EVERY))
    assert printed == expected, (printed, expected)


def cpu_seconds(run, steps):
    start = time.process_time()
    quietly(run, steps)
    return time.process_time() - start


def paired(engine_run, baseline_run, steps, rounds):
    """(engine steps/s, baseline steps/s, median of per-round baseline/engine time ratios)."""
    engine_times, baseline_times = [], []
    for round_ in range(rounds):  # alternate, and swap who goes first, so a busy moment hurts both alike
        pair = [(engine_times, engine_run), (baseline_times, baseline_run)]
        for times, run in pair if round_ % 2 == 0 else pair[::-1]:
            times.append(cpu_seconds(run, steps))
    # the median of paired ratios shrugs off other processes better than a ratio of medians
    ratio = statistics.median(b / e for e, b in zip(engine_times, baseline_times))
    return steps / statistics.median(engine_times), steps / statistics.median(baseline_times), ratio


CASES = [
    # (case, baseline, steps, engine, baseline loop, target for engine/baseline)
    ("3-4-1 tutorial, full batch", "tutorial loop as published", TUTORIAL_STEPS, engine_tutorial,
     published_tutorial, 1.05),
    ("3-4-1 tutorial, full batch", "tutorial loop with history", TUTORIAL_STEPS, engine_tutorial,
     hand_tutorial, None),
    ("2-16-16-1, 200 rows, batch 20", "hand loop with history", WIDE_STEPS, engine_wide, hand_wide, 0.9),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    # the baselines do the same arithmetic, so their numbers must agree before their times mean anything
    check_published_loop()
    assert np.array_equal(engine_tutorial(2_000), hand_tutorial(2_000))
    assert np.array_equal(engine_wide(500), hand_wide(500))
    print("Engine with history on (mean |error| and loss of every step); CPU time, "
          f"median of {args.rounds} alternating rounds.")
    print(f"{'case':<31}{'baseline':<29}{'engine steps/s':>15}{'baseline':>10}{'engine/baseline':>17}{'target':>9}")
    for case, baseline, steps, engine_run, baseline_run, target in CASES:
        engine_rate, baseline_rate, ratio = paired(engine_run, baseline_run, steps, args.rounds)
        verdict = "" if target is None else f"{f'>= {target:g}':>9}{'' if ratio >= target else '  (missed)'}"
        print(f"{case:<31}{baseline:<29}{engine_rate:>15,.0f}{baseline_rate:>10,.0f}{ratio:>17.2f}{verdict}")


if __name__ == "__main__":
    main()

"""Engine against hand-written loops of the same arithmetic: steps per second, median of alternating rounds.

    python bench/engine_bench.py [--rounds 5]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import NetworkConfig, Trainer  # noqa: E402

TUTORIAL_STEPS = 60_000
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


def hand_tutorial(steps):
    """The tutorial's 3-4-1 loop, recording the mean absolute error of every step."""
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


def engine_tutorial(steps):
    trainer = Trainer(NetworkConfig(layer_sizes=(3, 4, 1), seed=1), *tutorial_table())
    trainer.run(steps)
    return trainer.mean_abs_error[0]


def engine_wide(steps):
    config = NetworkConfig(layer_sizes=(2, 16, 16, 1), bias=True, learning_rate=0.5, batch_size=WIDE_BATCH, seed=1)
    trainer = Trainer(config, *wide_table())
    trainer.run(steps)
    return trainer.mean_abs_error[0]


def seconds(run, steps):
    start = time.perf_counter()
    run(steps)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    cases = [
        ("3-4-1 tutorial, full batch", TUTORIAL_STEPS, engine_tutorial, hand_tutorial, 1.0),
        ("2-16-16-1, 200 rows, batch 20", WIDE_STEPS, engine_wide, hand_wide, 0.9),
    ]
    # the hand loops do the same arithmetic, so their numbers must agree before their times mean anything
    assert np.array_equal(engine_tutorial(2_000), hand_tutorial(2_000))
    assert np.array_equal(engine_wide(500), hand_wide(500))
    print(f"{'case':<32}{'engine steps/s':>16}{'hand steps/s':>15}{'engine/hand':>13}{'target':>9}")
    for name, steps, engine_run, hand_run, target in cases:
        engine_times, hand_times = [], []
        for round_ in range(args.rounds):  # alternate, and swap who goes first, so a busy moment hurts both alike
            pair = [(engine_times, engine_run), (hand_times, hand_run)]
            for times, run in pair if round_ % 2 == 0 else pair[::-1]:
                times.append(seconds(run, steps))
        engine_rate = steps / statistics.median(engine_times)
        hand_rate = steps / statistics.median(hand_times)
        # the median of paired ratios shrugs off other processes better than a ratio of medians
        ratio = statistics.median(h / e for e, h in zip(engine_times, hand_times))
        print(f"{name:<32}{engine_rate:>16,.0f}{hand_rate:>15,.0f}{ratio:>13.2f}{f'>= {target}':>9}"
              f"{'' if ratio >= target else '  (missed)'}")

if __name__ == "__main__":
    main()

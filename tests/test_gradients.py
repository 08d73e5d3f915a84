"""One engine step moves the weights by -learning_rate * dL/dW, with dL/dW from finite differences.

With a weight penalty the step follows L + λ Σ R(W), checked against finite differences and
against a small autograd (tests/autograd.py) that differentiates the loss as PyTorch would.

The loss and the forward pass are written again here from their formulas, not taken
from the engine: "tutorial" is 1/2 sum of squares over the batch, "mse" the mean over
rows * outputs, "bce" the mean cross-entropy.
"""

import itertools

import numpy as np
import pytest

from engine import ACTIVATIONS, LOSSES, NetworkConfig, Trainer
from tests.autograd import Tensor

STEP = 1e-5  # central differences: truncation ~STEP**2, rounding ~1e-16 / STEP
RTOL = 1e-6
KINK_MARGIN = 1e-3  # ReLU pre-activations closer to 0 than this are redrawn
LEARNING_RATE = 0.5

FORWARD = {
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "linear": lambda z: z,
}


def loss_value(name, a, y):
    if name == "tutorial":
        return 0.5 * np.sum((y - a) ** 2)
    if name == "mse":
        return np.mean((y - a) ** 2)
    assert name == "bce"
    return np.mean(-(y * np.log(a) + (1 - y) * np.log(1 - a)))


def forward(X, Ws, bs, activations):
    """Pre-activations of every layer and the output a (n_rows, n_out)."""
    a, zs = X, []
    for l, W in enumerate(Ws):
        z = a @ W + (bs[l] if bs else 0.0)
        zs.append((activations[l], z))
        a = FORWARD[activations[l]](z)
    return zs, a


def numeric_gradients(params, loss_of):
    """Central-difference dL/dp for every array in params (perturbed in place, then restored)."""
    gradients = []
    for p in params:
        g = np.zeros_like(p)
        for index in np.ndindex(p.shape):
            kept = p[index]
            p[index] = kept + STEP
            up = loss_of()
            p[index] = kept - STEP
            down = loss_of()
            p[index] = kept
            g[index] = (up - down) / (2 * STEP)
        gradients.append(g)
    return gradients


def allowed_cases():
    cases = []
    for loss, output, hidden, bias, depth in itertools.product(LOSSES, ACTIVATIONS, ACTIVATIONS, (False, True),
                                                               (0, 1, 2)):
        if depth == 0 and hidden != "sigmoid":
            continue  # no hidden layer: the hidden activation plays no part
        config = NetworkConfig(layer_sizes=(1,) * (depth + 2), hidden_activation=hidden, output_activation=output,
                               bias=bias, loss=loss)
        if not config.problems():
            cases.append((loss, output, hidden, bias, depth))
    return cases


CASES = allowed_cases()


def test_the_cases_cover_every_loss_and_activation():
    assert {c[0] for c in CASES} == set(LOSSES)
    assert {c[1] for c in CASES} == set(ACTIVATIONS)
    assert {c[2] for c in CASES if c[4]} == set(ACTIVATIONS)
    assert len(CASES) == 162


def targets(rng, output, shape):
    if output == "sigmoid":
        return rng.uniform(0.05, 0.95, shape)
    if output == "tanh":
        return rng.uniform(-0.9, 0.9, shape)
    if output == "relu":
        return rng.uniform(0.0, 2.0, shape)
    return rng.normal(size=shape)


def draw_case(case, seed):
    """A trainer on a random small table whose ReLU pre-activations keep away from the kink."""
    loss, output, hidden, bias, depth = case
    rng = np.random.RandomState(seed)
    for _ in range(200):
        sizes = (rng.randint(1, 5), *rng.randint(1, 5, size=depth), rng.randint(1, 4))
        n_rows = rng.randint(1, 7)
        X = rng.normal(size=(n_rows, sizes[0]))
        Y = targets(rng, output, (n_rows, sizes[-1]))
        config = NetworkConfig(layer_sizes=tuple(int(s) for s in sizes), hidden_activation=hidden,
                               output_activation=output, bias=bias, loss=loss, learning_rate=LEARNING_RATE,
                               seed=int(rng.randint(2**31)))
        trainer = Trainer(config, X, Y)
        for b in trainer.b:  # biases start at zero; give them something to differentiate
            b[0, 0] = rng.normal(scale=0.5, size=b.shape[-1])
        zs, _ = forward(X, trainer.weights(), trainer.biases(), config.activations)
        if all(np.abs(z).min() > KINK_MARGIN for name, z in zs if name == "relu"):
            return trainer
    raise AssertionError("no table kept the ReLU units away from their kink")


@pytest.mark.parametrize("case", CASES, ids=["-".join(map(str, c)) for c in CASES])
@pytest.mark.parametrize("seed", [0, 1])
def test_step_follows_the_finite_difference_gradient(case, seed):
    trainer = draw_case(case, seed + 100 * CASES.index(case))
    config = trainer.config
    Ws, bs = trainer.weights(), trainer.biases()
    X, Y = trainer.X.copy(), trainer.Y.copy()

    def loss_of():
        return loss_value(config.loss, forward(X, Ws, bs, config.activations)[1], Y)

    expected_loss = loss_of()
    numeric = numeric_gradients(Ws + bs, loss_of)
    trainer.step()
    assert trainer.loss_history[0, 0] == pytest.approx(expected_loss, rel=1e-12, abs=1e-15)
    moved = [(after - before) / LEARNING_RATE
             for after, before in zip(trainer.weights() + trainer.biases(), Ws + bs)]
    for layer, (step_direction, dL_dp) in enumerate(zip(moved, numeric)):
        size = max(np.linalg.norm(dL_dp), np.linalg.norm(step_direction))
        error = np.linalg.norm(step_direction + dL_dp)
        assert error <= RTOL * size + 1e-12, (layer, error, size)


# -- with a weight penalty: the step follows L + λ Σ R(W), biases left out -------------------------------

PENALTY = {"l1": lambda W: np.sum(np.abs(W)), "l2": lambda W: 0.5 * np.sum(W * W)}
PENALTY_RATE = 0.03
PENALIZED = [(case, name) for case in CASES[::9] for name in PENALTY]


def penalized_case(case, name, seed):
    trainer = draw_case(case, seed + 100 * CASES.index(case))
    config = trainer.config.replace(regularization=name, regularization_rate=PENALTY_RATE)
    penalized = Trainer(config, trainer.X, trainer.Y)
    for mine, theirs in zip(penalized.b, trainer.b):
        mine[...] = theirs
    return penalized


def step_directions(trainer):
    """(before, -(after - before) / learning_rate) of every weight matrix and bias vector for one step."""
    before = trainer.weights() + trainer.biases()
    trainer.step()
    after = trainer.weights() + trainer.biases()
    return before, [(b - a) / LEARNING_RATE for a, b in zip(after, before)]


def assert_same_direction(engine_gradient, reference, rtol):
    for layer, (mine, theirs) in enumerate(zip(engine_gradient, reference, strict=True)):
        size = max(np.linalg.norm(mine), np.linalg.norm(theirs))
        assert np.linalg.norm(mine - theirs) <= rtol * size + 1e-12, layer


@pytest.mark.parametrize(("case", "name"), PENALIZED, ids=[f"{'-'.join(map(str, c))}-{n}" for c, n in PENALIZED])
@pytest.mark.parametrize("seed", [0, 1])
def test_a_penalised_step_follows_the_finite_difference_gradient(case, name, seed):
    trainer = penalized_case(case, name, seed)
    config = trainer.config
    Ws, bs = trainer.weights(), trainer.biases()
    X, Y = trainer.X.copy(), trainer.Y.copy()

    def loss_of():
        data = loss_value(config.loss, forward(X, Ws, bs, config.activations)[1], Y)
        return data + PENALTY_RATE * sum(PENALTY[name](W) for W in Ws)  # the biases carry no penalty

    numeric = numeric_gradients(Ws + bs, loss_of)
    _, moved = step_directions(trainer)
    assert_same_direction(moved, numeric, RTOL)
    # the curve shows the data loss alone, so runs with and without a penalty compare on one scale
    data_loss = loss_value(config.loss, forward(X, Ws, bs, config.activations)[1], Y)
    assert trainer.loss_history[0, 0] == pytest.approx(data_loss, rel=1e-12, abs=1e-15)


AUTOGRAD_FORWARD = {"sigmoid": Tensor.sigmoid, "tanh": Tensor.tanh, "relu": Tensor.relu, "linear": lambda t: t}


def autograd_loss(name, a, y):
    if name == "tutorial":
        return ((y - a) * (y - a)).sum() * 0.5
    if name == "mse":
        return ((y - a) * (y - a)).mean()
    return ((a.log() * y + (1 - a).log() * (1 - y)) * -1.0).mean()


@pytest.mark.parametrize(("case", "name"), PENALIZED, ids=[f"{'-'.join(map(str, c))}-{n}" for c, n in PENALIZED])
def test_a_penalised_step_is_minus_the_autograd_gradient(case, name):
    """The loss built from tensors and differentiated by backward(), as one would write it in PyTorch."""
    trainer = penalized_case(case, name, 5)
    config = trainer.config
    params = [Tensor(p) for p in trainer.weights() + trainer.biases()]
    Ws, bs = params[:len(trainer.W)], params[len(trainer.W):]
    a = Tensor(trainer.X)
    for l, W in enumerate(Ws):
        z = a @ W + (bs[l] if bs else 0.0)
        a = AUTOGRAD_FORWARD[config.activations[l]](z)
    penalty = {"l1": lambda W: W.abs().sum(), "l2": lambda W: (W * W).sum() * 0.5}[name]
    total = autograd_loss(config.loss, a, Tensor(trainer.Y))
    for W in Ws:
        total = total + penalty(W) * PENALTY_RATE
    total.backward()
    _, moved = step_directions(trainer)
    assert_same_direction(moved, [p.grad for p in params], 1e-10)


def test_without_a_penalty_or_at_rate_0_the_step_is_bit_for_bit_the_plain_one():
    trainer = draw_case(CASES[40], 3)
    plain = Trainer(trainer.config, trainer.X, trainer.Y)
    plain.run(50)
    for name, rate in (("none", 0.1), ("l1", 0.0), ("l2", 0.0)):
        other = Trainer(trainer.config.replace(regularization=name, regularization_rate=rate), trainer.X, trainer.Y)
        assert not other.config.penalized
        other.run(50)
        for x, y in zip(other.W + other.b, plain.W + plain.b):
            assert np.array_equal(x, y)
    penalized = Trainer(trainer.config.replace(regularization="l2", regularization_rate=0.1), trainer.X, trainer.Y)
    penalized.run(50)
    assert not np.array_equal(penalized.W[0], plain.W[0])

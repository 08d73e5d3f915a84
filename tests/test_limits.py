"""The work budget: one rule turns 'about two seconds of a core' into steps for each network."""

import numpy as np
import pytest

from engine import NetworkConfig, Trainer
from engine.presets import PRESETS, build_trainer
from ui import limits


def trainer(layer_sizes, rows, networks=1, batch_size=0, bias=True):
    rng = np.random.default_rng(0)
    X, Y = rng.random((rows, layer_sizes[0])), rng.random((rows, layer_sizes[-1]))
    return Trainer(NetworkConfig(layer_sizes=layer_sizes, bias=bias, batch_size=batch_size), X, Y,
                   seeds=range(networks))


LARGEST = (limits.MAX_COLUMNS - 1,) + (limits.MAX_NEURONS,) * limits.MAX_HIDDEN_LAYERS + (1,)


@pytest.mark.parametrize("key", list(PRESETS))
def test_every_tutorial_runs_its_own_step_count_in_one_click(key):
    net, _ = build_trainer(PRESETS[key])
    assert limits.steps_within_budget(net, PRESETS[key].steps) == PRESETS[key].steps


def test_the_largest_network_gets_proportionally_fewer_steps():
    small = limits.steps_within_budget(trainer((3, 4, 1), 4, bias=False), 10**9)  # Trask's net
    large = limits.steps_within_budget(trainer(LARGEST, limits.MAX_ROWS), 10**9)
    assert 60_000 <= small and 1 <= large < small // 20
    cost = limits.step_seconds(LARGEST, limits.MAX_ROWS, bias=True)
    assert large * cost <= limits.CLICK_SECONDS < (large + 1) * cost


def test_more_rows_neurons_or_networks_never_buy_more_steps():
    budgets = [limits.steps_within_budget(trainer(sizes, rows, networks), 10**9)
               for sizes, rows, networks in [((3, 4, 1), 4, 1), ((3, 4, 1), 40, 1), ((3, 16, 1), 40, 1),
                                              ((3, 16, 1), 40, 16), ((3, 16, 16, 1), 40, 16), (LARGEST, 500, 256)]]
    assert budgets == sorted(budgets, reverse=True) and budgets[-1] >= 1


def test_a_mini_batch_costs_its_batch_rows_and_its_shuffles():
    full = limits.steps_within_budget(trainer(LARGEST, 500), 10**9)
    one_row = limits.steps_within_budget(trainer(LARGEST, 500, batch_size=1), 10**9)
    assert one_row > 5 * full
    assert limits.step_seconds(LARGEST, 1, mini_batch=True) > limits.step_seconds(LARGEST, 1)


def test_a_request_within_the_budget_is_granted_whole():
    assert limits.steps_within_budget(trainer((3, 4, 1), 4), 0) == 0
    assert 1 <= limits.steps_within_budget(trainer(LARGEST, 500, networks=256), 10**6) < 10
    assert limits.steps_within_budget(trainer((3, 4, 1), 4), 1234) == 1234

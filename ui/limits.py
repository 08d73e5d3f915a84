"""Limits for a shared server, chosen so one interaction holds a core for about two seconds.

Every click that asks for training (Step, Run, Run to, Run all seeds) and every link that
is opened gets at most CLICK_SECONDS of modelled work: steps_within_budget turns that into a
number of steps for the network at hand, so the tutorials' 3-4-1 net still runs its 60,000
steps while six layers of 16 on 500 rows run about 1,000. The model is fixed numbers, not a
clock, so a link replays to the same step (and the same weights) on any machine.
"""

MAX_ROWS = 500
MAX_COLUMNS = 12
MAX_HIDDEN_LAYERS = 6
MAX_NEURONS = 16
MAX_TOTAL_STEPS = 1_000_000  # history of one network: two float arrays of this length
MAX_SEEDS = 256
MAX_SWEEP_STEPS = 100_000
MAX_SWEEP_NETWORK_STEPS = 2_000_000  # seeds x steps: two floats of history each, 32 MB at most (half with test rows)
# What a sweep holds (tests/test_state.py measures it): its history, reserved for its own steps and no
# more, weights and random states. Its slices train in worker processes, so its Trainer never makes the
# engine's per-step work buffers. 256 single neurons at the network-step limit hold 33 MB; 256 networks
# of six layers of 16 on 500 rows hold 4 MB.
MAX_SWEEP_BYTES = 48_000_000
MAX_UPLOAD_BYTES = 1_000_000
MAX_QUERY_CHARS = 20_000  # longer query strings are ignored with a warning
MAX_CELL_CHARS = 40
MAX_NAME_CHARS = 30
MIN_LEARNING_RATE = 1e-6
MAX_LEARNING_RATE = 1e4
MAX_REGULARIZATION_RATE = 10.0  # a penalty rate beyond this only pins every weight at 0
MAX_TEST_SHARE = 0.9  # of the rows held out for testing; the rest (at least one) trains
MIN_POINTS = 4  # of a generated data set, so a split leaves rows on both sides
MAX_WEIGHT_EDITS = 100  # weights typed in by hand in one run (each one travels in the link)
MAX_WEIGHT_VALUE = 1e3  # a weight typed in by hand; larger ones only saturate or overflow
SECONDS_PER_CALL = 0.1  # training per advance_live/advance_sweep call made by hand (tests, benchmarks)
REDRAW_INTERVAL_SECONDS = 0.15  # how often a running page redraws; training goes on in between (ui.live)

# What one training step costs, fitted to steps timed on the 2-core server (bench/limits_bench.py
# prints measured CPU seconds next to this model; a single network's steps come within 0.5-1.6x).
# At widths of 16 or less a step's time follows NumPy's fixed cost per call and the rows times
# the neurons they pass through (activations and slopes are elementwise), not rows x weights.
# Modelled seconds of one core that one click or one opened link may use: with what the model leaves
# out (slicing, snapshots, the replay's bookkeeping) an interaction measures about 2 s of CPU.
CLICK_SECONDS = 1.6
SECONDS_PER_LAYER = 11e-6  # NumPy calls per layer per step, shared by a stack of networks
SECONDS_PER_BIAS_LAYER = 9e-6  # biases add calls to every layer
SECONDS_PER_NETWORK_LAYER = 0.4e-6  # each network of a stack adds this per layer
SECONDS_PER_WEIGHT = 3e-9  # the update of each weight
SECONDS_PER_ROW_NEURON = 28e-9  # each row through each neuron, forward and back
# A stack whose layer arrays (networks x rows x neurons) outgrow the CPU's caches pays more per row
# and neuron: measured 2.1-2.7x the above for 8 to 256 networks of six layers of 16 on 500 rows.
SECONDS_PER_ROW_NEURON_LARGE_STACK = 65e-9
LARGE_STACK_VALUES = 32_768  # networks x rows x widest layer above which a stack counts as large
SECONDS_PER_SAMPLED_ROW = 80e-9  # mini-batches: copying each row of the batch
SECONDS_PER_SHUFFLE = 6e-6  # mini-batches: a network's share of reshuffling the rows, per step


def step_seconds(layer_sizes, rows, networks=1, mini_batch=False, bias=False):
    """Modelled seconds of one core for one step of `networks` stacked networks, `rows` rows per update."""
    layers = len(layer_sizes) - 1
    weights = sum(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))
    neurons = sum(layer_sizes[1:])
    large = networks > 1 and networks * rows * max(layer_sizes[1:]) > LARGE_STACK_VALUES
    per_network = (layers * SECONDS_PER_NETWORK_LAYER + weights * SECONDS_PER_WEIGHT
                   + rows * neurons * (SECONDS_PER_ROW_NEURON_LARGE_STACK if large else SECONDS_PER_ROW_NEURON))
    if mini_batch:
        per_network += rows * SECONDS_PER_SAMPLED_ROW + SECONDS_PER_SHUFFLE
    return layers * (SECONDS_PER_LAYER + bias * SECONDS_PER_BIAS_LAYER) + networks * per_network


def steps_within_budget(trainer, wanted):
    """How many of `wanted` more steps of every network of `trainer` fit in one click's budget (>= 1 if wanted)."""
    config = trainer.config
    cost = step_seconds(config.layer_sizes, trainer.batch_rows, trainer.n_networks, not trainer.full_batch,
                        config.bias)
    return max(0, min(int(wanted), max(1, int(CLICK_SECONDS / cost))))

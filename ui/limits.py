"""Limits for a shared server, chosen so one interaction holds a core for ~2 s at most.

Measured on a 2-core machine: the 3-4-1 tutorial net trains ~60,000 steps/s; a
500-row table with six hidden layers of 16 neurons ~3,000 steps/s. Training is
sliced into short ticks, so these bound work per click, not what a user can reach.
"""

MAX_ROWS = 500
MAX_COLUMNS = 12
MAX_HIDDEN_LAYERS = 6
MAX_NEURONS = 16
MAX_TOTAL_STEPS = 1_000_000  # history of one network: two float arrays of this length
MAX_STEPS_PER_CLICK = 100_000  # Run to N and Step xN ask for at most this many at once
MAX_LINK_STEPS = 100_000  # a shared link replays at most this many steps when opened (~1.5 s)
MAX_SEEDS = 256
MAX_SWEEP_STEPS = 100_000
MAX_SWEEP_NETWORK_STEPS = 2_000_000  # seeds x steps: the sweep's history stays under ~32 MB
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

# A step's cost grows with rows x weights; this bounds one tick's slice of work.
WORK_PER_TICK = 4_000_000  # (rows * weights) per tick, ~0.15 s on the slowest allowed table


def steps_per_tick(n_rows, n_weights, n_networks=1):
    """How many steps one live tick may run: small nets run many, big ones few (>= 1)."""
    per_step = max(1, n_rows * n_weights * n_networks)
    return int(max(1, min(5_000, WORK_PER_TICK // per_step)))

"""Save a Trainer (and its Scaler) as JSON text, and load it back exactly.

Only the `json` module reads the text, and every value is checked before it reaches
the Trainer: a file from anywhere may be wrong, and the message says what is wrong.
Floats are written with repr, which reads back to the same bits, so a loaded network
continues training exactly like the one that was saved.
"""

import json
import math
from types import MappingProxyType

import numpy as np

from .network import NetworkConfig, Trainer
from .scaling import Scaler

FORMAT = "backprop-playground-network"
VERSION = 1
MAX_DEPTH = 12  # the deepest list in a saved network is 5 levels inside the top object

_CONFIG_TYPES = MappingProxyType({
    "layer_sizes": list, "hidden_activation": str, "output_activation": str, "bias": bool,
    "init": str, "loss": str, "learning_rate": (int, float), "batch_size": int, "seed": int,
})
# Added after the format's first files: a file without them has no weight penalty.
_OPTIONAL_CONFIG_TYPES = MappingProxyType({"regularization": str, "regularization_rate": (int, float)})
_TRAINER_KEYS = ("config", "seeds", "learning_rates", "steps", "weights", "biases", "diverged_at",
                 "pending_rows", "rng_states", "X", "Y")
_HISTORY_KEYS = ("mean_abs_error", "loss_history")
_TEST_KEYS = ("X_test", "Y_test")  # rows held out, in files of networks that had them
_TEST_HISTORY_KEYS = ("test_mean_abs_error", "test_loss_history")
_MT_KEYS = 624  # words in a Mersenne Twister state


def to_json(trainer, scaler=None, include_history=False):
    """JSON text holding everything needed to continue trainer exactly (and scaler, if given)."""
    state = trainer.state_dict(include_history=include_history)
    for key in _HISTORY_KEYS + _TEST_HISTORY_KEYS:
        if key in state:  # a stopped network's history is NaN, which JSON cannot hold: write null
            state[key] = [[v if math.isfinite(v) else None for v in row] for row in state[key]]
    document = {"format": FORMAT, "version": VERSION, "trainer": state,
                "scaler": None if scaler is None else scaler.to_dict()}
    return json.dumps(document, allow_nan=False, separators=(",", ":"))


def from_json(text, acceptable=None):
    """(Trainer, Scaler or None) from text written by to_json; ValueError saying what is wrong otherwise.

    acceptable(config, steps, n_networks) -> [reasons] lets the caller refuse a file by its
    settings and size before any of its arrays or history are allocated.
    """
    if not isinstance(text, (str, bytes, bytearray)):
        raise ValueError("a saved network must be JSON text")
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise ValueError(f"the file is nested too deeply (more than {MAX_DEPTH} levels)") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"the file is not valid JSON: {error}") from None
    _check_depth(document)
    document = _object(document, "the file")
    if document.get("format") != FORMAT:
        raise ValueError(f"the file is not a saved network (format should be {FORMAT!r})")
    if document.get("version") != VERSION:
        raise ValueError(f"version {document.get('version')!r} of the format is not supported (expected {VERSION})")
    _require(document, ("trainer", "scaler"), "the file")
    state = _checked_state(_object(document["trainer"], "trainer"), acceptable)
    try:
        trainer = Trainer.from_state_dict(state)
    except (KeyError, TypeError, IndexError) as error:
        raise ValueError(f"the saved network does not fit together: {error}") from None
    scaler = None
    if document["scaler"] is not None:
        scaler = _checked_scaler(_object(document["scaler"], "scaler"), trainer.config.layer_sizes)
    return trainer, scaler


# -- checks -------------------------------------------------------------------------


def _reject_constant(name):
    raise ValueError(f"the file contains {name}; every number must be finite")


def _check_depth(value):
    """Refuse lists and objects nested deeper than MAX_DEPTH (iteratively, no recursion)."""
    pending = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise ValueError(f"the file is nested too deeply (more than {MAX_DEPTH} levels)")
        if isinstance(item, dict):
            pending.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list) and item and isinstance(item[0], (list, dict)):
            pending.extend((v, depth + 1) for v in item)


def _object(value, what):
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be an object with named fields")
    return value


def _require(d, keys, what):
    missing = [k for k in keys if k not in d]
    if missing:
        raise ValueError(f"{what} is missing {', '.join(missing)}")


def _is_number(v, whole=False):
    # bool is a subclass of int, but true/false in a table of numbers is a mistake
    if isinstance(v, bool):
        return False
    return isinstance(v, int) if whole else isinstance(v, (int, float))


def _array(value, what, shape, whole=False, allow_null=False):
    """Nested lists of numbers -> ndarray of the given shape (None in shape: any length)."""
    def walk(item, depth):
        if depth == len(shape):
            if allow_null and item is None:
                return
            if not _is_number(item, whole):
                kind = "whole numbers" if whole else "numbers"
                raise ValueError(f"{what} must contain only {kind}, found {json.dumps(item)[:40]}")
            return
        if not isinstance(item, list):
            raise ValueError(f"{what} must be a list nested {len(shape)} deep, found {json.dumps(item)[:40]}")
        for entry in item:
            walk(entry, depth + 1)

    walk(value, 0)
    try:
        array = np.array(_nulls_to_nan(value) if allow_null else value, dtype=np.int64 if whole else np.float64)
    except (ValueError, OverflowError):
        raise ValueError(f"{what} is not a rectangular table of numbers in range") from None
    if array.ndim != len(shape) or any(n is not None and n != m for n, m in zip(shape, array.shape)):
        raise ValueError(f"{what} has shape {array.shape}, expected {_shape_text(shape)}")
    if not whole and not (~np.isinf(array) if allow_null else np.isfinite(array)).all():
        raise ValueError(f"{what} must contain only finite numbers")
    return array


def _nulls_to_nan(value):
    if isinstance(value, list):
        return [_nulls_to_nan(v) for v in value]
    return np.nan if value is None else value


def _shape_text(shape):
    return "(" + ", ".join("any" if n is None else str(n) for n in shape) + ")"


def _checked_config(d):
    _require(d, tuple(_CONFIG_TYPES), "config")
    for key, kind in {**_CONFIG_TYPES, **_OPTIONAL_CONFIG_TYPES}.items():
        if key not in d:
            continue
        value = d[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)) \
                or (key in ("learning_rate", "regularization_rate") and isinstance(value, bool)):
            raise ValueError(f"config {key} has the wrong type: {json.dumps(value)[:40]}")
    sizes = _array(d["layer_sizes"], "config layer_sizes", (None,), whole=True)
    for key in ("learning_rate", "regularization_rate"):
        if not math.isfinite(d.get(key, 0.0)):
            raise ValueError(f"config {key} must be a finite number")
    config = NetworkConfig.from_dict({**d, "layer_sizes": sizes.tolist()})
    problems = config.problems()
    if problems:
        raise ValueError("config: " + "; ".join(problems))
    return config


def _checked_state(d, acceptable=None):
    """A validated copy of Trainer.state_dict() output, ready for Trainer.from_state_dict."""
    _require(d, _TRAINER_KEYS, "trainer")
    unknown = set(d) - set(_TRAINER_KEYS) - set(_HISTORY_KEYS) - set(_TEST_KEYS) - set(_TEST_HISTORY_KEYS)
    if unknown:
        raise ValueError(f"trainer has unknown fields: {', '.join(sorted(unknown))}")
    config = _checked_config(_object(d["config"], "config"))
    sizes = config.layer_sizes
    X = _array(d["X"], "X", (None, sizes[0]))
    n_rows = len(X)
    Y = _array(d["Y"], "Y", (n_rows, sizes[-1]))
    seeds = _array(d["seeds"], "seeds", (None,), whole=True)
    S = len(seeds)
    if S == 0 or (seeds < 0).any() or (seeds >= 2**32).any():
        raise ValueError("seeds must be a non-empty list of whole numbers from 0 to 4294967295")
    rates = _array(d["learning_rates"], "learning_rates", (S,))
    if (rates <= 0).any():
        raise ValueError("learning_rates must be positive")
    steps = d["steps"]
    if not _is_number(steps, whole=True) or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, found {json.dumps(steps)[:40]}")
    if acceptable is not None and (reasons := acceptable(config, steps, S)):
        raise ValueError("; ".join(reasons))
    layers = list(zip(sizes[:-1], sizes[1:]))
    weights = d["weights"]
    if not isinstance(weights, list) or len(weights) != len(layers):
        raise ValueError(f"weights must be a list of {len(layers)} layers")
    weights = [_array(W, f"weights of layer {l + 1}", (S, n_in, n_out)) for l, (W, (n_in, n_out))
               in enumerate(zip(weights, layers))]
    biases = d["biases"]
    n_bias_layers = len(layers) if config.bias else 0
    if not isinstance(biases, list) or len(biases) != n_bias_layers:
        raise ValueError(f"biases must be a list of {n_bias_layers} layers (bias is {'on' if config.bias else 'off'})")
    biases = [_array(b, f"biases of layer {l + 1}", (S, n_out))
              for l, (b, (_, n_out)) in enumerate(zip(biases, layers))]
    diverged_at = _array(d["diverged_at"], "diverged_at", (S,), whole=True)
    if (diverged_at < -1).any() or (diverged_at > steps).any():
        raise ValueError("diverged_at must be -1 (healthy) or a step already taken")
    pending = _array(d["pending_rows"], "pending_rows", (S, None), whole=True)
    if pending.size and (pending.min() < 0 or pending.max() >= n_rows):
        raise ValueError("pending_rows refers to rows the table does not have")
    rng_states = d["rng_states"]
    if not isinstance(rng_states, list) or len(rng_states) != S:
        raise ValueError(f"rng_states must hold one random state per network ({S})")
    state = {
        "config": config.to_dict(), "seeds": seeds.tolist(), "learning_rates": rates.tolist(), "steps": steps,
        "weights": weights, "biases": biases, "diverged_at": diverged_at.tolist(), "pending_rows": pending.tolist(),
        "rng_states": [_checked_rng_state(r, k) for k, r in enumerate(rng_states)], "X": X, "Y": Y,
    }
    tested = [k for k in _TEST_KEYS if k in d]
    if len(tested) == 1:
        raise ValueError(f"test rows need both {' and '.join(_TEST_KEYS)}, found only {tested[0]}")
    if tested:
        state["X_test"] = _array(d["X_test"], "X_test", (None, sizes[0]))
        n_test = len(state["X_test"])
        state["Y_test"] = _array(d["Y_test"], "Y_test", (n_test, sizes[-1]))
        if n_test == 0:
            raise ValueError("X_test must hold at least one row")
    for keys in (_HISTORY_KEYS, _TEST_HISTORY_KEYS):
        present = [k for k in keys if k in d]
        if len(present) == 1:
            raise ValueError(f"history needs both {' and '.join(keys)}, found only {present[0]}")
        if present and keys is _TEST_HISTORY_KEYS and not tested:
            raise ValueError("a test history needs the test rows X_test and Y_test")
        for key in present:
            state[key] = _array(d[key], key, (S, steps), allow_null=True)
    return state


def _checked_rng_state(plain, k):
    what = f"random state of network {k + 1}"
    if not isinstance(plain, list) or len(plain) != 5:
        raise ValueError(f"{what} must be [name, keys, position, has_gauss, cached_gauss]")
    name, keys, position, has_gauss, cached = plain
    if name != "MT19937":
        raise ValueError(f"{what} must be an MT19937 state")
    keys = _array(keys, f"{what} keys", (_MT_KEYS,), whole=True)
    if (keys < 0).any() or (keys >= 2**32).any():
        raise ValueError(f"{what} keys must be 32-bit whole numbers")
    if not _is_number(position, whole=True) or not 0 <= position <= _MT_KEYS:
        raise ValueError(f"{what} position must be a whole number from 0 to {_MT_KEYS}")
    if has_gauss not in (0, 1) or isinstance(has_gauss, bool):
        raise ValueError(f"{what} has_gauss must be 0 or 1")
    if not _is_number(cached) or not math.isfinite(cached):
        raise ValueError(f"{what} cached_gauss must be a finite number")
    return [name, keys.tolist(), position, has_gauss, float(cached)]


def _checked_scaler(d, sizes):
    _require(d, ("in_offset", "in_scale", "out_offset", "out_scale"), "scaler")
    checked = {}
    for key, n in (("in_offset", sizes[0]), ("in_scale", sizes[0]), ("out_offset", sizes[-1]),
                   ("out_scale", sizes[-1])):
        checked[key] = _array(d[key], f"scaler {key}", (n,))
        if key.endswith("scale") and (checked[key] == 0).any():
            raise ValueError(f"scaler {key} must not contain 0 (it divides)")
    return Scaler.from_dict(checked)

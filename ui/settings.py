"""Every choice a visitor makes in the sidebar and on the Data page, as one frozen value.

The network's own choices (activations, bias, initialisation, loss, learning rate, batch
size, seed, weight penalty) are NetworkConfig's fields under the same names; NETWORK_FIELDS
lists them once, and every copy between the two goes through it. DATA_FIELDS name a
generated data set; when `dataset` is "", the table is the preset's or the visitor's own.
"""

import math
from dataclasses import dataclass, fields

from engine import NetworkConfig
from engine.datasets import DATASETS, MAX_NOISE
from engine.features import FEATURES
from engine.presets import PRESETS
from ui import limits

DEFAULT_PRESET = "trask-3-layer"

# NetworkConfig's fields that Settings holds under the same name (layer_sizes also needs the table).
NETWORK_FIELDS = tuple(f.name for f in fields(NetworkConfig) if f.name != "layer_sizes")
SCALING_FIELDS = ("input_scaling", "output_scaling", "input_divisor", "output_divisor")
DATA_FIELDS = ("dataset", "points", "noise", "data_seed")
VIEW_FIELDS = ("discretize",)  # how results are drawn: changing them never touches the network


def network_fields(config):
    """{name: value} of NETWORK_FIELDS read from a NetworkConfig."""
    return {name: getattr(config, name) for name in NETWORK_FIELDS}


@dataclass(frozen=True)
class Settings:
    """Every choice in the sidebar; the vocabulary of names comes from the engine's registries."""

    preset: str = DEFAULT_PRESET
    hidden: tuple = (4,)  # neurons in each hidden layer
    hidden_activation: str = "sigmoid"
    output_activation: str = "sigmoid"
    bias: bool = False
    init: str = "uniform"
    loss: str = "tutorial"
    learning_rate: float = 1.0
    batch_size: int = 0  # 0 = full batch, 1 = one row at a time
    seed: int = 1
    input_scaling: str = "none"
    output_scaling: str = "none"
    input_divisor: float = 1.0
    output_divisor: float = 1.0
    regularization: str = "none"  # a penalty on the weights (engine.regularizers), at regularization_rate
    regularization_rate: float = 0.0
    features: tuple = ()  # derived inputs (engine.features), in the registry's order
    test_share: float = 0.0  # of the table's rows held out for testing, drawn from split_seed
    split_seed: int = 1
    dataset: str = ""  # a generated set (engine.datasets) the table was drawn from, or ""
    points: int = 200
    noise: float = 0.1
    data_seed: int = 1
    discretize: bool = False  # the output map in two colours, split at the middle of the targets' range

    def __post_init__(self):
        # one order whatever order the toggles were switched on in, so equal choices are equal settings
        object.__setattr__(self, "features", tuple(name for name in FEATURES if name in self.features)
                           + tuple(name for name in self.features if name not in FEATURES))

    @classmethod
    def from_preset(cls, key):
        p = PRESETS[key]
        return cls(preset=key, hidden=p.hidden, **network_fields(p.config),
                   **{name: getattr(p, name) for name in SCALING_FIELDS})

    def network_config(self, n_in, n_out):
        """The engine's NetworkConfig for a table with n_in inputs and n_out outputs."""
        return NetworkConfig(layer_sizes=(n_in, *self.hidden, n_out),
                             **{name: getattr(self, name) for name in NETWORK_FIELDS})

    def starting_point(self):
        """What decides the starting weights and the data: changing any of it re-initialises."""
        return tuple((f.name, getattr(self, f.name)) for f in fields(self)
                     if f.name not in ("learning_rate", "preset", *VIEW_FIELDS))

    def data(self):
        """(dataset, points, noise, data_seed) of the generated set, or None when the table is not one."""
        return tuple(getattr(self, name) for name in DATA_FIELDS) if self.dataset else None

    def problems(self):
        """Plain-language reasons these settings cannot be used ([] if none)."""
        found = []
        if len(self.hidden) > limits.MAX_HIDDEN_LAYERS:
            found.append(f"at most {limits.MAX_HIDDEN_LAYERS} hidden layers")
        if any(not 1 <= n <= limits.MAX_NEURONS for n in self.hidden):
            found.append(f"each hidden layer needs 1 to {limits.MAX_NEURONS} neurons")
        if not limits.MIN_LEARNING_RATE <= self.learning_rate <= limits.MAX_LEARNING_RATE:
            found.append(f"learning rate must be between {limits.MIN_LEARNING_RATE:g} and {limits.MAX_LEARNING_RATE:g}")
        if not 0 <= self.batch_size <= limits.MAX_ROWS:
            found.append(f"rows per update must be 0 (all rows) to {limits.MAX_ROWS}")
        if not 0 <= self.regularization_rate <= limits.MAX_REGULARIZATION_RATE:
            found.append(f"the regularization rate must be between 0 and {limits.MAX_REGULARIZATION_RATE:g}")
        if unknown := [name for name in self.features if name not in FEATURES]:
            found.append(f"unknown input feature {unknown[0]!r}")
        if not 0 <= self.test_share <= limits.MAX_TEST_SHARE:
            found.append(f"the test share must be between 0 and {limits.MAX_TEST_SHARE:g}")
        if self.dataset and self.dataset not in DATASETS:
            found.append(f"unknown data set {self.dataset!r}")
        if not limits.MIN_POINTS <= self.points <= limits.MAX_ROWS:
            found.append(f"a generated data set has {limits.MIN_POINTS} to {limits.MAX_ROWS} points")
        if not 0 <= self.noise <= MAX_NOISE:
            found.append(f"noise must be between 0 and {MAX_NOISE:g}")
        for name in ("split_seed", "data_seed"):
            if not 0 <= getattr(self, name) < 2**32:
                found.append(f"the {name.replace('_', ' ')} must be between 0 and {2**32 - 1}")
        for side in ("input", "output"):
            if getattr(self, f"{side}_scaling") == "divide" and not _usable_divisor(getattr(self, f"{side}_divisor")):
                found.append(f"the {side} divisor must be a non-zero number")
        found += self.network_config(1, 1).problems()
        return found


def _usable_divisor(value):
    return math.isfinite(value) and value != 0 and abs(value) <= 1e9

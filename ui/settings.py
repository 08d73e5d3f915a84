"""Every choice a visitor makes in the sidebar, as one frozen value.

The network's own choices (activations, bias, initialisation, loss, learning rate, batch
size, seed) are NetworkConfig's fields under the same names; NETWORK_FIELDS lists them once,
and every copy between the two goes through it.
"""

import math
from dataclasses import dataclass, fields

from engine import NetworkConfig
from engine.presets import PRESETS
from ui import limits

DEFAULT_PRESET = "trask-3-layer"

# NetworkConfig's fields that Settings holds under the same name (layer_sizes also needs the table).
NETWORK_FIELDS = tuple(f.name for f in fields(NetworkConfig) if f.name != "layer_sizes")
SCALING_FIELDS = ("input_scaling", "output_scaling", "input_divisor", "output_divisor")


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
        return tuple((f.name, getattr(self, f.name)) for f in fields(self) if f.name not in ("learning_rate", "preset"))

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
        for side in ("input", "output"):
            if getattr(self, f"{side}_scaling") == "divide" and not _usable_divisor(getattr(self, f"{side}_divisor")):
                found.append(f"the {side} divisor must be a non-zero number")
        found += self.network_config(1, 1).problems()
        return found


def _usable_divisor(value):
    return math.isfinite(value) and value != 0 and abs(value) <= 1e9

"""Pure-NumPy engine of Backprop Playground: small networks, trained the tutorials' way."""

from .activations import ACTIVATIONS, Activation
from .initializers import INITIALIZERS, Initializer
from .losses import LOSSES, Loss
from .network import NetworkConfig, RunReport, Trainer
from .regularizers import REGULARIZERS, Regularizer
from .scaling import SCALINGS, Scaler, fit_scaler

__all__ = (
    "ACTIVATIONS", "Activation", "INITIALIZERS", "Initializer", "LOSSES", "Loss",
    "NetworkConfig", "RunReport", "Trainer", "REGULARIZERS", "Regularizer", "SCALINGS", "Scaler", "fit_scaler",
)

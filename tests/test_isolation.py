"""Sessions share modules, so no module may hold state one visitor could change for another."""

import importlib
import pkgutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = [f"engine.{m.name}" for m in pkgutil.iter_modules([str(ROOT / "engine")]) if m.name != "__main__"]
MODULES += [f"ui.{m.name}" for m in pkgutil.iter_modules([str(ROOT / "ui")])]
MUTABLE = (dict, list, set, bytearray)


@pytest.mark.parametrize("name", ["engine", *MODULES])
def test_module_level_values_are_immutable(name):
    module = importlib.import_module(name)
    mutable = [key for key, value in vars(module).items()
               if not key.startswith("__") and isinstance(value, MUTABLE)]
    assert mutable == [], f"{name} holds mutable module-level values: {mutable}"


def test_registries_cannot_be_changed():
    from engine import ACTIVATIONS
    from engine.presets import PRESETS

    with pytest.raises(TypeError):
        ACTIVATIONS["swish"] = None
    with pytest.raises(TypeError):
        PRESETS["mine"] = None

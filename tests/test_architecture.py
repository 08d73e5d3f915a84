"""Rules of the code's structure that a reader should not have to remember."""

import ast
from dataclasses import fields
from pathlib import Path

import pytest

from engine import NetworkConfig
from ui import links, site
from ui.settings import NETWORK_FIELDS, SCALING_FIELDS, Settings

ROOT = Path(__file__).resolve().parents[1]
UI_SOURCES = sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")])
# Names under which UI code holds a playground or its parts.
PLAYGROUND_NAMES = ("pg", "playground", "sweep", "trainer")


def _assigned_attributes(tree):
    """(line, dotted target) of every attribute assignment, augmented assignment and setattr call."""
    def dotted(node):
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name):
            parts.append(node.id)
        return ".".join(reversed(parts))

    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr":
            yield node.lineno, "setattr(" + dotted(node.args[0]) + ", ...)"
        for target in targets:
            for single in _unpacked(target):
                while isinstance(single, ast.Subscript):  # pg.trainer.W[0] = ... changes pg.trainer.W
                    single = single.value
                if isinstance(single, ast.Attribute):
                    yield node.lineno, dotted(single)


def _unpacked(target):
    """The single targets of `a, (b, *c) = ...`."""
    if isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _unpacked(element)
    elif isinstance(target, ast.Starred):
        yield from _unpacked(target.value)
    else:
        yield target


# Playground itself: one class in these modules (ui/state.py says which concern each holds).
OWNER_MODULES = ("state.py", "state_reading.py", "state_training.py", "state_replay.py")


@pytest.mark.parametrize("path", [p for p in UI_SOURCES if p.name not in OWNER_MODULES], ids=lambda p: p.name)
def test_only_the_playground_changes_its_own_fields(path):
    """Pages, callbacks and helpers call Playground methods; a field set from outside would skip its lock."""
    tree = ast.parse(path.read_text(), filename=str(path))
    offending = [f"{path.name}:{line}: {target}" for line, target in _assigned_attributes(tree)
                 if target.removeprefix("setattr(").split(".")[0].rstrip(",") in PLAYGROUND_NAMES]
    assert offending == []


def test_the_check_catches_a_direct_assignment():
    tree = ast.parse("def pause():\n    pg.running = False\n    pg.sweep.running ^= True\n"
                     "    x, pg.trainer.W[0] = 1, 2\n    setattr(pg, 'message', '')\n")
    assert sorted(t for _, t in _assigned_attributes(tree)) == [
        "pg.running", "pg.sweep.running", "pg.trainer.W", "setattr(pg, ...)"]


def test_every_setting_has_one_link_parameter():
    carried = [p.field for p in links.SETTINGS_PARAMS]
    assert sorted(carried) == sorted(f.name for f in fields(Settings) if f.name != "preset")
    names = [p.name for p in links.SETTINGS_PARAMS]
    assert len(set(names)) == len(names)
    assert not {"preset", "steps", "lrs", "table"} & set(names)  # the link's own parameters


def test_network_fields_are_listed_once_and_shared():
    config_fields = {f.name: f.default for f in fields(NetworkConfig)}
    settings_fields = {f.name: f.default for f in fields(Settings)}
    assert set(NETWORK_FIELDS) == set(config_fields) - {"layer_sizes"}
    assert all(settings_fields[name] == config_fields[name] for name in NETWORK_FIELDS)
    assert set(SCALING_FIELDS) < set(settings_fields)


def test_the_page_table_names_every_page_file_once():
    scripts = [p.script for p in site.PAGES]
    assert sorted(scripts) == sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))
    assert [p.default for p in site.PAGES].count(True) == 1
    assert len({p.url_path for p in site.PAGES}) == len(site.PAGES)


@pytest.mark.parametrize("path", sorted((ROOT / "pages").glob("*.py")), ids=lambda p: p.name)
def test_pages_lay_out_and_leave_the_maths_to_others(path):
    """A page imports no NumPy and defines no classes: its numbers come from ui/ and engine/."""
    tree = ast.parse(path.read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(isinstance(node, ast.ClassDef) for node in ast.walk(tree))
    assert "numpy" not in imported, "maths belongs in ui/ or engine/"


def test_the_playgrounds_read_only_views_change_nothing():
    """ui/state_reading.py may be called while a page draws: no method there assigns to the playground."""
    tree = ast.parse((ROOT / "ui" / "state_reading.py").read_text())
    assigned = [t for _, t in _assigned_attributes(tree) if t.startswith("self.")]
    assert assigned == []


def test_the_playground_is_made_of_its_owner_modules():
    from ui.state import Playground

    modules = {cls.__module__ for cls in Playground.__mro__ if cls is not object}
    assert {f"ui.{name.removesuffix('.py')}" for name in OWNER_MODULES} == modules

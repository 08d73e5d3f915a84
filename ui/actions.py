"""Clicks from the live view's controls, applied to the playground exactly once each.

The browser keeps a log of clicks, numbered per mounted view ([n, kind, argument]), and
sends the entries the server has not yet acknowledged with every update. Two clicks that
arrive in one rerun, or one click delivered twice, are still applied once each, in order.
"""

MAX_MOUNTS = 8  # acknowledgements kept per view: older mounts (earlier visits of the page) are gone


def apply_actions(pg, actions, acked, sweep=False):
    """Apply the log's new entries to pg; `acked` ({mount: last n applied}) is updated. Returns a note or "".

    sweep: the controls drive the Seeds page's sweep, where Pause and Continue mean the sweep's.
    """
    if not isinstance(actions, dict):
        return ""
    mount, log = str(actions.get("mount", ""))[:40], actions.get("log")
    if not mount or not isinstance(log, list):
        return ""
    done, note = acked.get(mount, 0), ""
    for entry in log[-64:]:
        if not (isinstance(entry, list) and len(entry) >= 2 and isinstance(entry[0], int) and entry[0] > done):
            continue
        kind = str(entry[1])
        if sweep:
            kind = {"pause": "pause_sweep", "continue": "continue_sweep"}.get(kind, "")
        note = _apply(pg, kind, entry[2] if len(entry) > 2 else None) or note
        done = entry[0]
    acked[mount] = done
    for old in list(acked)[:-MAX_MOUNTS]:
        del acked[old]
    return note


def _whole(value, low, high):
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _weight(argument):
    """[layer, row, column, value] of a weight typed in, or None for anything else."""
    if not (isinstance(argument, list) and len(argument) == 4 and all(_whole(n, 0, 10**3) for n in argument[:3])):
        return None
    value = argument[3]
    return argument if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _apply(pg, kind, argument):
    if kind == "step" and argument in (1, 10, 100):
        pg.step(argument)
    elif kind == "run":
        return pg.run()
    elif kind == "run_to" and _whole(argument, 1, 10**9):
        return pg.run(argument)
    elif kind == "pause":
        pg.pause()
    elif kind == "reset":
        pg.reset()
    elif kind == "speed" and _whole(argument, 0, 10**6):
        pg.set_speed(argument)
    elif kind == "pause_sweep":
        pg.pause_sweep()
    elif kind == "continue_sweep":
        pg.continue_sweep()
    elif kind == "set_weight" and _weight(argument):
        return pg.set_weight(*argument)
    return ""

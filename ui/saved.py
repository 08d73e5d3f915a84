"""Saved networks (the Code page's JSON) checked against the playground's limits before they are read."""

from dataclasses import replace

from engine.serialize import from_json
from ui import limits
from ui.settings import Settings, network_fields


def read_network(text, table):
    """(one-network Trainer, []) from saved JSON that fits `table` and the limits, or (None, reasons).

    A loaded network must pass the checks a link or the sidebar would. They run on the file's
    own settings and step count before its weights and history are allocated, so a small
    file cannot ask for gigabytes.
    """
    def acceptable(config, steps, n_networks):
        found = []
        if n_networks != 1:
            found.append("it holds a sweep of several networks, not one")
        if steps > limits.MAX_TOTAL_STEPS:
            found.append(f"it is at step {steps:,}; the limit is {limits.MAX_TOTAL_STEPS:,}")
        sizes = config.layer_sizes
        if (sizes[0], sizes[-1]) != (len(table.inputs), len(table.outputs)):
            found.append(f"it has {sizes[0]} inputs and {sizes[-1]} outputs; the table has "
                         f"{len(table.inputs)} and {len(table.outputs)}")
        settings = replace(Settings(), hidden=tuple(sizes[1:-1]), **network_fields(config))
        return found + settings.problems()

    try:
        loaded, _ = from_json(text, acceptable=acceptable)
    except ValueError as error:
        return None, [str(error)]
    return loaded, []

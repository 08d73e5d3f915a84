"""CPU time and memory of the app server's processes, read from /proc (Linux; no psutil needed).

The server is two kinds of process: the Streamlit process (serves pages, runs every script and
fragment rerun, builds the live view's payloads, and hosts the scheduler's dispatcher thread) and
its descendants (the multiprocessing forkserver and the worker processes that run training slices).
"""

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User + system CPU seconds of one process so far (0.0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    # after the command name: state is field 3, utime and stime are fields 14 and 15
    return (int(fields[11]) + int(fields[12])) / TICKS


def waiting_seconds(pid):
    """Seconds the threads of a process have waited, runnable, for a CPU (schedstat): what other load took."""
    total = 0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                total += int((task / "schedstat").read_text().split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
    except (FileNotFoundError, ProcessLookupError):
        pass
    return total / 1e9


def children(pid):
    """Direct children of a process."""
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(child) for child in (task / "children").read_text().split()]
    except (FileNotFoundError, ProcessLookupError):
        pass
    return found


def descendants(pid):
    """Every process below `pid` (not `pid` itself)."""
    found, todo = [], children(pid)
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children(current)
    return found


def memory_kib(pid):
    """(RSS, PSS) of one process in KiB; PSS shares pages between processes fairly, so PSS adds up."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return 0, 0
    values = {line.split(":")[0]: int(line.split()[1]) for line in rollup[1:] if line.endswith("kB")}
    return values.get("Rss", 0), values.get("Pss", 0)


class ServerProcesses:
    """The Streamlit process `pid` and its descendants, sampled together."""

    def __init__(self, pid):
        self.pid = pid

    def cpu(self):
        """(Streamlit process CPU seconds, CPU seconds of its live descendants)."""
        return cpu_seconds(self.pid), sum(cpu_seconds(child) for child in descendants(self.pid))

    def waiting(self):
        """(seconds the Streamlit process has waited for a CPU, the same for its descendants)."""
        return waiting_seconds(self.pid), sum(waiting_seconds(child) for child in descendants(self.pid))

    def memory_mib(self):
        """{"streamlit": (rss, pss), "workers": (rss, pss)} in MiB; workers = every descendant."""
        own = memory_kib(self.pid)
        rest = [memory_kib(child) for child in descendants(self.pid)]
        return {"streamlit": tuple(v / 1024 for v in own),
                "workers": (sum(r for r, _ in rest) / 1024, sum(p for _, p in rest) / 1024)}


def load_average():
    """The 1, 5 and 15 minute load averages, as uptime prints them."""
    return tuple(float(v) for v in Path("/proc/loadavg").read_text().split()[:3])


def server_options(options):
    """Environment variables that set Streamlit config options ("runner.postScriptGC=false") for a server.

    Named as Streamlit's ConfigOption.env_var names them.
    """
    from streamlit.string_util import to_snake_case

    env = {}
    for option in options:
        name, _, value = option.partition("=")
        env[f"STREAMLIT_{to_snake_case(name.replace('.', '_')).upper()}"] = value
    return env

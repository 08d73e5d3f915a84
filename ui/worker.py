"""Worker processes that train slices for the scheduler, and the loop each of them runs.

A worker is a fresh interpreter started as `python -m ui.worker`: it imports the engine and
nothing else, reads one pickled call at a time from its stdin and writes the pickled result
to its stdout. Python's multiprocessing would re-run the app's script in every worker, because
Streamlit runs that script as the `__main__` module, so the pool starts its processes itself.

Messages are a 4-byte big-endian length and a pickle; only this program writes to these pipes.
"""

import os
import pickle
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

_LENGTH = struct.Struct(">I")
_ROOT = Path(__file__).resolve().parents[1]


def _send(stream, value):
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream):
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError("the other end closed the pipe")
    (size,) = _LENGTH.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("the other end closed the pipe mid-message")
    return pickle.loads(data)


def run_call(function, args):
    """(result, CPU seconds) of function(*args), or (exception, seconds) if it raised."""
    started = time.process_time()
    try:
        result = function(*args)
    except Exception as error:  # handed back to the scheduler, which logs it and carries on
        result = error
    return result, time.process_time() - started


class Worker:
    """One worker process and the lock that lets one thread at a time talk to it."""

    def __init__(self, niceness=0):
        self._niceness = niceness
        self._lock = threading.Lock()
        self._process = None

    def _start(self):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")])))
        self._process = subprocess.Popen(
            [sys.executable, "-m", "ui.worker", str(self._niceness)], cwd=_ROOT, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None, start_new_session=True)

    def call(self, function, *args):
        """(result, CPU seconds, pid) of function(*args) in the worker; restarts a worker that died."""
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._start()
            try:
                _send(self._process.stdin, (function, args))
                result, seconds = _receive(self._process.stdout)
            except (EOFError, BrokenPipeError, OSError):
                self.stop()
                raise RuntimeError("a training worker stopped; it is started again for the next slice") from None
            if isinstance(result, Exception):
                raise result
            return result, seconds, self._process.pid

    def stop(self):
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()


def main():
    """The worker's loop: calls in, results out, until its stdin closes."""
    niceness = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    if niceness:
        try:
            os.nice(niceness)
        except OSError:  # not allowed here: train at normal priority
            pass
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # anything printed must not corrupt the result stream
    while True:
        try:
            function, args = _receive(stdin)
        except EOFError:
            return
        _send(stdout, run_call(function, args))


if __name__ == "__main__":
    main()

"""One training scheduler for the whole server: every running network of every visitor trains here.

Its rules:

1. Nothing trains unless a page is watching. Each redraw of a page that shows training calls
   keep_alive(owner, kind, session), which grants GRANT_SECONDS more; a page that stops
   redrawing (another page, a stalled tab) stops training when its grant runs out, and a closed
   tab at the next round, because its browser session is gone. An idle session costs nothing:
   with no granted job the dispatcher thread sleeps on an event.
2. Training happens in worker processes, never in the interpreter that serves pages: a pool
   of max(1, cores - 1) processes (one on a one- or two-core host), so training takes at most
   all cores but one and page loads and clicks always have a core. On a one-core host the
   worker runs at a lower OS priority instead, so pages still come first.
3. Round robin: each round gives every runnable job one slice, sized from what earlier slices
   of its kind cost to about SLICE_SECONDS of work for each job in the round, at most
   MAX_SLICE_SECONDS. Every round costs the serving process a job() and an absorb() per
   session, so a class gets fewer, larger slices (measured: 30 sessions of one preset finished
   Run to 60,000 in 20.6 s with 0.05 s slices, in 8.3 s with 0.25 s ones). Jobs with the same
   signature (network shape and settings apart from seed and learning rate, and the same
   table) are stacked into one engine call, as a class that loaded the same preset would be.
4. A session's numbers are those of a solo run, bit for bit: the engine's stacked kernel
   guarantees it, and engine.stack replays alone a network that diverges inside a stack.
5. Owners decide what a slice may do (job()) and take its result (absorb()) under their own
   lock; a result whose generation no longer matches (a Reset or Step meanwhile) is dropped.

An owner is anything with job(kind) -> Job | None and absorb(kind, generation, results, seconds);
ui.state.Playground is the one the app uses.
"""

import logging
import os
import queue
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass

from engine.stack import run_slice
from ui.worker import Worker, run_call

GRANT_SECONDS = 5.0  # long enough for a browser slowed down by twenty others in the room
SLICE_SECONDS = 0.05  # work per slice for each job in the round: a lone run shows many frames a second
MAX_SLICE_SECONDS = 0.25  # ... up to this: with a class, fewer and larger slices waste less between them
STEP_OVERHEAD_SECONDS = 15e-6  # Python's cost of one step of one stack, whatever its size
IDLE_POLL_SECONDS = 0.02  # how often to look again while granted jobs wait (paced runs)
WORKER_NICENESS = 10

_log = logging.getLogger(__name__)


@dataclass
class Job:
    """One slice of training an owner asks for; `steps` is an upper bound the scheduler may lower."""

    signature: tuple  # jobs with equal signatures are stacked into one engine call
    config: object  # engine NetworkConfig (seed and learning rate come from the states)
    X: object  # scaled table (n_rows, n_in)
    Y: object  # (n_rows, n_out)
    states: list  # engine.stack.NetState per network
    steps: int
    work_per_step: float  # rows x weights x networks: what one step costs, to size the slice
    generation: int
    alone_on_divergence: bool = True
    snapshots: bool = True
    X_test: object = None  # rows held out for testing (n_test, n_in), or None
    Y_test: object = None


def slice_seconds(n_jobs):
    """Seconds of work for each slice of a round of n_jobs jobs (rule 3)."""
    return min(MAX_SLICE_SECONDS, SLICE_SECONDS * max(1, n_jobs))


def _session_open(session):
    """False once the browser session `session` has gone (its tab closed); True when there is none to ask."""
    if session is None:
        return True
    from streamlit.runtime import Runtime

    return not Runtime.exists() or Runtime.instance().is_active_session(session)


class _Pool:
    """Worker processes (ui.worker), each driven by one thread of a thread pool; in-process if none can start."""

    def __init__(self, workers, processes):
        # With one core the workers would compete with the pages: they run at a lower priority there.
        # With more, a core is left to the pages already, and a lower priority would only hand the
        # workers' cores to whatever else runs on the machine.
        niceness = WORKER_NICENESS if (os.cpu_count() or 1) == 1 else 0
        self._idle = queue.Queue()
        for _ in range(workers):
            self._idle.put(Worker(niceness) if processes else None)
        self._threads = ThreadPoolExecutor(workers, thread_name_prefix="training-worker")

    def submit(self, function, *args):
        return self._threads.submit(self._call, function, args)

    def _call(self, function, args):
        worker = self._idle.get()
        try:
            if worker is not None:
                try:
                    return worker.call(function, *args)
                except OSError as error:  # no subprocesses on this host: train here from now on
                    _log.warning("training in the server process, workers unavailable: %s", error)
                    worker = None
            result, seconds = run_call(function, args)
            if isinstance(result, Exception):
                raise result
            return result, seconds, os.getpid()
        finally:
            self._idle.put(worker)

    def shutdown(self):
        self._threads.shutdown(wait=True, cancel_futures=True)
        while not self._idle.empty():
            worker = self._idle.get()
            if worker is not None:
                worker.stop()


class Scheduler:
    """Owns every live run and sweep of the server; see the module docstring for its rules."""

    def __init__(self, workers=None, processes=True):
        self.workers = workers or max(1, (os.cpu_count() or 1) - 1)
        self._processes = processes
        self._grants = {}  # (id(owner), kind) -> (weakref to owner, kind, deadline)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._pool = None
        self._thread = None
        self._seconds_per_work = {}  # signature -> seconds per unit of work (rows x weights x networks) per step
        self.slices_run = 0
        self.stacks_run = []  # networks per engine call, the latest rounds first (for tests and benchmarks)
        self.worker_pids = set()

    # -- what pages call -------------------------------------------------------------

    def keep_alive(self, owner, kind="train", session=None):
        """Let owner's `kind` job train for GRANT_SECONDS more (a page that shows it is still open).

        session: the browser session's id; once that session is gone (the tab was closed), the job
        stops at the next round, whatever is left of its grant.
        """
        with self._lock:
            self._grants[(id(owner), kind)] = (weakref.ref(owner), kind, time.monotonic() + GRANT_SECONDS, session)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._dispatch, daemon=True, name="training-scheduler")
                self._thread.start()
        self._wake.set()

    def granted(self, owner, kind="train"):
        with self._lock:
            grant = self._grants.get((id(owner), kind))
        return grant is not None and grant[2] > time.monotonic()

    def release(self, owner):
        """Stop training owner's jobs now (its page is no longer shown)."""
        with self._lock:
            for key in [key for key in self._grants if key[0] == id(owner)]:
                del self._grants[key]

    def watched(self):
        """How many jobs pages are watching now: the load, to pace the browsers' requests by."""
        with self._lock:
            return len(self._grants)

    def shutdown(self):
        with self._lock:
            self._grants.clear()
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown()

    # -- the dispatcher thread ---------------------------------------------------------

    def _live_grants(self):
        now = time.monotonic()
        with self._lock:
            for key, (ref, _, deadline, session) in list(self._grants.items()):
                if deadline <= now or ref() is None or not _session_open(session):
                    del self._grants[key]
            return [(ref(), kind) for ref, kind, _, _ in self._grants.values()]

    def _dispatch(self):
        while True:
            grants = self._live_grants()
            if not grants:
                self._wake.clear()
                if not self._wake.wait(timeout=GRANT_SECONDS):
                    with self._lock:
                        if not self._grants:  # nothing for a while: the thread ends, keep_alive restarts it
                            self._thread = None
                            return
                continue
            jobs = [(owner, kind, job) for owner, kind in grants if owner is not None
                    for job in [owner.job(kind)] if job is not None]
            if not jobs:
                time.sleep(IDLE_POLL_SECONDS)
                continue
            try:
                self._round(jobs)
            except Exception:  # a broken slice must not stop every other visitor's training
                _log.exception("training round failed")
                time.sleep(IDLE_POLL_SECONDS)

    def _round(self, jobs):
        """One slice for every runnable job, stacked by signature, all groups in flight at once."""
        groups = {}
        for owner, kind, job in jobs:
            groups.setdefault(job.signature, []).append((owner, kind, job))
        pending = {}
        pool = self._get_pool()
        seconds_each = slice_seconds(len(jobs))
        for signature, members in groups.items():
            first = members[0][2]
            work = sum(job.work_per_step for _, _, job in members)
            step_seconds = STEP_OVERHEAD_SECONDS + self._seconds_per_work.get(signature, 2e-9) * work
            steps = max(1, min(min(job.steps for _, _, job in members), int(seconds_each / step_seconds)))
            every = max(1, -(-steps // 3)) if first.snapshots else 0
            states = [state for _, _, job in members for state in job.states]
            future = pool.submit(run_slice, first.config, first.X, first.Y, states, steps, every,
                                 first.alone_on_divergence, first.X_test, first.Y_test)
            pending[future] = (signature, members, steps, work)
        for future in wait(pending).done:
            signature, members, steps, work = pending[future]
            results, seconds, pid = future.result()
            self.worker_pids.add(pid)
            self.stacks_run = [len(results), *self.stacks_run[:99]]
            measured = max(0.0, seconds / max(1, steps) - STEP_OVERHEAD_SECONDS) / work
            old = self._seconds_per_work.get(signature)
            self._seconds_per_work[signature] = measured if old is None else 0.7 * old + 0.3 * measured
            self.slices_run += 1
            start = 0
            for owner, kind, job in members:
                owner.absorb(kind, job.generation, results[start:start + len(job.states)], seconds)
                start += len(job.states)

    def _get_pool(self):
        with self._lock:
            if self._pool is None:
                self._pool = _Pool(self.workers, self._processes)
            return self._pool


_shared = None
_shared_lock = threading.Lock()


def shared():
    """The server's one Scheduler, made on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Scheduler()
        return _shared

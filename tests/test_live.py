"""The live training thread: it runs only while granted, stops when told, one thread per session."""

import threading
import time

import pytest

from ui import live


@pytest.fixture
def short_grant(monkeypatch):
    monkeypatch.setattr(live, "GRANT_SECONDS", 0.2)


def wait_until_idle(runner, timeout=5.0):
    deadline = time.monotonic() + timeout
    while runner.busy() and time.monotonic() < deadline:
        time.sleep(0.01)
    return not runner.busy()


def counting_work(counter):
    def work(seconds):
        counter.append(seconds)
        time.sleep(0.002)
    return work


def test_training_stops_when_no_redraw_grants_more_time(short_grant):
    """A closed tab stops redrawing; its training ends within one grant."""
    calls = []
    runner = live.LiveRunner(threading.Lock())
    started = time.monotonic()
    runner.grant(counting_work(calls), lambda: True)
    assert wait_until_idle(runner)
    assert time.monotonic() - started < live.GRANT_SECONDS + 0.5
    count = len(calls)
    assert count > 0
    time.sleep(0.1)
    assert len(calls) == count
    assert all(seconds == live.SLICE_SECONDS for seconds in calls)


def test_each_redraw_extends_the_training(short_grant):
    calls = []
    runner = live.LiveRunner(threading.Lock())
    for _ in range(5):  # a redraw every 0.1 s for half a second: longer than one grant
        last_grant = time.monotonic()
        runner.grant(counting_work(calls), lambda: True)
        time.sleep(0.1)
        assert runner.busy()
    assert wait_until_idle(runner)
    assert time.monotonic() - last_grant >= live.GRANT_SECONDS - 0.02


def test_training_stops_as_soon_as_the_run_ends(short_grant):
    calls = []
    runner = live.LiveRunner(threading.Lock())
    runner.grant(counting_work(calls), lambda: len(calls) < 3)
    assert wait_until_idle(runner, timeout=live.GRANT_SECONDS)
    assert len(calls) == 3


def test_a_grant_while_running_does_not_start_a_second_thread(short_grant):
    inside, overlaps = [0], []
    lock = threading.Lock()

    def work(seconds):
        inside[0] += 1
        overlaps.append(inside[0])
        time.sleep(0.003)
        inside[0] -= 1

    runner = live.LiveRunner(lock)
    for _ in range(10):
        runner.grant(work, lambda: True)
    assert wait_until_idle(runner)
    assert max(overlaps) == 1

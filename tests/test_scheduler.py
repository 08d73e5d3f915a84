"""The server's training scheduler: it trains only what a page watches, elsewhere, fairly and exactly."""

import gc
import os
import time

import numpy as np
import pytest

from engine.presets import PRESETS, build_trainer
from ui import live, scheduler
from ui.state import Playground


@pytest.fixture(scope="module")
def server():
    """One scheduler with a real pool of worker processes, as the app has."""
    shared = scheduler.Scheduler(workers=1)
    yield shared
    shared.shutdown()


def keep_watching(server, pgs, until, timeout=60.0, kind="train"):
    """Grant like open pages do (a redraw every 0.1 s) until until() holds; False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if until():
            return True
        for pg in pgs:
            server.keep_alive(pg, kind)
        time.sleep(0.1)
    return until()


def same_as_the_engine(pg, preset, steps):
    trainer, _ = build_trainer(PRESETS[preset], seed=pg.settings.seed)
    trainer.run(steps)
    return (pg.steps == steps
            and all(np.array_equal(a, b) for a, b in zip(pg.trainer.weights(), trainer.weights(), strict=True))
            and np.array_equal(pg.trainer.mean_abs_error, trainer.mean_abs_error))


def test_a_watched_run_trains_in_a_worker_process_and_matches_the_engine(server):
    pg = Playground.from_preset("trask-3-layer")
    pg.run(3_000)
    assert keep_watching(server, [pg], lambda: not pg.running)
    assert same_as_the_engine(pg, "trask-3-layer", 3_000)
    assert server.worker_pids and os.getpid() not in server.worker_pids


def test_training_stops_when_nobody_watches(server, monkeypatch):
    monkeypatch.setattr(scheduler, "GRANT_SECONDS", 0.5)
    pg = Playground.from_preset("trask-3-layer")
    pg.set_speed(200)  # slow enough that the run is far from done when the grant runs out
    pg.run()
    server.keep_alive(pg)
    time.sleep(scheduler.GRANT_SECONDS + 0.3)
    steps = pg.steps
    assert 0 < steps < 400 and pg.running
    time.sleep(0.5)
    assert pg.steps == steps  # still "running", but no page asks for it: nothing is computed


def test_a_closed_tab_or_another_page_stops_training_at_once(server, monkeypatch):
    open_sessions = {"tab-1"}
    monkeypatch.setattr(scheduler, "_session_open", lambda session: session in open_sessions)
    first, second = Playground.from_preset("trask-3-layer"), Playground.from_preset("trask-3-layer")
    for pg in (first, second):
        pg.set_speed(100)
        pg.run()
    server.keep_alive(first, "train", "tab-1")
    server.keep_alive(second, "train", "tab-2")  # a tab already gone: its grant is dropped at once
    time.sleep(0.5)
    assert first.steps > 0 and second.steps == 0
    server.release(first)  # its page was left for one that does not show training
    time.sleep(0.3)
    steps = first.steps
    time.sleep(0.3)
    assert first.steps == steps and server.watched() == 0


def test_a_page_being_drawn_holds_up_nobody_else(server):
    """The scheduler never waits for a playground's lock: a busy one skips a round, the others go on."""
    busy, free = Playground.from_preset("trask-3-layer"), Playground.from_preset("trask-3-layer")
    for pg in (busy, free):
        pg.set_speed(1_000)
        pg.run()
    with busy.lock:  # as while its page is drawn
        assert keep_watching(server, [busy, free], lambda: free.steps >= 500, timeout=20)
        held = busy.steps
    assert keep_watching(server, [busy], lambda: busy.steps > held, timeout=20)


def test_sessions_of_one_class_share_engine_calls_and_keep_their_own_numbers(server):
    seeds = [1, 2, 3, 4, 5, 6]
    pgs = [Playground.from_preset("trask-3-layer") for _ in seeds]
    for pg, seed in zip(pgs, seeds):
        pg.apply_settings(pg.settings.__class__(**{**pg.settings.__dict__, "seed": seed}))
        pg.run(2_000)
    assert keep_watching(server, pgs, lambda: not any(pg.running for pg in pgs))
    assert max(server.stacks_run) > 1  # several learners in one engine call
    for pg in pgs:
        assert same_as_the_engine(pg, "trask-3-layer", 2_000)


def test_a_reset_or_pause_drops_the_slice_in_flight(server):
    pg = Playground.from_preset("trask-3-layer")
    pg.run()
    assert keep_watching(server, [pg], lambda: pg.steps > 0)
    pg.reset()
    assert pg.steps == 0 and not pg.running
    time.sleep(0.3)
    assert pg.steps == 0
    pg.run()
    assert keep_watching(server, [pg], lambda: pg.steps > 0)
    pg.pause()
    paused_at = pg.steps
    time.sleep(0.3)
    assert pg.steps == paused_at


def test_a_paced_run_takes_about_its_speed_in_steps_and_shows_every_step(server):
    pg = Playground.from_preset("trask-3-layer")
    pg.set_speed(10)
    pg.run(1_000)
    started = time.monotonic()
    keep_watching(server, [pg], lambda: time.monotonic() - started > 1.2)
    pg.pause()
    assert 5 <= pg.steps <= 10 * (time.monotonic() - started) + 3
    assert [f.step for f in pg.live.frames][-pg.steps:] == list(range(1, pg.steps + 1))
    assert same_as_the_engine(pg, "trask-3-layer", pg.steps)


def test_a_sweep_trains_in_the_scheduler_like_the_engine(server):
    pg = Playground.from_preset("xor-bias")
    pg.start_sweep(16, 700, 0.05)
    assert keep_watching(server, [pg], lambda: not pg.sweep.running, kind="sweep")
    whole, _ = build_trainer(PRESETS["xor-bias"])
    from engine import Trainer

    stacked = Trainer(whole.config, whole.X, whole.Y, seeds=list(range(1, 17)))
    stacked.run(700)
    assert pg.sweep.trainer.steps == 700
    assert all(np.array_equal(a, b) for a, b in zip(pg.sweep.trainer.W, stacked.W, strict=True))
    assert np.array_equal(pg.sweep.trainer.mean_abs_error, stacked.mean_abs_error, equal_nan=True)


def test_a_forgotten_session_is_dropped_and_an_idle_scheduler_sleeps(server):
    pg = Playground.from_preset("trask-3-layer")
    pg.run()
    server.keep_alive(pg)
    del pg
    gc.collect()
    assert keep_watching(server, [], lambda: not server._live_grants(), timeout=5)
    deadline = time.monotonic() + scheduler.GRANT_SECONDS + 3
    while server._thread is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert server._thread is None  # no thread spinning for nobody


def test_pacing_grants_steps_as_time_passes(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(live.time, "monotonic", lambda: clock[0])
    run = live.LiveRun(speed=4)
    run.start(until=50)
    assert run.allowance(0) == 1  # the first step at once
    run.spent(1)
    clock[0] += 0.1
    assert run.allowance(1) == 0
    clock[0] += 0.2  # 0.3 s at 4 steps/s: one more step
    assert run.allowance(1) == 1
    clock[0] += 10  # a long pause adds at most a short burst
    assert run.allowance(1) == 1
    run.speed = 0
    assert run.allowance(1) == 49  # full speed: up to the target


def test_workers_are_fresh_interpreters_that_never_run_the_apps_script(server, tmp_path, monkeypatch):
    """Streamlit runs the app as __main__; a worker started by multiprocessing would run it again."""
    import sys
    import types

    script = tmp_path / "app_like.py"
    marker = tmp_path / "ran"
    script.write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    fake_main = types.ModuleType("__main__")
    fake_main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", fake_main)
    fresh = scheduler.Scheduler(workers=1)
    try:
        pg = Playground.from_preset("trask-3-layer")
        pg.run(500)
        assert keep_watching(fresh, [pg], lambda: not pg.running, timeout=30)
        assert fresh.worker_pids and os.getpid() not in fresh.worker_pids
    finally:
        fresh.shutdown()
    assert not marker.exists()


def test_a_class_gets_fewer_larger_slices_and_a_lone_run_small_ones():
    sizes = [scheduler.slice_seconds(n) for n in range(1, 40)]
    assert sizes[0] == scheduler.SLICE_SECONDS and sizes[-1] == scheduler.MAX_SLICE_SECONDS
    assert sizes == sorted(sizes)

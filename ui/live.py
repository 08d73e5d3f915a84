"""A run in progress: whether it runs, where it stops, how fast, and the frames it leaves for the screen.

The scheduler (ui.scheduler) trains in slices; after each slice the playground records
frames (the network as it was at a step) here, and the live view plays them back. At a
chosen speed the run is paced: steps are granted as time passes (speed steps a second),
so a lesson can watch every update in slow motion with the same numbers as a fast run.
"""

import time
from collections import deque
from dataclasses import dataclass, field

FRAMES_KEPT = 48  # about two seconds of frames at full speed: enough for a skipped redraw to lose nothing
SPEEDS = (0, 1, 2, 5, 10, 30, 100, 1000, 10_000)  # steps per second; 0 = as fast as the server allows
PACE_BURST_SECONDS = 0.25  # a paced run may catch up at most this much time after a slow round


@dataclass(frozen=True)
class Frame:
    """The network after `step` updates: W[l] (n_l, n_{l+1}), b[l] (n_{l+1},)."""

    step: int
    W: tuple
    b: tuple
    taken_at: float = field(default_factory=time.monotonic)


@dataclass(eq=False)
class LiveRun:
    """Run state of one network: running, the step to stop at (0: none), the speed, recent frames."""

    running: bool = False
    run_until: int = 0
    speed: int = 0
    frames: deque = field(default_factory=lambda: deque(maxlen=FRAMES_KEPT))
    credit: float = 0.0  # steps a paced run may take now
    paced_at: float = 0.0

    def start(self, until=0):
        self.running, self.run_until = True, int(until)
        self.credit, self.paced_at = 1.0, time.monotonic()  # the first paced step comes at once

    def stop(self):
        self.running, self.run_until = False, 0

    def allowance(self, steps):
        """How many steps the next slice may take from step `steps` (0: none now, or not running)."""
        if not self.running:
            return 0
        room = self.run_until - steps if self.run_until else 1 << 40
        if self.speed:
            now = time.monotonic()
            self.credit = min(self.credit + self.speed * (now - self.paced_at),
                              max(1.0, self.speed * PACE_BURST_SECONDS))
            self.paced_at = now
            room = min(room, int(self.credit))
        return max(0, room)

    def spent(self, steps):
        if self.speed:
            self.credit = max(0.0, self.credit - steps)

    def record(self, frame):
        if self.frames and frame.step <= self.frames[-1].step:  # a reset or a new network: old frames mean nothing
            self.frames.clear()
        self.frames.append(frame)

"""Training that goes on between redraws: a thread per session, kept alive only by the page's redraws.

Each redraw grants the thread a little more time. A page that stops redrawing (a closed tab, another
page) stops the training within GRANT_SECONDS, so an abandoned session costs almost nothing. Work
happens in short slices under the playground's lock, so a redraw or a click always sees a whole step.
"""

import threading
import time

GRANT_SECONDS = 0.6
SLICE_SECONDS = 0.015


class LiveRunner:
    """Calls work(SLICE_SECONDS) under `lock`, in a thread, while keep_going() and time is granted."""

    def __init__(self, lock):
        self.lock = lock
        self._deadline = 0.0
        self._thread = None

    def grant(self, work, keep_going):
        """Let training go on for GRANT_SECONDS more; start the thread if it is not running."""
        self._deadline = time.monotonic() + GRANT_SECONDS
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._loop, args=(work, keep_going), daemon=True,
                                            name="playground-training")
            self._thread.start()

    def busy(self):
        return self._thread is not None and self._thread.is_alive()

    def _loop(self, work, keep_going):
        while time.monotonic() < self._deadline:
            with self.lock:
                if not keep_going():
                    return
                work(SLICE_SECONDS)
            # Between slices the page's own threads get the interpreter: a redraw or a click waits
            # at most one slice, and training keeps about four fifths of the time.
            time.sleep(0.004)

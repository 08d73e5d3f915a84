"""The playground's lock rule, shared by the modules that make up Playground (ui/state*.py)."""

import functools


def locked(method):
    """Run `method` holding the playground's lock (re-entrant: locked methods may call each other).

    Slices the scheduler finished meanwhile are taken first, so the method sees the newest state.
    """
    @functools.wraps(method)
    def locked(self, *args, **kwargs):
        with self.lock:
            self._take_finished_slices()
            return method(self, *args, **kwargs)
    return locked

"""Django's file cache, with its size checked now and then instead of on every write.

Django's ``FileBasedCache`` lists its whole folder on every ``set()`` to see whether it is full:
near ``MAX_ENTRIES`` (20,000 files here) that listing costs ~30 ms a write, so a page build (three
keys) or an import marking a few thousand pages stale spent seconds listing files
(docs/benchmarks.md). Here each cache object lists the folder once every ``CHECK_EVERY`` writes;
the folder can pass ``MAX_ENTRIES`` by that many writes per process before a cull brings it back
below it (by a third: Django's ``CULL_FREQUENCY``), files picked at random as Django's are.
"""
import random

from django.core.cache.backends.filebased import FileBasedCache


class SharedFileCache(FileBasedCache):
    CHECK_EVERY = 100

    def __init__(self, dir, params):
        super().__init__(dir, params)
        self._writes = 0

    def _cull(self):
        self._writes += 1
        if (self._writes - 1) % self.CHECK_EVERY:  # the first write of a process checks too
            return
        files = self._list_cache_files()
        if len(files) < self._max_entries:
            return
        if self._cull_frequency == 0:
            self.clear()
            return
        # Back under MAX_ENTRIES by a 1/CULL_FREQUENCY margin (Django's own cull takes a fraction of
        # what is there, which writes between checks would outrun).
        excess = len(files) - self._max_entries + self._max_entries // self._cull_frequency
        for name in random.sample(files, min(excess, len(files))):
            self._delete(name)

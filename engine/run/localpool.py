"""Worker processes on this machine, for a run whose parts are checked side by side
(``lrsrules.run.parallel``): how they start, and what they do with signals.

Forked from the run's own process while it runs a single thread, so that they start at
once with the compiled pack and its modules already in them; otherwise started by
forkserver (spawn where there is none), which never copies another thread's locks.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from concurrent.futures import Future, ProcessPoolExecutor

from lrsrules.run.parallel import PART_BYTES, WorkersFactory
from lrsrules.run.partcheck import PackRecipe, PartResult, PartTask, adopt, run_part

# What the process workers fork from imports once, for all of them: this module and what
# checking a part imports later (each worker would import it again).
PRELOAD = (__name__, "lrsrules.run.partcheck", "lrsrules.inputs.csvsource",
           "lrsrules.run.rowproof")


def start_method() -> str:
    """How local workers start. fork, on Linux, while this process runs a single thread:
    a worker is then a copy made at once, the compiled pack and its modules already in it
    (forkserver's would import them, and read the pack, before their first record). With
    another thread running (a progress line, a program's own) a copy could inherit a lock
    that thread held, so forkserver, whose workers are copies of a process that runs no
    other thread (spawn where there is none)."""
    if sys.platform == "linux" and _threads() == 1:
        return "fork"
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def _threads() -> int:
    """The threads of this process, the operating system's count (a library's own threads
    too, which the threading module does not know)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 2  # not known: as if another ran


def _context(method: str) -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(list(PRELOAD))
    return context


def start_early(path: str | os.PathLike[str]) -> None:
    """Start the process that local workers fork from now, if they start by forkserver
    and the file at ``path`` is big enough to be cut, so that it imports while this one
    loads the pack and reads the file's head (the workers themselves need the pack)."""
    try:
        big = os.path.getsize(path) > PART_BYTES
    except OSError:
        return
    if big and start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _started(recipe: PackRecipe) -> None:
    """A local worker's start. Ctrl-C, which a terminal sends to every process of the
    run, is the main process's to act on (it stops the workers as it ends; a worker that
    took it would print a traceback); SIGTERM and SIGHUP end a worker at once, whatever
    handlers and mask the process it was forked from had. Then the recipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signum is not None:
            signal.signal(signum, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):  # after: a Ctrl-C held back is now ignored
        signal.pthread_sigmask(signal.SIG_SETMASK, set())
    adopt(recipe)


def _started_now() -> None:
    """Nothing: what a pool of forked workers is first given, to start them."""


class LocalPool:
    """Worker processes on this machine, started as ``start_method`` says (or ``method``)."""

    def __init__(self, count: int, recipe: PackRecipe, method: str | None = None) -> None:
        method = method or start_method()
        self.count = count
        self.method = method
        self._pool = ProcessPoolExecutor(count, mp_context=_context(method),
                                         initializer=_started, initargs=(recipe,))
        if method == "fork":
            # The first submit forks every worker: made now, with nothing to do, so that
            # they start while this process cuts the file for their first parts. Ctrl-C
            # is held back while the copies are made: a copy takes it only once it
            # ignores it (``_started``), and this process as soon as they are made.
            held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            try:
                self._pool.submit(_started_now)
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, held)

    def submit(self, task: PartTask) -> Future[PartResult]:
        return self._pool.submit(run_part, task)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)



def local_workers(count: int) -> WorkersFactory:
    return lambda recipe: LocalPool(count, recipe)

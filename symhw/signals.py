"""Ctrl-C and SIGTERM for the command line: raised as exceptions where the program is, so
that ``finally`` blocks stop workers and pdflatex and remove temporary files, and raised
again if CPython swallowed one.

CPython drops an exception raised while it runs a weakref callback or a ``__del__`` method
("Exception ignored in ..."): a Ctrl-C that lands there, during an import for instance, is
lost and the run would go on to the end. So the first stop signal also starts a timer; each
tick raises the stop again unless it is still on its way up (being handled, or unwinding
through ``finally`` blocks), until :func:`stopped` acknowledges it; the swallowed one is not
reported (CPython would print its traceback). Later stop signals are ignored: the first
one's cleanup runs to its end.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator

from symhw.errors import Terminated

#: Seconds between re-raises of a stop that may have been swallowed.
RETRY = 0.2
#: The signals that stop a run.
STOPS = {signal.SIGINT, signal.SIGTERM}
_received: list[int] = []


def install() -> None:
    """Make SIGINT raise KeyboardInterrupt and SIGTERM :class:`Terminated` from now on."""
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    if hasattr(signal, "setitimer"):
        signal.signal(signal.SIGALRM, _again)
    sys.unraisablehook = _unraisable


def _unraisable(unraisable: object) -> None:
    """A stop CPython swallowed is not reported as "Exception ignored in ..." with its
    traceback (the timer raises it again, and the run ends saying it stopped, in one
    line); anything else is reported as CPython would."""
    if isinstance(getattr(unraisable, "exc_value", None), KeyboardInterrupt):
        return
    sys.__unraisablehook__(unraisable)


def _exception(signum: int) -> BaseException:
    return Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def _stop(signum: int, frame: object) -> None:
    if _received:  # a second Ctrl-C must not break the cleanup the first one started
        return
    _received.append(signum)
    if hasattr(signal, "setitimer"):
        signal.setitimer(signal.ITIMER_REAL, RETRY, RETRY)
    raise _exception(signum)


def _again(signum: int, frame: object) -> None:
    if not _received or isinstance(sys.exc_info()[1], KeyboardInterrupt):
        return  # still propagating: let it arrive
    raise _exception(_received[0])


@contextlib.contextmanager
def held(*, forks: bool = False) -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block has run (they arrive as it ends): for steps
    that must not be cut in two, such as forking workers or renaming a set of files.

    This process's Python-level handlers note a stop and deliver it at the end. With
    ``forks``, this thread's signal mask blocks them too, so that processes forked in the
    block start with them held (a worker then sets its own handling before it takes one);
    the mask alone would not do for this process, since the kernel hands a signal to any
    thread that does not block it, NumPy's among them. Outside the main thread, where
    handlers cannot be set, the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous = {
        sig: signal.signal(sig, lambda signum, frame: pending.append(signum)) for sig in STOPS
    }
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOPS) if forks and _MASKS else None
    try:
        yield
    finally:
        if mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if pending:
            _deliver(pending[0], previous[pending[0]])


_MASKS = hasattr(signal, "pthread_sigmask")


def _deliver(signum: int, handler: object) -> None:
    """Act on a stop held back, as its handler would have."""
    if callable(handler):
        handler(signum, None)
    elif handler == signal.SIG_DFL:
        signal.raise_signal(signum)


def ignore() -> None:
    """From now on stop signals change nothing (the run's work is done)."""
    for sig in STOPS:
        signal.signal(sig, signal.SIG_IGN)
    stopped()


def stopped() -> None:
    """The stop has arrived where it is reported: no more re-raising."""
    if hasattr(signal, "setitimer"):
        signal.setitimer(signal.ITIMER_REAL, 0)

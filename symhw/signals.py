"""Ctrl-C and SIGTERM for the command line: raised as exceptions where the program is, so
that ``finally`` blocks stop workers and pdflatex and remove temporary files, and raised
again if CPython swallowed one.

CPython drops an exception raised while it runs a weakref callback or a ``__del__`` method
("Exception ignored in ..."): a Ctrl-C that lands there, during an import for instance, is
lost and the run would go on to the end. So the first stop signal also starts a timer; each
tick raises the stop again unless it is still on its way up (being handled, or unwinding
through ``finally`` blocks), until :func:`stopped` acknowledges it.
"""

from __future__ import annotations

import signal
import sys

from symhw.errors import Terminated

#: Seconds between re-raises of a stop that may have been swallowed.
RETRY = 0.2
_received: list[int] = []


def install() -> None:
    """Make SIGINT raise KeyboardInterrupt and SIGTERM :class:`Terminated` from now on."""
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    if hasattr(signal, "setitimer"):
        signal.signal(signal.SIGALRM, _again)


def _exception(signum: int) -> BaseException:
    return Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def _stop(signum: int, frame: object) -> None:
    if not _received:
        _received.append(signum)
        if hasattr(signal, "setitimer"):
            signal.setitimer(signal.ITIMER_REAL, RETRY, RETRY)
    raise _exception(signum)


def _again(signum: int, frame: object) -> None:
    if not _received or isinstance(sys.exc_info()[1], KeyboardInterrupt):
        return  # still propagating: let it arrive
    raise _exception(_received[0])


def stopped() -> None:
    """The stop has arrived where it is reported: no more re-raising."""
    if hasattr(signal, "setitimer"):
        signal.setitimer(signal.ITIMER_REAL, 0)

"""Stop signals in the command line: a Ctrl-C that CPython swallows is raised again, and one
on its way up is not raised twice."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from conftest import REPO
from symhw import signals
from symhw.errors import Terminated

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

SWALLOWED = """
import os, signal, time
{install}

class Slow:
    def __del__(self):  # CPython ignores an exception raised in here
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)

x = Slow()
del x
try:
    time.sleep(2)
    print("swallowed")
except KeyboardInterrupt:
    print("raised again")
"""


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.stdout.strip()


def test_a_ctrl_c_swallowed_by_cpython_is_raised_again():
    assert _run(SWALLOWED.format(install="from symhw import signals; signals.install()")) == (
        "raised again"
    )


def test_without_the_retry_it_would_be_lost():
    """The case above is real: Python's own handler loses that Ctrl-C."""
    assert _run(SWALLOWED.format(install="")) == "swallowed"


def test_a_stop_on_its_way_up_is_not_raised_twice():
    code = """
    import os, signal, time
    from symhw import signals
    signals.install()
    try:
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
        finally:
            time.sleep(3 * signals.RETRY)  # ticks of the retry timer land here
    except KeyboardInterrupt as e:
        signals.stopped()
        print(type(e).__name__, e.__context__ is None)
    """
    assert _run(code) == "Terminated True"


class _Dies:
    def __init__(self, error: BaseException) -> None:
        self.error = error

    def __del__(self) -> None:
        raise self.error


@pytest.mark.parametrize(
    ("error", "reported"),
    [(KeyboardInterrupt(), False), (Terminated(), False), (ValueError("x"), True)],
)
def test_a_stop_cpython_swallows_is_not_reported_but_other_errors_are(
    monkeypatch, capsys, error, reported
):
    # CPython drops an exception raised in __del__ or a weakref callback and prints
    # "Exception ignored in ..." with its traceback: a stop landing there (SIGTERM during
    # an import) is raised again by the timer, and must not print a traceback first.
    monkeypatch.setattr(sys, "unraisablehook", signals._unraisable)
    _Dies(error)  # dropped at once: __del__ runs here
    err = capsys.readouterr().err
    assert ("Exception ignored" in err) == reported

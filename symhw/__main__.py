"""``python -m symhw`` runs the command-line interface.

Ctrl-C or SIGTERM while the interface itself is being imported ends the process at once
with one line: nothing has started yet that would need cleaning up.
"""

import os
import signal


def _stop_at_once(signum: int, frame: object) -> None:
    word = "interrupted" if signum == signal.SIGINT else "terminated"
    os.write(2, f"symhw: {word}\n".encode())
    os._exit(128 + signum)


for _sig in (signal.SIGINT, signal.SIGTERM):
    signal.signal(_sig, _stop_at_once)

from symhw.cli import run  # noqa: E402  (after the handlers, on purpose)

run()

"""Random draws that are the same on every machine: SHA-256 in counter mode.

A variant's numbers depend only on the key they are drawn under (the seed, the problem id,
the variant id and the attempt), never on Python's ``hash()``, ``PYTHONHASHSEED``, the
version of Python or NumPy, or what else was drawn before.
"""

from __future__ import annotations

import hashlib
import json


class Stream:
    """Uniform integers from SHA-256 of ``key`` and a counter.

    >>> a = Stream(("seed", 1, "q2", "alice", 0))
    >>> [a.below(10) for _ in range(5)]
    [6, 0, 7, 1, 2]
    >>> Stream(("seed", 1, "q2", "alice", 0)).below(10)
    6
    """

    def __init__(self, key: tuple) -> None:
        # JSON gives each part of the key its own unambiguous text ("a/b", "c" ≠ "a", "b/c").
        self._prefix = json.dumps(list(key), ensure_ascii=True).encode()
        self._counter = 0

    def _block(self) -> int:
        """The next 256 bits."""
        data = self._prefix + b"#" + str(self._counter).encode()
        self._counter += 1
        return int.from_bytes(hashlib.sha256(data).digest(), "big")

    def below(self, n: int) -> int:
        """A uniform integer in [0, n), by rejection: no value is likelier than another."""
        if n < 1:
            raise ValueError(f"cannot draw below {n}")
        bits = max(n - 1, 1).bit_length()
        while True:
            value = 0
            for _ in range((bits + 255) // 256):
                value = (value << 256) | self._block()
            value &= (1 << bits) - 1
            if value < n:
                return value

"""Write the conv-matrix cases with numbers at their limits (too large to keep in git).

Each given tensor holds at most 65,536 numbers; these cases give all three at that count on
a 256 -> 256 layer of length 256 (16,777,216 nonzeros), with numbers of each kind:

    conv-numbers-integers  one digit: Y and ∂L/∂x exact, in int64
    conv-numbers-decimals  six decimals: exact, in int64 (common denominator 10^6)
    conv-numbers-digits    eight decimals on 128 -> 128 channels of length 512 (8,388,608
                           nonzeros): exact in Python integers (30-bit numerators overflow
                           int64 sums), 2 x 8,388,608 = 2^24 digit multiply-adds, the budget
    conv-numbers-long      100-character fractions on 96 -> 96 channels of length 96 (27,648
                           numbers, the most that fit the 4 MiB a problem file may have):
                           past the budget, float64

    python benchmarks/limits/make_conv_numbers.py && python benchmarks/bench_limits.py numbers
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _tensor(shape: tuple[int, ...], number: Callable[[], str]) -> str:
    if len(shape) == 1:
        return "[" + ", ".join(number() for _ in range(shape[0])) + "]"
    return "[" + ", ".join(_tensor(shape[1:], number) for _ in range(shape[0])) + "]"


def _case(channels: int, length: int, number: Callable[[], str], comment: str) -> str:
    shapes = {
        "weights": (channels, channels, 1),
        "x": (channels, length),
        "grad_y": (channels, length),
    }
    given = "".join(f"{k} = {_tensor(s, number)}\n" for k, s in shapes.items())
    return (
        f'# {comment}\n[[problems]]\nid = "c"\nkind = "conv-matrix"\n'
        f"in_channels = {channels}\nout_channels = {channels}\nlength = {length}\nkernel = 1\n"
        f"{given}"
    )


def main() -> None:
    rng = random.Random(636)

    def long_fraction() -> str:  # 100 characters, between 1 and 10
        d = rng.randint(10**47, 10**48 - 1)
        return f'"{d * rng.randint(1, 9) + rng.randint(0, d)}/{d}"'

    cases = {
        "integers": (256, 256, lambda: str(rng.randint(-9, 9)), "one digit: exact, int64"),
        "decimals": (256, 256, lambda: f"{rng.uniform(-10, 10):.6f}", "6 decimals: int64"),
        "digits": (128, 512, lambda: f"{rng.uniform(-10, 10):.8f}", "8 decimals: Python ints"),
        "long": (96, 96, long_fraction, "100-character fractions: past the budget, float64"),
    }
    for name, (channels, length, number, comment) in cases.items():
        path = HERE / f"conv-numbers-{name}.toml"
        path.write_text(_case(channels, length, number, comment), "utf-8")
        print(path)


if __name__ == "__main__":
    main()

"""The inputs of a norm-shapes problem: a normalization, a layout and (group norm) groups."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import sympy as sp

from symhw.counts.layers import dim
from symhw.errors import quote
from symhw.fields import SEQUENCE, Where, check_keys
from symhw.params import as_int

NORMS = ("batch", "layer", "instance", "group")
LAYOUTS = ("NC", "NCL", "NLC", "NCHW", "NHWC")
SPATIAL = "LHW"
G = dim("G")
_LABEL = re.compile(r"[a-z][a-z0-9_]{0,31}")
#: Cases per problem (labelled (a) to (z)), and groups of a group norm: the NumPy check's
#: input has 48·G entries (N·C·H·W at its sizes, numpy_check.CHECK_SIZES, with C = 2G),
#: 25 MB at 2^16.
MAX_CASES, MAX_GROUPS = 26, 1 << 16


@dataclass(frozen=True)
class Case:
    """One input: a normalization kind, a layout such as NHWC, and (group norm) the groups."""

    name: str
    norm: str
    layout: str
    groups: int | None = None

    @property
    def group_count(self) -> sp.Expr:
        return G if self.groups is None else sp.Integer(self.groups)


SEED_CASES = (Case("fc", "batch", "NC"), Case("conv", "batch", "NHWC"))
CASE_KEYS = ("name", "norm", "layout", "groups")


def _case(table: object, where: Where, i: int) -> Case:
    if isinstance(table, Case):  # from Python: parsed again as the table it would be
        table = {k: v for k, v in asdict(table).items() if v is not None}
    if not isinstance(table, dict):
        raise where.error(f'case {i}: expected a table such as {{norm = "batch", layout = "NC"}}')
    check_keys(table, CASE_KEYS, where.within(f"case {i}"))
    norm, layout = table.get("norm"), table.get("layout")
    for key, value, options in (("norm", norm, NORMS), ("layout", layout, LAYOUTS)):
        if value is None:
            raise where.error(f"case {i}: missing {key}; add {key} = one of {', '.join(options)}")
    if norm not in NORMS:
        raise where.error(f"case {i}: unknown norm {quote(norm)}; choose one of {', '.join(NORMS)}")
    if layout not in LAYOUTS:
        raise where.error(
            f"case {i}: unknown layout {quote(layout)}; choose one of {', '.join(LAYOUTS)} "
            "(N batch, C channels, L length, H height, W width)"
        )
    if norm == "instance" and not any(a in SPATIAL for a in layout):
        raise where.error(
            f"case {i}: instance norm averages each sample's channel over its positions, and "
            f"layout {layout} has none; use NCL, NLC, NCHW or NHWC"
        )
    groups = as_int(table.get("groups"))
    if groups is not None:
        if norm != "group":
            raise where.error(f"case {i}: groups only applies to norm = 'group'")
        if isinstance(groups, bool) or not isinstance(groups, int) or groups <= 0:
            raise where.error(
                f"case {i}: groups must be a positive whole number, got {quote(groups)}"
            )
        if groups > MAX_GROUPS:
            raise where.error(
                f"case {i}: groups = {groups} is over the limit; use at most {MAX_GROUPS} (the "
                "NumPy cross-check builds an input of up to 48 numbers per group)"
            )
    name = table.get("name", f"{norm}_{layout.lower()}")
    if not isinstance(name, str) or not _LABEL.fullmatch(name):
        raise where.error(f"case {i}: name {quote(name)} must be lower-case letters, digits and _")
    return Case(name, norm, layout, groups)


def parse_cases(value: object, where: Where) -> tuple[Case, ...]:
    """A non-empty list of case tables with distinct names.

    >>> parse_cases([{"norm": "group", "layout": "NCHW", "groups": 32}], Where(None, "cases"))
    (Case(name='group_nchw', norm='group', layout='NCHW', groups=32),)
    """
    if not isinstance(value, SEQUENCE) or not value:
        raise where.error('expected a list of tables, e.g. [{norm = "batch", layout = "NC"}]')
    if len(value) > MAX_CASES:
        raise where.error(
            f"{len(value)} cases; a sheet labels them (a) to (z), at most {MAX_CASES}: "
            "split them over several problems"
        )
    cases = tuple(_case(t, where, i) for i, t in enumerate(value, start=1))
    names = [c.name for c in cases]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise where.error(f"two cases are named {quote(duplicate)}; give each its own name")
    return cases

"""``symhw check``: reading and verifying answers people wrote.

:mod:`.claims` reads a claims file into frozen data; :mod:`.numbers` and :mod:`.terms`
judge written numbers and sums against the exact values; :mod:`.verdict` gives each claim
its verdict and :mod:`.report` the whole file's. The parser of a claim's text is
:func:`.parse.parse` (LaTeX or plain math to SymPy, safely), with what it returns
(:class:`.parse.Parsed`, one :class:`.parse.Member` per member of a chain), a writer's own
function (:func:`.parse.define`: ``g(x) = \\tanh(x)``), what the names of a problem mean to
it (:mod:`.names`) and its one error (:class:`.syntax.ClaimSyntaxError`).

The package imports nothing itself: :mod:`.claims` and :mod:`.reading` load without SymPy
or lark, so that a class's claims files are read in worker processes forked before those
are imported.
"""

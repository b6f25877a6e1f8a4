"""``symhw check``: reading and verifying answers people wrote. The parser of a claim's
text is :func:`symhw.check.parse.parse`."""

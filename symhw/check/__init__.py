"""symhw check: answers and derivations someone wrote, read safely and checked (issue 12)."""

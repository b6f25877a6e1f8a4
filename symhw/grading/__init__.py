"""Grading a class (``symhw grade``): submissions read against their variants
(:mod:`~symhw.grading.manifest`, :mod:`~symhw.grading.run`), answers graded by the problem
set's scoring rule (:mod:`~symhw.grading.answers`), the class summed up
(:mod:`~symhw.grading.summary`)."""

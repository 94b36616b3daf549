"""``mlmismatch reproduce``: the steps that regenerate every table, figure and report.

- :mod:`.context`: the :class:`~.context.Context` steps write through, and :class:`~.context.Step`;
- :mod:`.steps`: one module per part of the study;
- :mod:`.run`: running the steps and writing ``manifest.json``.
"""

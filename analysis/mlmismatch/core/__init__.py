"""Foundations every layer may use: errors, findings, text and label helpers, rounding, writers.

Nothing here knows about the study: these modules import only the standard library (and, inside
functions, pandas or matplotlib). Each shared helper has exactly one home:

- :mod:`.errors`: :class:`~.errors.InputError` and :class:`~.errors.Location` (one-line messages);
- :mod:`.findings`: the one finding record for data-quality checks and detection findings;
- :mod:`.text`: white space, emptiness, escaping for Markdown, LaTeX, HTML and the terminal;
- :mod:`.labels`: the study's label formats ``Trained Model (TM)`` and ``(TM) Versioning``;
- :mod:`.numbers`: half-up and largest-remainder rounding;
- :mod:`.tables`: Markdown and LaTeX tables;
- :mod:`.writers`: atomic, deterministic files and figures;
- :mod:`.resources`: the data shipped inside the package;
- :mod:`.style`: the paper's figure style.
"""

"""The study's data: the coding workbook (codebook, coded mismatches) and the validation survey.

- :mod:`.workbook`: opening the workbooks and reading the interview-sheet layout;
- :mod:`.codebook`: the 7 categories and 34 subcategories, and label normalization;
- :mod:`.coding`: :func:`~.coding.load_coding`, the coded interviews as tidy tables;
- :mod:`.survey`: :func:`~.survey.load_survey`, the survey as tidy tables (no identifying columns);
- :mod:`.export`: the tidy tables as a Frictionless data package.
"""

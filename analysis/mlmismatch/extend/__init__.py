"""Extend the taxonomy: code a new round, measure agreement, merge, suggest codes, exchange with QDA tools.

Modules (each one concept):

- :mod:`.rounds` — read a new coding round (a workbook in the study's layout, a tidy CSV or a
  REFI-QDA project) and an optional extension codebook, into validated tidy tables;
- :mod:`.agreement` — inter-coder agreement (Cohen's kappa, Fleiss' kappa, Krippendorff's alpha)
  with bootstrap intervals, and the disagreement table for adjudication;
- :mod:`.template` — a blank coding workbook with drop-down validation (optionally pre-filled
  with the classifier's suggestions for coders to confirm);
- :mod:`.merge` — the study plus a new round as one dataset, the categorization recomputed, a test
  of whether the round's category distribution differs;
- :mod:`.suggest` — a TF-IDF + logistic-regression classifier trained at run time on the study's
  coded mismatches, and its cross-validation grouped by interview;
- :mod:`.qda` — REFI-QDA codebook (``.qdc``) export and project (``.qdpx``) import/export.
"""

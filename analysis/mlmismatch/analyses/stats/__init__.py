"""Statistics for small surveys, one module per family (as pingouin arranges its functions):

- :mod:`.intervals`: confidence intervals for shares (Wilson, Clopper-Pearson; statsmodels);
- :mod:`.correlation`: rank agreement between groups, bootstrapped over respondents (scipy);
- :mod:`.permutation`: permutation tests over respondents (do groups order the items differently?);
- :mod:`.power`: what a test on groups this small can detect (smallest detectable effect);
- :mod:`.agreement`: agreement coefficients (kappa, alpha, Gwet's AC1, PABAK) on count matrices and code pairs.

Pure functions on arrays and tidy tables; :mod:`mlmismatch.analyses.survey_stats` applies them to the survey.
"""

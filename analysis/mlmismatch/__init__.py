"""mlmismatch: replicate and extend the ML-mismatch study (Lewis, Bellomo, Ozkaya; WAIN 2021).

Public API (tidy pandas tables):

>>> from mlmismatch import coding
>>> data = coding.load_coding()          # codebook, mismatches, instances, quality
>>> from mlmismatch import categories
>>> categories.category_counts(data.instances)

Heavy libraries are imported lazily so that ``mlmismatch --help`` stays fast.
"""

__version__ = "0.1.0"

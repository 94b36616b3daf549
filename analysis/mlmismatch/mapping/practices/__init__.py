"""The practice-to-mismatch matrix: a rated, adjudicated and evidenced mapping (issue 13).

Data: ``data/practices/`` (protocol, link codebook, sources, practices, two independent ratings,
adjudication; formats in its README). Modules:

- :mod:`.corpus`: read and check every file (one-line :class:`~mlmismatch.core.errors.InputError`
  per problem) into tidy tables; the accepted matrix (both raters 1, or adjudicated 1);
- :mod:`.agreement`: agreement of the two ratings per source and overall (Cohen's kappa,
  Krippendorff's alpha, Gwet's AC1, PABAK, bootstrap intervals over practices);
- :mod:`.textcheck`: TF-IDF similarity as a mechanical third check (doubted and suggested links);
- :mod:`.gaps`: the chain practice -> subcategory -> descriptor attribute, the gap analysis in both
  directions, weighted, and its sensitivity to the selection of sources.

Figures: :mod:`mlmismatch.mapping.practice_figures`; ``reproduce`` step:
:mod:`mlmismatch.pipeline.steps.practices`.
"""

from mlmismatch.mapping.practices.corpus import PracticeCorpus, incidence, load_corpus, load_default, practices_dir

__all__ = ["PracticeCorpus", "incidence", "load_corpus", "load_default", "practices_dir"]

"""From coded mismatches to descriptor attributes (the paper's Phase 2, Fig. 6), as curated data.

- :mod:`.matrix`: the curated mapping (subcategories -> descriptor attributes), its checks,
  coverage and gap analyses, and the text evidence;
- :mod:`.practices`: the rated practice matrix (practices from the literature -> subcategories:
  corpus, two ratings, adjudication, agreement, text check, gaps, the chain to attributes);
- :mod:`.predicates`: the mismatches written as predicates (the rule catalogue);
- :mod:`.derive`: the derived descriptor schemas, each attribute traced to its evidence and to the
  practices that supply it, and their comparison with the published SEI descriptors;
- :mod:`.figures`, :mod:`.practice_figures`: the matrix figures.
"""

"""From coded mismatches to descriptor attributes (the paper's Phase 2, Fig. 6), as curated data.

- :mod:`.matrix`: the curated mapping (subcategories -> descriptor attributes, practices ->
  subcategories), its checks, coverage and gap analyses, and the text evidence;
- :mod:`.predicates`: the mismatches written as predicates (the rule catalogue);
- :mod:`.derive`: the derived descriptor schemas, each attribute traced to its evidence, and their
  comparison with the published SEI descriptors;
- :mod:`.figures`: the matrix figures.
"""

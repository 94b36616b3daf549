"""The descriptors of an ML-enabled system's elements, as SEI published them (1.0, 1.1, 1.2).

- :mod:`.schemas`: the eight published JSON Schemas (fetched and pinned), validation, attributes;
- :mod:`.migrate`: documents between versions, and empty skeletons to fill in.

The derived schemas (the attributes the study's mismatches call for) are made in
:mod:`mlmismatch.mapping.derive`; the packaged copies are the resource package
``mlmismatch.descriptors.derived``.
"""

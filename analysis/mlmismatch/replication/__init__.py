"""The replication: every published number recomputed and compared.

- :mod:`.claims`: the claims transcribed from the paper (packaged as
  ``mlmismatch.replication.published``), recomputed from the data with explicit rounding rules;
- :mod:`.report`: the replication report (Markdown and self-contained HTML).
"""

"""Resource package ``mlmismatch.descriptors.derived``: the derived descriptor schemas (``mlmismatch descriptors derive``)."""

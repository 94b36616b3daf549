"""The ``reproduce`` steps, one module per part of the study, each exporting ``STEPS``."""

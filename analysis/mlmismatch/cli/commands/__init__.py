"""CLI commands, one module per topic; each registers on the apps defined in ``mlmismatch.cli``."""

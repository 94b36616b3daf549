"""Resource package ``mlmismatch.examples``: three example systems' descriptors (README.md here)."""

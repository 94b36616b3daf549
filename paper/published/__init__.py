"""Resource package ``mlmismatch.replication.published``: the claims transcribed from the paper (README.md here)."""

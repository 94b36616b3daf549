"""Resource package ``mlmismatch.data``: the curated data shipped with mlmismatch (see README.md here)."""

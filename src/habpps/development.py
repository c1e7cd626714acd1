"""What the source publishes for development and demo instances, and production must never use."""

DEVELOPMENT_SECRET_KEY = "habpps-development-only-key-never-use-in-production-0123456789"
"""The default ``SECRET_KEY`` outside production: `habpps journal verify` warns when the journal head is signed
with it (issue 18, finding 9)."""

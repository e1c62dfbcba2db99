"""Per-account window features: one mergeable accumulator, one ordered feature list."""

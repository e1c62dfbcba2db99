"""The extraction-risk classifier: training, evaluation and the verified, versioned artifact."""

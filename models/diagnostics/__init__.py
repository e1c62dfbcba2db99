"""Development diagnostics of the training data and the model; never imported by serving or `distillwatch`."""

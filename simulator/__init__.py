"""Synthetic LLM API traffic with ground truth for distillwatch.

Kept apart from the detector on purpose: nothing here imports `pipelines`, so the simulator cannot
accidentally encode the detector's features or thresholds. See `simulator/README.md`.
"""

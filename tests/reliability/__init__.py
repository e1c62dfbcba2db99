"""Reliability suite: nothing lost, nothing double-counted, nothing crashes (see GUARANTEES.md)."""

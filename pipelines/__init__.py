"""The worker package: what runs on Dataflow workers, and nothing else.

events -> validate -> window per account -> features -> score -> alert policy -> sinks, plus the cross-account
campaign stage. It imports no other package of this repository: the CLI (`distillwatch`), training and
evaluation (`models`), the simulator and the local harnesses (`devtools`) all build on it, never the reverse.
"""

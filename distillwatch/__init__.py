"""The `distillwatch` command line: detect, simulate, train, evaluate, query and the local demo.

It drives the worker package (`pipelines`) and the tools around it (`models`, `simulator`, `devtools`);
nothing here runs on a Dataflow worker.
"""

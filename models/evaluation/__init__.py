"""`distillwatch evaluate`: measures the shipped classifier on simulated traffic it never saw.

The standard protocol (`standard`) scores held-out seeds and held-out variants of the training
families against two baselines and writes `models/report/REPORT.md`, recording its headline in the
manifest. Each module holds one idea: the sets (`sets`), the detectors (`detectors`), how window
scores become account-level results (`aggregate`), the report (`sections`, `report`, `plots`) and
the manifest write-back (`manifest`); `cli` parses the arguments and picks the protocol.
"""

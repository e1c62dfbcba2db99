"""Throughput, scaling and memory benchmarks of the detection pipeline (`python -m benchmarks.run`)."""

"""Local harnesses for tests, demos and benchmarks: emulators and the live demo. Never shipped to workers."""

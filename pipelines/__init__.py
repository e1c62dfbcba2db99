"""distillwatch detection pipeline: events -> validate -> windows -> features -> classifier -> alerts -> sinks."""

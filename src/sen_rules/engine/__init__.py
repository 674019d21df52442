"""Evaluation engines: native closures and durable-rules, over one compiled form."""

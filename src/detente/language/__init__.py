"""The agreement language: YAML reader, typed model, expressions, loader and checks."""

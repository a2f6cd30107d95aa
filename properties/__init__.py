"""Hypothesis stateful machines and the invariant catalogue that drive the model."""

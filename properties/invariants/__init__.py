"""Invariant checkers, one per catalogue ID, over the views the engines build of the model."""

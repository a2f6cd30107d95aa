"""The reference executor: real functions in node processes, compared with the model."""

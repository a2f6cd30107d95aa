"""The command line and the reports it writes: one verdict per invariant ID."""

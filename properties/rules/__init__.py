"""The whole-chain machine's rules, one module per part of the protocol (`properties.machine`
joins them)."""

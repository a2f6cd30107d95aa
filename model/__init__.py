"""The pure, integer-only model of the Stratosphere protocol.

Each module holds the rules of one part of the whitepaper as pure functions over frozen attrs
states: a rule returns a new state or a `Rejected` value, never performs I/O, never reads a
clock and never draws randomness it was not given as a seed.
"""

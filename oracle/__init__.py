"""The oracle: the whitepaper read a second time, apart from the model it judges.

The model (`model/`) is the implementation under test. Everything that decides whether the model
did the right thing (the Hypothesis checkers in `properties/invariants/`, the executor's
validators and books, and the goals of the Z3 claims in `solver/goals/`) computes what should
happen from the whitepaper's own words and the raw state: balances, bonds, records, the clock.
The readings those checks share live in this package. None of it calls a model rule, a derived
quantity of the model or a `model.arith` formula; `oracle.boundary` says what it may take from
`model/` (state classes, units, ids, enums) and `tests/test_oracle_boundary.py` enforces it over
the import graph.
"""

"""Z3 proofs of the model's invariants for every input in a domain, and for every parameter set.

Each claim pairs the model's arithmetic (its subject, `solver/proofs/`) with a goal read from the
whitepaper (`solver/goals/`), and is proved for every parameter set in the domain and for the
checked set (`solver.registry`).
"""

"""Z3 proofs of the model's invariants for every input in a domain."""

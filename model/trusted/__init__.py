"""Trusted Functions (§3): one round's commit-reveal and consensus, its settlement, the billing
round that precedes it, and node behaviours as data shared with the executor."""

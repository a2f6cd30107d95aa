"""The real application functions the executor's nodes run (`bytes -> bytes`), one module each.

They ship with the package, so an installed `stratoverify` grounds the model without a checkout:
`compute` (Proof of Compute), `database` (a SQLite command log), `storage` (a content-addressed
store) and `billing` (§4.3.1's metered usage on a rate card).
"""

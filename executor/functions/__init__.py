"""The real application functions the executor's nodes run (`bytes -> bytes`), one module each.

They ship with the package, so an installed `stratoverify` grounds the model without a checkout:
`compute` (Proof of Compute), `database` (a SQLite command log), `storage` (a content-addressed
store) and `billing` (§4.3.1's metered usage on a rate card).
"""

NAMES = ("compute", "database", "storage", "billing")
"""The shipped functions, each the `run` callable of the module of its name in this package."""
MODULES = tuple(f"{__name__}.{name}" for name in NAMES)
"""Their modules: code of the tool itself, which a sandbox's zygote loads once before any call
(defining their functions runs none of them)."""

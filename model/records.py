"""`evolve`: a frozen record with some fields changed, as `attrs.evolve` makes it, faster.

Every transition of the model returns new frozen attrs records, so `attrs.evolve` runs several
times per action; it looks the class's fields up and copies each by name into keyword arguments
on every call. Here the fields are read once per class (one `operator.attrgetter` for all of
them) and the record is rebuilt with positional arguments, through the class's own `__init__`:
the same record as `attrs.evolve` gives, with the same validators run.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import attrs

_Layout = tuple[Callable[[Any], tuple[Any, ...]], dict[str, int], int]
_LAYOUTS: dict[type, _Layout | None] = {}


def _get_layout(cls: type) -> _Layout | None:
    """A getter of every field's value, in `__init__` order, each field's position and their
    number; None when `__init__` does not take every field positionally under its own name."""
    fields = attrs.fields(cls)
    names = [field.name for field in fields]
    if not names or any(
        not field.init or field.kw_only or field.alias != field.name for field in fields
    ):
        return None
    getter = attrgetter(*names)
    read: Callable[[Any], tuple[Any, ...]] = getter if len(names) > 1 else lambda r: (getter(r),)
    return read, {name: index for index, name in enumerate(names)}, len(names)


def _evolve(record: Any, **changes: Any) -> Any:
    """`attrs.evolve(record, **changes)`: a copy of the frozen attrs `record` with `changes`."""
    cls = type(record)
    try:
        layout = _LAYOUTS[cls]
    except KeyError:
        layout = _LAYOUTS[cls] = _get_layout(cls)
    if layout is None:
        return attrs.evolve(record, **changes)
    read, positions, size = layout
    if len(changes) == size:
        # Every field changes (a one-field record, most often): nothing to read.
        return cls(**changes)
    values = list(read(record))
    try:
        for name, value in changes.items():
            values[positions[name]] = value
    except KeyError:
        # What `attrs.evolve` raises: the class's `__init__` has no such argument.
        return attrs.evolve(record, **changes)
    return cls(*values)


if TYPE_CHECKING:
    # Type checkers see `attrs.evolve` itself, whose attrs plugin checks each change's type.
    from attrs import evolve as evolve  # noqa: PLC0414 (mypy --strict's explicit re-export)
else:
    evolve = _evolve

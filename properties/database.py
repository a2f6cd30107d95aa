"""The shared example database: failures found by one run of the machine, replayed first by the
next run everywhere the database is shared.

Hypothesis saves each failing test case it finds (and each shrink of it) under the machine's
database key, and its reuse phase replays the saved cases before it generates new ones. The
database is a directory by default (Hypothesis' `DirectoryBasedExampleDatabase`) or, for a
cluster, a Redis server (`redis://host:port/db`, Hypothesis' own `RedisExampleDatabase`).

A run reads the database as it was when the run started and writes nothing while it runs: its
saves are kept aside (`DeferredDatabase`) and written once the whole check or sweep is over, in
task order. So the verdicts of a sharded check or a sweep do not depend on which task finished
first, and the next run replays every failure this one found. Entries are only ever added: a
case that no longer fails is kept (it costs one replay), so a failure of one profile or
parameter set is tried on every other one too. `check --no-database` reads and writes none.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from attrs import frozen
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

DEFAULT_DATABASE = ".stratoverify/examples"
"""Where `check` and `sweep` keep the example database unless told otherwise (a directory,
relative to the current directory, like Hypothesis' own `.hypothesis/examples`)."""

NO_DATABASE = "off"
"""The location that means "no database" (`--no-database`; the environment's default too)."""

DATABASE_ENVIRONMENT = "STRATOVERIFY_DATABASE"
"""The environment variable that sets the default location (`off` to use none)."""

Write = tuple[bytes, bytes]
"""One saved test case: the database key and the encoded choices."""


class DatabaseError(ValueError):
    """The database location cannot be used; the message is one line naming it."""


@frozen
class DatabaseLocation:
    """Where the example database lives: a directory path or a `redis://` URL."""

    location: str

    @property
    def is_redis(self) -> bool:
        return urlsplit(self.location).scheme in ("redis", "rediss", "unix")

    def describe(self) -> str:
        kind = "Redis" if self.is_redis else "directory"
        return f"the example database ({kind} {self.location})"


def parse_location(location: str) -> DatabaseLocation | None:
    """The database at `location`, or None for `off`; a malformed location is a DatabaseError."""
    text = location.strip()
    if not text:
        raise DatabaseError("--database: empty location (a directory, a redis:// URL, or off)")
    if text == NO_DATABASE:
        return None
    scheme = urlsplit(text).scheme
    if scheme in ("redis", "rediss", "unix"):
        return DatabaseLocation(text)
    if scheme and len(scheme) > 1:
        raise DatabaseError(
            f"--database {text}: unknown scheme {scheme!r} (a directory, a redis:// URL, or off)"
        )
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise DatabaseError(f"--database {text}: exists and is not a directory")
    return DatabaseLocation(str(path))


def get_shippable(location: str | None) -> str | None:
    """`location` as a worker elsewhere reads it: a directory made absolute (a worker may start
    in another folder), a URL or None as it is."""
    parsed = None if location is None else parse_location(location)
    if parsed is None or parsed.is_redis:
        return location
    return str(Path(parsed.location).resolve())


def open_database(location: DatabaseLocation) -> ExampleDatabase:
    """The Hypothesis database at `location`; an unreachable server is a DatabaseError."""
    if not location.is_redis:
        try:
            Path(location.location).mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseError(
                f"--database {location.location}: cannot create the directory: {error.strerror}"
            ) from None
        return DirectoryBasedExampleDatabase(location.location)
    redis = importlib.import_module("redis")
    extra = importlib.import_module("hypothesis.extra.redis")
    try:
        client = redis.Redis.from_url(location.location, socket_connect_timeout=10)
        client.ping()
    except (ValueError, redis.RedisError) as error:
        raise DatabaseError(
            f"--database {location.location}: cannot reach the Redis server: "
            f"{' '.join(str(error).split())}"
        ) from None
    database: ExampleDatabase = extra.RedisExampleDatabase(client)
    return database


class DeferredDatabase(ExampleDatabase):
    """Reads `base` as it was when the run started and keeps its own writes aside.

    Hypothesis saves every failing case and each shrink of it, then deletes or moves the ones a
    later shrink made redundant; here those moves and deletes act on the run's own saves only,
    so `writes()` is what Hypothesis would have left of this run's saves, and nothing `base`
    held before is ever removed.
    """

    def __init__(self, base: ExampleDatabase) -> None:
        super().__init__()
        self.base = base
        self._pending: dict[bytes, dict[bytes, None]] = {}

    def __repr__(self) -> str:
        return f"DeferredDatabase({self.base!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DeferredDatabase) and other.base == self.base

    def __hash__(self) -> int:
        return id(self)

    def fetch(self, key: bytes) -> Iterable[bytes]:
        seen = dict.fromkeys(self.base.fetch(key))
        seen.update(self._pending.get(key, {}))
        return list(seen)

    def save(self, key: bytes, value: bytes) -> None:
        self._pending.setdefault(key, {})[value] = None

    def delete(self, key: bytes, value: bytes) -> None:
        self._pending.get(key, {}).pop(value, None)

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        if value in self._pending.get(src, {}):
            self.delete(src, value)
            self.save(dest, value)

    def writes(self) -> tuple[Write, ...]:
        """This run's saves that Hypothesis kept, in a fixed order."""
        return tuple(
            (key, value) for key in sorted(self._pending) for value in sorted(self._pending[key])
        )


def apply_writes(database: ExampleDatabase, writes: Sequence[Write]) -> int:
    """Save `writes` into `database`; how many there were."""
    for key, value in writes:
        database.save(key, value)
    return len(writes)


class ReuseWatch:
    """Whether the last Hypothesis run found its failure by replaying the database."""

    def __init__(self) -> None:
        self.from_database = False


@contextmanager
def watching_reuse() -> Iterator[ReuseWatch]:
    """Within the block, notes whether a run's reuse phase (the database replay, before any new
    case is generated) found a failing case: the failure then came from the database."""
    engine = importlib.import_module("hypothesis.internal.conjecture.engine")
    runner_class = getattr(engine, "ConjectureRunner", None)
    original = getattr(runner_class, "reuse_existing_test_cases", None)
    watch = ReuseWatch()
    if runner_class is None or original is None:  # a Hypothesis without the phase
        yield watch
        return

    def reuse_existing_test_cases(runner: Any) -> None:
        original(runner)
        if getattr(runner, "interesting_test_cases", None):
            watch.from_database = True

    runner_class.reuse_existing_test_cases = reuse_existing_test_cases
    try:
        yield watch
    finally:
        runner_class.reuse_existing_test_cases = original

"""What one run of the Hypothesis engine found, as frozen records: a verdict per invariant with its
evidence and counterexample, the rules' firings and refusals, the boundaries reached
(`properties.runner` produces them, `reports.check` reads them)."""

from __future__ import annotations

from enum import Enum

from attrs import frozen

from model.chain.actions import Action
from model.chain.state import Genesis
from properties.database import Write
from properties.explore import ExplorationReport


class Verdict(Enum):
    """What the engine concluded about one invariant."""

    PASS = "pass"
    FAIL = "fail"
    VACUOUS = "vacuous"
    """Never exercised: no step gave it anything to check. Never a pass."""
    NOT_APPLICABLE = "not-applicable"
    """The invariant makes no claim about these parameters (say, PAY-VECTOR off its defaults)."""
    ERROR = "error"
    """The engine stopped on an error before it could decide. Never a pass."""


class EngineError(RuntimeError):
    """Raised when the model itself raised during a run: a bug in the model, not a verdict."""


@frozen
class Counterexample:
    """A minimal way to break one invariant, as data and as a pytest file."""

    invariant_id: str
    detail: str
    source: str
    """`machine` (a shrunk whole-chain trace), `database` (a failing case the example database
    replayed, then shrunk) or `exploration` (a shortest round path)."""
    steps: tuple[str, ...]
    """Human-readable steps, genesis first."""
    genesis: Genesis | None = None
    actions: tuple[Action, ...] = ()
    regression_test: str | None = None


@frozen
class InvariantResult:
    """One invariant's verdict and the evidence behind it."""

    invariant_id: str
    section: str
    verdict: Verdict
    examples: int
    """Machine examples in which the invariant was checked at least once."""
    observations: int
    """Steps (machine) and round states (exploration) that checked it."""
    violations: int
    counterexample: Counterexample | None = None
    note: str = ""


@frozen
class RuleEvidence:
    """How often the machine applied one kind of action, and how often the chain refused it."""

    action: str
    fired: int
    refused: int


@frozen
class Refusal:
    """How often one rule of the model refused one kind of action."""

    action: str
    rule: str
    count: int


@frozen
class BoundaryEvidence:
    """How often the machine reached one boundary state (`properties.edges`)."""

    name: str
    section: str
    invariants: tuple[str, ...]
    """The invariants it is evidence for: never reached, each of them is VACUOUS."""
    reached: int
    """Steps that reached it."""
    examples: int
    """Examples in which some step reached it."""
    unreachable: str = ""
    """Why no action of the chain can reach it (a finding); then it never decides a verdict."""


@frozen
class PropertyReport:
    """Everything one run of the Hypothesis engine found."""

    profile: str
    effort: str
    seed: int
    machine_runs: int
    examples: int
    steps: int
    results: tuple[InvariantResult, ...]
    rules: tuple[RuleEvidence, ...]
    refusals: tuple[Refusal, ...]
    exploration: ExplorationReport | None
    boundaries: tuple[BoundaryEvidence, ...] = ()
    engine_error: str = ""
    """Why the engine stopped early, if it did: every invariant it had not seen fail is then
    `error`, and each it had seen fail keeps its (unshrunk) counterexample."""
    database_writes: tuple[Write, ...] = ()
    """The failing cases this run saved for the example database, written once the check is
    over (`properties.database`)."""

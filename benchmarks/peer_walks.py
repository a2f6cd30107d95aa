"""The model's side of the Quint peer walks: `slash.qnt` and `commit_reveal.qnt` walked through the
model's own rules, each sample from a freshly built initial state, the specs' `inv` checked on the
raw state after every step.

`benchmarks/quint_peers.py` times these walks against Quint's simulator. The walks draw with a
local `random.Random(seed)`, and a test can hand them a broken rule
(`tests/test_quint_peers.py`), so each invariant check is shown to fail when it should.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from typing import Protocol

from attrs import frozen

from model.chain.state import APPS, get_node, get_validator, get_validator_operator
from model.hashing import DEFAULT_ALGORITHM, compute_hash
from model.ledger import Ledger, create_genesis
from model.params import WHITEPAPER_PARAMS, Params
from model.profile import HARDENED, Profile
from model.slashing import SlashingState, SlashOutcome, process_slash_validator
from model.staking import StakingState, process_create_validator
from model.trusted.decision import process_decide
from model.trusted.round import (
    Phase,
    Reveal,
    RoundState,
    compute_node_commit,
    generate_app_salts,
    generate_node_salt,
    process_close_commit_phase,
    process_commit,
    process_open_round,
    process_post_node_salt_hash,
    process_reveal,
    process_reveal_app_salts,
)
from model.units import AccountId, NodeId, Outcome, Rejected, Seconds, ValidatorId

# --- The slash walk (slash.qnt) -------------------------------------------------------------------

SLASH_VALIDATORS: tuple[ValidatorId, ...] = tuple(get_validator(index) for index in range(4))
SLASH_OPERATORS: tuple[AccountId, ...] = tuple(get_validator_operator(v) for v in SLASH_VALIDATORS)
"""Each validator's operator account, which holds and bonds its stake."""
INIT_STAKE: tuple[int, ...] = (1_000_000, 250_000, 40_000, 7)
"""slash.qnt's INIT_STAKE of v1 to v4, each a validator's self-bond here."""
INITIAL_TOTAL = sum(INIT_STAKE)
BASE_BPS = 500
MAX_BPS = 10_000
OFFENDER_INDEX = {f"validator:{validator}": i for i, validator in enumerate(SLASH_VALIDATORS)}
"""Slash records are keyed `validator:<id>` (`model.slashing.get_validator_offender`)."""


@frozen
class Violation:
    """The first state of a walk where the invariant failed: which sample, after which step."""

    walk: str
    sample: int
    step: int
    reason: str


@frozen
class WalkResult:
    """What one run of a walk did: the traces and steps completed, and a violation if one."""

    traces: int
    steps: int
    violation: Violation | None = None


class SlashRule(Protocol):
    """The signature of `process_slash_validator`, so a test can hand the walk a broken one."""

    def __call__(
        self,
        ledger: Ledger,
        staking: StakingState,
        slashing: SlashingState,
        *,
        validator: ValidatorId,
        now: Seconds,
        params: Params,
        profile: Profile,
    ) -> Outcome[tuple[Ledger, StakingState, SlashingState, SlashOutcome]]: ...


def build_slash_genesis() -> tuple[Ledger, StakingState, SlashingState]:
    """slash.qnt's `init` in the model: each validator's operator holds its stake at genesis and
    bonds all of it to the validator; nobody was ever slashed."""
    ledger = create_genesis(dict(zip(SLASH_OPERATORS, INIT_STAKE, strict=True)))
    assert not isinstance(ledger, Rejected), ledger
    staking = StakingState()
    for validator, operator, stake in zip(
        SLASH_VALIDATORS, SLASH_OPERATORS, INIT_STAKE, strict=True
    ):
        created = process_create_validator(
            ledger, staking, validator=validator, operator=operator, self_bond=stake
        )
        assert not isinstance(created, Rejected), created
        ledger, staking = created
    return ledger, staking, SlashingState()


def check_slash_state(
    ledger: Ledger,
    staking: StakingState,
    slashing: SlashingState,
    *,
    clocks: Sequence[Seconds],
    window: Seconds,
    applied_rate: int | None,
) -> str | None:
    """slash.qnt's `inv` on the raw state (None when it holds): no stake is negative, the stakes
    and the STR burned add up to the initial total, and every validator's rate is within
    [500, 10000] bps, both the rate a slash just applied and the next one §6.10's words give from
    the validator's record (its level, lowered by one per whole window since its last slash)."""
    bonds = staking.delegations
    amounts = bonds.values()
    # Verify no bond is negative (a validator's stake is the sum of its bonds).
    if amounts and min(amounts) < 0:
        validator, amount = next((v, a) for (_, v), a in bonds.items() if a < 0)
        return f"a bond to {validator} is negative: {amount}"
    bonded = sum(amounts)
    # Verify the stakes and what was burned add up to the stake bonded at genesis.
    if bonded + ledger.str_burned != INITIAL_TOTAL:
        return f"{bonded} bonded and {ledger.str_burned} burned, not {INITIAL_TOTAL} in all"
    # Verify the rate a slash applied is within [500, 10000] bps.
    if applied_rate is not None and not BASE_BPS <= applied_rate <= MAX_BPS:
        return f"a slash applied {applied_rate} bps"
    for offender, record in slashing.records.items():
        level, last = record.level, record.last_slash_time
        # Verify the level is a count of slashes, never negative.
        if level < 0:
            return f"{offender} is at level {level}"
        if last is not None:
            now = clocks[OFFENDER_INDEX[offender]]
            if now >= last:
                level -= (now - last) // window
                level = level if level > 0 else 0
        rate = BASE_BPS << level
        rate = rate if rate < MAX_BPS else MAX_BPS
        # Verify the next slash's rate is within [500, 10000] bps.
        if not BASE_BPS <= rate <= MAX_BPS:
            return f"{offender} at level {record.level} would be slashed at {rate} bps"
    return None


def walk_slash(
    samples: int,
    steps: int,
    seed: int,
    *,
    slash: SlashRule = process_slash_validator,
    params: Params = WHITEPAPER_PARAMS,
    profile: Profile = HARDENED,
) -> WalkResult:
    """slash.qnt's walk: each step picks a validator and slashes it or lets its window expire.

    A validator's window expiring is its clock moving on by one slash window; each validator
    keeps a clock of its own (the schedule reads only the offender's record and `now`), so an
    expiry lowers that validator's level alone, as `expire_window(v)` halves v's rate alone."""
    rng = random.Random(seed)
    window = params.slashing.slash_window_seconds
    done = 0
    for sample in range(samples):
        ledger, staking, slashing = build_slash_genesis()
        clocks = [0, 0, 0, 0]
        violation = check_slash_state(
            ledger, staking, slashing, clocks=clocks, window=window, applied_rate=None
        )
        if violation is not None:
            return WalkResult(sample, done, Violation("slash", sample, 0, violation))
        for step in range(1, steps + 1):
            # One draw of three bits: which of the four validators, and slash or expire (Quint's
            # `oneOf` and `any`, each uniform).
            bits = rng.getrandbits(3)
            index = bits & 3
            applied_rate = None
            if bits >> 2:
                clocks[index] += window
            else:
                slashed = slash(
                    ledger,
                    staking,
                    slashing,
                    validator=SLASH_VALIDATORS[index],
                    now=clocks[index],
                    params=params,
                    profile=profile,
                )
                if isinstance(slashed, Rejected):
                    reason = f"the model refused to slash: {slashed.reason}"
                    return WalkResult(sample, done, Violation("slash", sample, step, reason))
                ledger, staking, slashing, outcome = slashed
                applied_rate = outcome.rate_bps
            done += 1
            violation = check_slash_state(
                ledger, staking, slashing, clocks=clocks, window=window, applied_rate=applied_rate
            )
            if violation is not None:
                return WalkResult(sample, done, Violation("slash", sample, step, violation))
    return WalkResult(samples, done)


# --- The commit-reveal walk (commit_reveal.qnt) ---------------------------------------------------

CR_NODES: tuple[NodeId, ...] = tuple(get_node(index) for index in range(4))
HONEST, BYZ_WRONG, BYZ_SILENT = "honest", "byz_wrong", "byz_silent"
KINDS = (HONEST, BYZ_WRONG, BYZ_SILENT)
HONEST_OUTPUT = b"42"
WRONG_OUTPUTS = (b"7", b"13")
LIES = (*WRONG_OUTPUTS, HONEST_OUTPUT)
HONEST_OUTPUT_HASH = hashlib.sha256(HONEST_OUTPUT).digest()
"""h("42") under the model's default hash, SHA-256, computed here from the standard library."""
ROUND_ID = 1
ROUND_SEED = b"quint-peer-round"
"""The seed every sample's salts derive from: each sample replays one round's salts, as round
ids restart with every trace of the machine (so the model's digest cache is warm)."""


class DecideRule(Protocol):
    """The signature of `process_decide`, so a test can hand the walk a broken one."""

    def __call__(
        self,
        state: RoundState,
        *,
        now: Seconds,
        params: Params,
        profile: Profile,
        deviation_bps: int | None = None,
    ) -> Outcome[RoundState]: ...


def check_round_state(kinds: Sequence[str], state: RoundState) -> str | None:
    """commit_reveal.qnt's `inv` on the raw state (None when it holds): with fewer than N/3
    byzantine nodes a TRUE consensus agrees on the honest output, and consensus is TRUE exactly
    when an agreed output is recorded (no decision yet: neither)."""
    byzantine = sum(kind != HONEST for kind in kinds)
    decision = state.decision
    consensus = decision is not None and decision.consensus
    agreed = None if decision is None else decision.agreed_output_hash
    if 3 * byzantine < len(kinds) and consensus and agreed != HONEST_OUTPUT_HASH:
        return f"{byzantine} byzantine of {len(kinds)} and consensus on {agreed!r}"
    if consensus != (agreed is not None):
        return f"consensus {consensus} with agreed output {agreed!r}"
    return None


T0: Seconds = 0
CLOSED_AT: Seconds = T0 + 2
"""Commits land at t0 + 1; the commit phase closes (all committed) and reveals open at t0 + 2."""


class _RoundWalk:
    """One sample of the commit-reveal walk: the node kinds drawn, the round state, and each of
    the spec's actions as the model's steps."""

    def __init__(
        self, rng: random.Random, decide: DecideRule, params: Params, profile: Profile
    ) -> None:
        self.rng = rng
        self.decide = decide
        self.params = params
        self.profile = profile
        self.kinds = [KINDS[rng.randrange(3)] for _ in CR_NODES]
        self.committed: dict[int, bytes] = {}
        # init, Step 1: the app draws a salt per node and writes their hashes (F1-F2).
        self.salts = generate_app_salts(
            seed=ROUND_SEED, round_id=ROUND_ID, assigned=CR_NODES, algorithm=DEFAULT_ALGORITHM
        )
        opened = process_open_round(
            round_id=ROUND_ID,
            app=APPS[0],
            assigned=CR_NODES,
            app_salts=self.salts,
            now=T0,
            algorithm=DEFAULT_ALGORITHM,
        )
        assert not isinstance(opened, Rejected), opened
        self.state = opened

    def step(self) -> Rejected | None:
        """commit_reveal.qnt's `step`: the one branch enabled, its node drawn as Quint draws it."""
        state = self.state
        if state.phase is Phase.COMMIT:
            index = self._first_node(lambda i: CR_NODES[i] not in state.commits)
            result = self._close() if index is None else self._commit(index)
        elif state.phase is Phase.REVEAL:
            index = self._first_node(
                lambda i: CR_NODES[i] not in state.reveals and self.kinds[i] != BYZ_SILENT
            )
            result = self._decide() if index is None else self._reveal(index)
        else:
            return None  # stutter: decided, the state stays as it is
        if isinstance(result, Rejected):
            return result
        self.state = result
        return None

    def _first_node(self, enabled: Callable[[int], bool]) -> int | None:
        start = self.rng.randrange(4)
        for offset in range(4):
            index = (start + offset) % 4
            if enabled(index):
                return index
        return None

    def _node_salt(self, node: NodeId) -> bytes:
        return generate_node_salt(
            seed=ROUND_SEED, round_id=ROUND_ID, node=node, algorithm=DEFAULT_ALGORITHM
        )

    def _commit(self, index: int) -> Outcome[RoundState]:
        """commit(i): the node posts h(S_N) (F3) and commits to its output (F4)."""
        node = CR_NODES[index]
        wrong = WRONG_OUTPUTS[self.rng.randrange(2)]
        output = wrong if self.kinds[index] == BYZ_WRONG else HONEST_OUTPUT
        node_salt = self._node_salt(node)
        posted = process_post_node_salt_hash(
            self.state,
            node=node,
            salt_hash=compute_hash(node_salt, DEFAULT_ALGORITHM),
            now=T0,
            params=self.params,
        )
        if isinstance(posted, Rejected):
            return posted
        commit = compute_node_commit(
            posted,
            node=node,
            app_salt=posted.sent_app_salts[node],
            node_salt=node_salt,
            output=output,
            profile=self.profile,
        )
        self.committed[index] = output
        return process_commit(posted, node=node, commit=commit, now=T0 + 1, params=self.params)

    def _close(self) -> Outcome[RoundState]:
        """closeCommit: every node committed (F5); the app reveals its salts (F6)."""
        closed = process_close_commit_phase(self.state, now=CLOSED_AT, params=self.params)
        if isinstance(closed, Rejected):
            return closed
        return process_reveal_app_salts(closed, salts=self.salts, now=CLOSED_AT)

    def _reveal(self, index: int) -> Outcome[RoundState]:
        """reveal(i): honest nodes reveal their commitment, byzantine-wrong ones that or, half
        the time, any of the three outputs (F7)."""
        node = CR_NODES[index]
        match_commit = self.rng.randrange(2)
        lie = LIES[self.rng.randrange(3)]
        kept = self.kinds[index] == HONEST or match_commit
        output = self.committed[index] if kept else lie
        reveal = Reveal(
            app_salt_hash=compute_hash(self.state.sent_app_salts[node], DEFAULT_ALGORITHM),
            output_hash=compute_hash(output, DEFAULT_ALGORITHM),
            node_salt_or_hash=self._node_salt(node),
            revealed_at=CLOSED_AT + 1,
        )
        return process_reveal(self.state, node=node, reveal=reveal, params=self.params)

    def _decide(self) -> Outcome[RoundState]:
        """decide: everyone who will ever reveal has; the validators decide past the timeout."""
        now = CLOSED_AT + self.params.consensus.reveal_timeout_seconds + 1
        return self.decide(self.state, now=now, params=self.params, profile=self.profile)


def walk_commit_reveal(
    samples: int,
    steps: int,
    seed: int,
    *,
    decide: DecideRule = process_decide,
    params: Params = WHITEPAPER_PARAMS,
    profile: Profile = HARDENED,
) -> WalkResult:
    """commit_reveal.qnt's walk: draw each node's kind, then commit, close, reveal, decide, stutter.

    In every state exactly one of the spec's four `step` branches is enabled (commit or reveal by
    some node, closing the commit phase, deciding, stuttering once done), so Quint's shuffle of
    them leaves the walk as here; the node is the first enabled one from a uniformly drawn start,
    as Quint retries `nondet i` position by position. Deciding waits out the reveal timeout, as
    byzantine-silent nodes never reveal.
    """
    rng = random.Random(seed)
    done = 0
    for sample in range(samples):
        walk = _RoundWalk(rng, decide, params, profile)
        violation = check_round_state(walk.kinds, walk.state)
        if violation is not None:
            return WalkResult(sample, done, Violation("commit-reveal", sample, 0, violation))
        for step in range(1, steps + 1):
            refused = walk.step()
            if refused is not None:
                reason = f"the model refused a step: {refused}"
                return WalkResult(sample, done, Violation("commit-reveal", sample, step, reason))
            done += 1
            violation = check_round_state(walk.kinds, walk.state)
            if violation is not None:
                return WalkResult(sample, done, Violation("commit-reveal", sample, step, violation))
    return WalkResult(samples, done)

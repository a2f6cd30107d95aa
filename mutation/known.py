"""Mechanical mutants that survive because no reachable state tells them from the model.

Each entry names a mutant by id and the first 12 hex digits of its mutated text's SHA-256, so a
stale entry (the file changed under it) matches nothing and `tests/mutation/test_mechanical.py`
fails until the entry is checked again. The reason is the argument, from the whitepaper's rules
and the model's callers, that every reachable state gives the mutant and the model the same
behaviour; docs/mutation.md explains how entries are added.
"""

from __future__ import annotations

from attrs import frozen


@frozen
class KnownEquivalent:
    """A mutant that survives because no reachable state can tell it from the model."""

    id: str
    sha: str
    """The first 12 hex digits of the mutated text's SHA-256: a stale entry matches nothing."""
    reason: str


_CACHE_REMOVED = (
    "`@cache` memoises a pure function of hashable arguments whose value is immutable or only "
    "read; without it every call computes the same value again. The check runs Hypothesis with "
    "no deadline and every health check suppressed, so only the wall time changes"
)
KNOWN_EQUIVALENTS: tuple[KnownEquivalent, ...] = (
    KnownEquivalent("model/params.py:RemoveDecorator:10", "8ef101a62eb7", _CACHE_REMOVED),
    KnownEquivalent("model/params.py:RemoveDecorator:11", "8463afeef349", _CACHE_REMOVED),
    KnownEquivalent("model/params.py:RemoveDecorator:12", "d08de4742935", _CACHE_REMOVED),
    KnownEquivalent("model/hashing.py:RemoveDecorator:0", "7e96e58cc380", _CACHE_REMOVED),
    KnownEquivalent("model/hashing.py:RemoveDecorator:1", "345a6900dd62", _CACHE_REMOVED),
    KnownEquivalent("model/slashing.py:RemoveDecorator:2", "037f3e7cb5a6", _CACHE_REMOVED),
    KnownEquivalent(
        "model/slashing.py:ReplaceComparisonOperator_Eq_Is:0",
        "14dbf4552be4",
        "§6.10 rate loop: `raised is rate` is at most as often true as `raised == rate`, and when "
        "it is false the loop goes on with an unchanged rate, which gives the same result "
        "(catalogue mutant M30, the early exit removed, is the same argument)",
    ),
    KnownEquivalent(
        "model/supply.py:ReplaceBinaryOperator_BitOr_BitXor:0",
        "39998188a356",
        "§6.1 bridge: the deposit id is added only after the check that it is not processed yet,"
        " so `processed ^ {id}` and `processed | {id}` add it to a set that lacks it: the same set",
    ),
    KnownEquivalent(
        "model/slashing.py:ReplaceComparisonOperator_Eq_Lt:0",
        "51f9644c1e0a",
        "§6.10 rate loop: the factor is at least 1 and the cap only lowers, so the next rate is"
        " never below the current one; `raised < rate` is never true, and the loop without its"
        " early exit gives the same rate (catalogue mutant M30's argument)",
    ),
    KnownEquivalent(
        "model/slashing.py:NumberReplacer:2",
        "a3bd0193273e",
        "§6.10 decay: `get_expired_windows` returns 1 instead of 0 only for an offender never"
        " slashed (level 0, which no decay lowers) or when time runs back (the chain's clock only"
        " moves forward), so every level computed from it is the same",
    ),
    KnownEquivalent(
        "model/trusted/round.py:ReplaceComparisonOperator_Eq_Is:0",
        "8db067a5ad73",
        "§3.2 F4: `compute_hash` memoizes its digests (`hashing._cached_digest`, unbounded), and the"
        " on-chain hash of an app salt is `compute_hash` of equal bytes, so the node's digest and"
        " the on-chain one are one object exactly when they are equal: `is` and `==` agree",
    ),
    KnownEquivalent(
        "model/staking.py:ReplaceAndWithOr:3",
        "c14feaae8952",
        "§6.10: no action hands the chain double-sign evidence; `process_equivocate` builds each"
        " pair of votes itself at one height and round, where `(same validator and same height)"
        " or (same round and ...)` and the conjunction of all clauses agree",
    ),
    KnownEquivalent(
        "model/chain/security.py:NumberReplacer:2",
        "d315f55d7943",
        "§4.2: the consensus round a committed block carries is a label that every CommitBlock sets"
        " alike (0 or 1); double-sign evidence pairs two commits of the same height and round, and"
        " the chain's equivocations build both commits themselves, so no state tells 0 from 1",
    ),
    KnownEquivalent(
        "model/trusted/round.py:ReplaceBinaryOperator_Add_BitXor:0",
        "8da662170c70",
        "§3.2 F6: the deadline computed here only words the refusal of an early expiry; the"
        " decision to refuse reads `is_app_salt_deadline_passed`, so only the message changes",
    ),
    KnownEquivalent(
        "model/escrow.py:ReplaceComparisonOperator_Eq_LtE:1",
        "e9d8f8d096c5",
        "§6.3.3 average price: `held_ustr` is an escrow's STR balance, never negative (every"
        " debit is checked against the balance), so `<= 0` and `== 0` agree",
    ),
    KnownEquivalent(
        "model/reputation.py:NumberReplacer:27",
        "7956d7095442",
        "§4.5 outbound log: every logged time is the chain's clock when it was logged, and the"
        " clock never runs back (AdvanceTime refuses a negative step), so `now` is never below"
        " the newest entry nor the oldest: both tests are always false",
    ),
    KnownEquivalent(
        "model/trusted/settlement.py:NumberReplacer:2",
        "dc285889538c",
        "§3.3: settlement's check for unregistered nodes is never reached: the chain's RunRound"
        " refuses a plan naming an unregistered node before the round runs, and the round"
        " search settles on a chain that registered every node; only that refusal's text moved",
    ),
    KnownEquivalent(
        "model/trusted/round.py:ReplaceComparisonOperator_NotEq_Lt:0",
        "ca26e2e80591",
        "§3.2 F1: a set of the assigned nodes is never larger than their list, so `<` and `!=`"
        " agree on every input",
    ),
    KnownEquivalent(
        "model/trusted/settlement.py:ReplaceOrWithAnd:2",
        "16619f27be1b",
        "§3.3: a round's decision is set exactly when its phase becomes DECIDED (the decision"
        " and the expiry of an app that withheld its salts set both at once), so `phase is not"
        " DECIDED` and `decision is None` are both true or both false on every round state",
    ),
    KnownEquivalent(
        "model/staking.py:ReplaceComparisonOperator_Eq_Is:2",
        "926a9a86bcd7",
        "§4.2: the bonded pool never reaches this guard as a delegator: Delegate refuses a"
        " signer that is not a user account first, and genesis bonds come from validator"
        " operators; the test is false either way",
    ),
    KnownEquivalent(
        "model/escrow.py:NumberReplacer:25",
        "606ced5f152b",
        "§4.4: settlement pays a validation prefund only when it is positive, so the prefund"
        " here is never negative and `-1 <=` and `0 <=` agree",
    ),
    KnownEquivalent(
        "model/trusted/round.py:ReplaceBinaryOperator_Add_FloorDiv:0",
        "baa6af65efc0",
        "§3.2 F6: the same refusal message as `round.py:ReplaceBinaryOperator_Add_BitXor:0`: the"
        " deadline computed here is only printed; the decision reads `is_app_salt_deadline_passed`",
    ),
    KnownEquivalent(
        "model/escrow.py:NumberReplacer:11",
        "1d7083a53c3e",
        "§6.3.3 average price: a zero deposit returns before this test, so with `held_ustr == 0`"
        " the weighted average `(0 * old + d * price) / d` is exactly `price`, what the early"
        " return gives; `held_ustr`, a balance, is never -1",
    ),
    KnownEquivalent(
        "model/payment.py:ReplaceComparisonOperator_Eq_LtE:2",
        "ac3a35dcc2e5",
        "§6.7 swap: the reserve's STB is a balance, never negative, so `<= 0` and `== 0` agree",
    ),
    KnownEquivalent(
        "model/payment.py:ReplaceComparisonOperator_Eq_Lt:2",
        "e89f9a39f000",
        "§6.7 swap: with an empty reserve (a balance is never negative) the mutant goes on where"
        " the original returns the ledger: at a valid price it buys and burns 0 ustr, steps that"
        " change nothing; at an invalid one it refuses, and a refused action changes nothing"
        " either: the chain's state after the action is the same",
    ),
    KnownEquivalent(
        "model/ledger.py:ReplaceComparisonOperator_Eq_LtE:5",
        "0f3908b9ca22",
        "§6.2 transfer: `_check_amount` refuses a negative amount first, so `<= 0` and `== 0`"
        " agree",
    ),
    KnownEquivalent(
        "model/trusted/round.py:ReplaceComparisonOperator_NotEq_IsNot:3",
        "249488656cbd",
        "§3.2 F6: `compute_hash` memoizes its digests, so a salt's digest and the on-chain hash"
        " of equal bytes are one object exactly when they are equal (the argument of"
        " `round.py:ReplaceComparisonOperator_Eq_Is:0`): `is not` and `!=` agree",
    ),
    KnownEquivalent(
        "model/trusted/round.py:ReplaceComparisonOperator_NotEq_Is:2",
        "fc7fddf63c00",
        "§3.2 F6: no caller reveals salts for other than exactly the assigned nodes (the scenario"
        " reveals the salts it generated for them; the round search's forged salt replaces one"
        " value under the same keys), so the guard's test is false either way",
    ),
    KnownEquivalent(
        "model/trusted/settlement.py:ReplaceFalseWithTrue:0",
        "82e40d97d80f",
        "§3.2 F6: the default of `RoundOutcome.app_withheld_salts` is never used: both"
        " constructors (the model's settlement and the executor's) pass it",
    ),
    KnownEquivalent(
        "model/payment.py:ReplaceOrWithAnd:0",
        "8325f15e5b0e",
        "§6.3.3: an escrow's price is None or set from a prepayment whose price the chain checked"
        " positive, so `None or invalid` and `None and invalid` agree on every escrow price",
    ),
    KnownEquivalent(
        "model/trusted/scenario.py:ReplaceBinaryOperator_Add_LShift:5",
        "6645beb88ecf",
        "§3.5.2: the time passed to the runner's `apply` is read only when the step is refused;"
        " the complaint of a node with a bad salt is made at t0 + 1 (its own `now`), inside the"
        " commit phase, by an assigned node that has not complained: never refused",
    ),
    KnownEquivalent(
        "model/trusted/scenario.py:ReplaceBinaryOperator_Add_Pow:5",
        "22aec0df3a13",
        "§3.5.2: as `scenario.py:ReplaceBinaryOperator_Add_LShift:5`, the complaint step's time"
        " is read only on a refusal, which never happens",
    ),
    KnownEquivalent(
        "model/reputation.py:NumberReplacer:29",
        "8c874d547d72",
        "§4.5 outbound log: only the message of a refusal the clock never triggers (the argument"
        " of `reputation.py:NumberReplacer:27`: the log's times are the chain's clock, which"
        " never runs back) reads `outbound_log[-0]` for `[-1]`",
    ),
    KnownEquivalent(
        "model/trusted/scenario.py:ReplaceBinaryOperator_Add_BitAnd:5",
        "682ed3efe4c6",
        "§3.5.2: as `scenario.py:ReplaceBinaryOperator_Add_LShift:5`, the complaint step's time"
        " is read only on a refusal, which never happens",
    ),
    KnownEquivalent(
        "model/trusted/billing.py:NumberReplacer:1",
        "5892ef3b28ec",
        "§4.4: the default validation prefund of `run_trusted_function` is used only by tests:"
        " its one caller in what `check` runs, the executor's `predict`, always passes the call's"
        " prefund",
    ),
    KnownEquivalent(
        "model/trusted/round.py:ReplaceBinaryOperator_Add_BitOr:0",
        "a03b4db6743c",
        "§3.2 F6: the same refusal message as `round.py:ReplaceBinaryOperator_Add_BitXor:0`: the"
        " deadline computed here is only printed; the decision reads `is_app_salt_deadline_passed`",
    ),
    KnownEquivalent(
        "model/staking.py:ReplaceComparisonOperator_Eq_GtE:5",
        "a4f3d618e3da",
        "§6.10: no action hands the chain double-sign evidence; `process_equivocate` builds both"
        " votes itself at one height, where `>=` and `==` agree (the argument of"
        " `staking.py:ReplaceAndWithOr:1`)",
    ),
    KnownEquivalent(
        "model/escrow.py:NumberReplacer:7",
        "4e482f17dd32",
        "§4.3.1: every cost reaching `_check_cost` comes from a RunRound, which refuses a negative"
        " cost before the round runs, or from the executor's decoded usage, never negative: `< -1`"
        " and `< 0` agree on every cost that arrives",
    ),
    KnownEquivalent(
        "model/chain/state.py:NumberReplacer:5",
        "aa3ec2d58c9a",
        "§4.3.1: the genesis default of a developer's STB is used only by tests' fixtures: the"
        " machine's genesis strategy always sets it, and no other engine builds a genesis",
    ),
    KnownEquivalent(
        "model/escrow.py:ReplaceComparisonOperator_NotEq_Gt:3",
        "2abea3e82993",
        "§4.3.1: the chain's WithdrawPrepayment passes the escrow's own developer as the one who"
        " withdraws, so `developer > escrow.developer` and `!=` are both false on every call",
    ),
)
"""Mutants explained by hand, each with its reason; `tests/mutation/test_mechanical.py` keeps every
entry matching a mutant of the current model."""

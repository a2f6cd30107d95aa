"""The invariant catalogue of DESIGN.md as data: every ID, its statement, section and engines.

Tests, proofs, executor checks and reports all name invariants through `CATALOGUE`, so an ID
means one thing everywhere. An engine claims an ID here; `tests/properties/test_catalogue.py`
fails when an engine claims an ID it does not check, or checks one it does not claim.
"""

from __future__ import annotations

from enum import Enum

from attrs import frozen

from oracle.domains import DOMAINS


class Engine(Enum):
    """The three engines that look at the model."""

    HYPOTHESIS = "hypothesis"
    """properties/: stateful machines and the bounded exhaustive round exploration."""
    Z3 = "z3"
    """solver/: proofs for all inputs in a domain."""
    EXECUTOR = "executor"
    """executor/: real functions in node processes, compared with the model."""


H, Z, X = Engine.HYPOTHESIS, Engine.Z3, Engine.EXECUTOR


@frozen
class Invariant:
    """One catalogue row."""

    id: str
    statement: str
    section: str
    engines: frozenset[Engine]


def _row(id: str, statement: str, section: str, *engines: Engine) -> Invariant:
    return Invariant(id=id, statement=statement, section=section, engines=frozenset(engines))


CATALOGUE: tuple[Invariant, ...] = (
    _row(
        "CONS-STR",
        "sum of all STR holdings (accounts, escrows, bonds, delegations, module pools) + burned"
        " = genesis + minted",
        "6.2, 6.4, 6.9",
        H,
        Z,
    ),
    _row("CONS-STB", "sum of all STB holdings = USDC locked in the bridge", "6.1", H, Z),
    _row(
        "CONS-SPLIT",
        "the parts of a node payment sum exactly to the amount withdrawn, none negative, for"
        " every cost and every valid parameter set",
        "6.3",
        H,
        Z,
    ),
    _row(
        "ESCROW-SOLVENT",
        "no escrow goes negative; an app's payouts come only from its own escrow",
        "4.3.1, 4.4",
        H,
        Z,
        X,
    ),
    _row("PAY-COST", "a paid node receives at least its cost in STB", "6.3.1", H, Z),
    _row("PAY-VECTOR", "the §6.3.3 example is reproduced exactly", "6.3.3", H),
    _row(
        "PAY-USD",
        "a node paid for a round receives, valued at the STR price when its round settles, its"
        " cost and STB profit in STB and STR worth its STR profit share of T (§6.3.2), less the"
        " conversion dust (under one ustr for each of the three STR parts)",
        "6.3, 6.3.2, 6.3.3, 6.6",
        H,
    ),
    _row(
        "PAY-FUNDED",
        "every node of a passed supermajority is paid in full when its round settles: nothing is"
        " owed",
        "4.3.1, 3.3 F12",
        H,
    ),
    _row(
        "PAY-BURN",
        "total burn share = STR burn bps + STB reserve bps (15% at defaults); the STR the"
        " swap reserve buys is burned",
        "6.4, 6.7",
        Z,
        H,
    ),
    _row(
        "PAY-BURN-MARKET",
        "a swap-reserve market order sells all the reserve's STB X_in to Stratoswap and burns"
        " exactly the STR the pool's constant-product curve pays for it after the commission f,"
        " the most that keeps (X + a(1 - f)) * (Y - out) >= X * Y; valued at the pool's price"
        " before the order (Y / X) that STR falls short of the STB spent by at most"
        " a * (f + a / X) plus one ustr of rounding, never exceeds it, and leaves the pool STR,"
        " so a payment's burn reaches §6.4's 15% of total spend only with an infinitely deep,"
        " fee-less pool",
        "6.4, 6.6, 6.7",
        H,
        Z,
    ),
    _row(
        "PAY-ONLY-MAJORITY",
        "only nodes in the supermajority group are paid, and only when consensus is TRUE; a"
        " payment locked in escrow is paid only after more than 2/3 of the round's validators"
        " vote its resolution, and only to the nodes that revealed the resolved output (the"
        " supermajority group while byzantine validators hold under 1/3 of the committee)",
        "3.3 F11, Step 12",
        H,
        X,
    ),
    _row(
        "APP-VALIDATORS",
        "a round's validators are the developer's count of the active set, drawn by the seed"
        " of their commit-reveal beacon, none of them one that withheld its beacon secret (it"
        " saw the others' first); the block's proposer is one of them; only they vote",
        "3.3, 4.3.2, 4.4",
        H,
        X,
    ),
    _row(
        "BFT-VALIDATORS",
        "a decision or block passes only with > 2/3 of the round's validators, an equivocator"
        " counted for neither, so two conflicting decisions never both pass; with byzantine"
        " validators under 1/3, the decision that passes is F10 over the nodes' reveals",
        "3.3 Steps 10, 12; 4.2",
        H,
        Z,
        X,
    ),
    _row("BFT-THRESHOLD", "consensus TRUE iff 3·agree > 2·N, for all N", "3.3 F10", Z),
    _row("BFT-UNIQUE", "at most one output can reach the threshold", "3.3", Z, H),
    _row(
        "BFT-DEVIATION",
        "with the allowed deviation d an app sets, at most one output of its round agrees"
        " (agree·10^4 >= (10^4 - d)·N, N the round's nodes), for every d the app may set and"
        " every N; a TRUE consensus is on an output that agrees",
        "4.3.3 (c), 3.3 F10",
        H,
        Z,
    ),
    _row(
        "APP-SETTINGS",
        "a round of an app with a service runs only its chosen nodes (at most max_nodes, the"
        " lowest bids), no sooner than its frequency after the last, and pays each node by its"
        " own bid; a launch locks exactly its stake (the app's §4.5 stake, hardened), a choice"
        " pays each new node the initiation fee, a use pays the usage fee, nothing else moves",
        "4.3.3, 4.4, 6.3.2",
        H,
    ),
    _row(
        "BFT-SOUND",
        "with 3f < N faulty nodes, a TRUE consensus is the honest output",
        "3.3",
        Z,
        H,
        X,
    ),
    _row(
        "BFT-TIMEOUT",
        "nodes that do not commit or reveal cannot help a minority reach consensus",
        "3.2 F5, F7",
        Z,
        H,
        X,
    ),
    _row(
        "BFT-ACCOUNTABLE",
        "two conflicting block commits at one height imply >= 1/3 of voting power"
        " double-signed, all slashable",
        "4.2, 6.10",
        Z,
        H,
    ),
    _row(
        "CR-BINDING",
        "a reveal that does not match its commit is slashed and unpaid",
        "3.2, 3.3 F11",
        H,
        X,
    ),
    _row(
        "CR-NO-COPY",
        "a node that copies another node's commit fails verification",
        "3.5.3",
        H,
        X,
    ),
    _row(
        "CR-APP-SALT",
        "a node given a salt whose hash differs from the on-chain hash does not serve and"
        " complains",
        "3.2 F4, 3.5.2",
        H,
        X,
    ),
    _row("CR-INJECTIVE", "the composite-hash encoding is injective", "3.2 F4", Z, H, X),
    _row(
        "CR-VERIFIABLE",
        "after reveal, commit(n) can be recomputed from public data; checking the outputs sent to"
        " it, the app complains about exactly the nodes whose output does not hash to their"
        " revealed output hash or whose reveal public data shows does not open their commit",
        "3.2 F7-F9",
        H,
        X,
    ),
    _row(
        "CR-PHASES",
        "commit, salt reveal, reveal, consensus happen in order, once per node per round",
        "3.2",
        H,
    ),
    _row(
        "ROUND-LIVE",
        "every reachable round state can still reach an end, a payout or an escrow lock"
        " (no deadlock)",
        "3.2 F5-F7, 3.3 F12",
        H,
    ),
    _row("SLASH-BOUNDS", "base <= rate <= 100% for every slash sequence", "6.10", Z, H),
    _row(
        "SLASH-DOUBLING",
        "within one window the k-th slash rate is min(base·2^(k-1), cap): the text's factor 2,"
        " which governance cannot move (the constitution pins slash_factor at 2); base and cap"
        " are the governed values",
        "6.10",
        Z,
        H,
    ),
    _row(
        "SLASH-DECAY",
        "each expired window halves the rate (the text's factor 2, whatever slash_factor holds),"
        " never below base",
        "6.10",
        Z,
        H,
    ),
    _row(
        "SLASH-STAKE",
        "stake never goes negative; slashed amounts are conserved (burned)",
        "6.10",
        Z,
        H,
    ),
    _row(
        "SLASH-DELEGATORS",
        "delegators lose the same fraction as their validator",
        "4.2",
        H,
        Z,
    ),
    _row(
        "SLASH-AVOIDED",
        "stake bonded to a validator at the time of its double sign loses the slash rate when the"
        " evidence comes, whether or not it was undelegated since, until the unbonding period"
        " (Cosmos' 21 days) has passed",
        "6.10, 4.2",
        H,
    ),
    _row(
        "REW-PRORATA",
        "a staking period's rewards pay each bond to an eligible validator (the active set in"
        " good standing; literally, those above its smallest stake) floor(pool * bond / eligible"
        " stake) out of the rewards pool; the dust, less than one ustr per bond, stays in the"
        " pool, so the shares and the dust sum exactly to the pool",
        "6.9, 4.2",
        H,
        Z,
    ),
    _row(
        "VAL-STANDING",
        "jailed and tombstoned validators carry no voting power and earn no rewards; a tombstone"
        " is for ever; a validator is jailed only on evidence (a double sign, more than half of"
        " Cosmos' 100 watched blocks missed, no vote on a §6.8 core change) and leaves jail only"
        " by unjailing once the jail has ended",
        "6.10, 6.8, 4.2",
        H,
    ),
    _row(
        "VAL-SET-ORDER",
        "the active set depends only on the stakes, not on the order in which validators"
        " arrived: the same stakes seat the same validators, those with the most stake",
        "4.2",
        Z,
    ),
    _row(
        "VAL-PAY",
        "a round's validation prefund pays each selected validator prefund // count STR, count ="
        " all subscribers (the round's committee) unless prefund // subscribers is below the"
        " floor, then prefund // floor of them, chosen by the round's beacon; the remainder stays"
        " in the app's escrow; nobody is paid below the floor",
        "4.4",
        H,
    ),
    _row(
        "PAY-EXTERNAL",
        "an outbound request made by a node moves exactly the governed base payout per external"
        " request (market.external_request_payout_ustb) in STB from the app's own escrow to that"
        " node's account and no other STB; a request the escrow cannot pay is refused and not"
        " counted against the §4.5 cap",
        "4.4",
        H,
    ),
    _row(
        "GOV-PARAMS",
        "every parameter within the constitution's range for its key (docs/constitution.md, the"
        " hardened table under every profile) and in its documented domain (docs/model.md), and"
        " every value of a proposal the chain accepted in its domain; each fraction of two keys"
        " (consensus threshold, supermajority) at least 2/3 and below 1; shares coherent (cost"
        " basis + STB margin + STR margin = 100% of T, the cost basis the cost's share of T"
        " rounded up to whole bps, §6.3.1; sub-shares sum to their margin)",
        "6.8",
        Z,
        H,
    ),
    _row(
        "GOV-SAFE",
        "no proposal that governance can adopt leads to a parameter set under which an invariant"
        " fails: every set the profile's constitution lets a vote adopt (each key in its range,"
        " the fractions' bounds, coherent shares where the tally checks them;"
        " docs/constitution.md) keeps every invariant",
        "6.8",
        Z,
        H,
    ),
    _row(
        "GOV-DEFAULTS",
        "the whitepaper defaults the tool checks (what `check` reads with no file, and the base of"
        " every proposal) are the numbers the whitepaper quotes: T = 2x the cost, the shares of"
        " §6.8, a 5% first slash doubling within two years, > 2/3, 11% inflation falling to 2%,"
        " 80% of a complaint refunded, more than 1% to activate a subcommittee, 10 requests a"
        " minute, $10,000 and six months; DESIGN.md's reading where the text gives no number",
        "6.3, 6.8, 6.10, 3.3, 6.9, 4.5",
        H,
    ),
    _row(
        "GOV-SUPERMAJORITY",
        "burn % and network support % change only with > 2/3 of STR votes (abstentions"
        " included): the text's 2/3, whatever the governed supermajority (the constitution keeps"
        " it at 2/3 or above)",
        "6.4, 6.5",
        H,
    ),
    _row(
        "GOV-SUBCOMMITTEE",
        "active iff > 1% of STR delegated (the text's 1%, which governance cannot move: the"
        " constitution pins the activation share at 100 bps); each unit in at most one",
        "6.8",
        H,
    ),
    _row(
        "GOV-SUBCOMMITTEE-BOUND",
        "at most ceil(10^4/s) - 1 subcommittees can be active at once, for any activation share"
        " 1 <= s <= 10^4 bps (99 at §6.8's 1%), and that many can be: each active one holds more"
        " than s/10^4 of all STR, and no STR backs two",
        "6.8",
        Z,
    ),
    _row(
        "GOV-COMPLAINT",
        "a resolved complaint's MinDeposit returns 80% to the complainant if upheld, else to the"
        " reserve pool; the other 20% pays the validators equally, its remainder to the reserve"
        " pool (the text's 80/20, which governance cannot move: the constitution pins the refund"
        " at 8000 bps)",
        "6.8",
        H,
    ),
    _row(
        "SUP-INFLATION",
        "inflation rate starts at 11% (the text's, which governance cannot move: the"
        " constitution pins the initial rate at 1100 bps), never rises, never negative",
        "6.9",
        Z,
        H,
    ),
    _row(
        "REP-OUTBOUND",
        "an unqualified app never exceeds 10 outbound requests per minute: the text's 10,"
        " whatever the governed cap (the constitution keeps it in 1..10: tightened, never"
        " loosened)",
        "4.5",
        H,
    ),
    _row(
        "REP-RECORDED",
        "an upheld complaint on a node adds one to that node's upheld complaints on-chain; a"
        " settled round's F9 complaints of its app add one to each named node's output"
        " complaints; a settled round starts its app's active use (the start §4.5's six months"
        " count from); nothing else moves these records",
        "6.8, 3.2 F9, 4.5",
        H,
    ),
    _row(
        "INS-POOL",
        "the insurance pool holds STR only; it grows only by a contribution of exactly its"
        " amount and shrinks only by a payout of exactly its amount to a user account, for a"
        " cybercrime bounty or a node's reimbursement",
        "4.5",
        H,
    ),
    _row(
        "SUB-POWERS",
        "a Network Support grant (its committees by purpose: app mining also the App Mining"
        " Voting Committee's), an insurance payout (the Insurance Pool Payouts Committee's) or a"
        " node slash (the Complaint Network Committee's) is carried out only while each of its"
        " committees has more than 1% of all STR delegated (the text's 1%) and on its vote:"
        " signing delegators, each weighing the STR it delegated to that committee, holding"
        " more than 2/3 of the STR delegated to it",
        "6.8, 6.5, 6.10, 4.5",
        H,
        Z,
    ),
    # Action contracts: each accepted action does what it says, to whom it says, once, on time.
    _row(
        "ACT-BRIDGE",
        "a USDC deposit credits its recipient, a user's wallet, exactly its amount of STB and"
        " locks as much USDC;"
        " a redemption debits its holder exactly its amount and releases as much; no other"
        " balance, counter or record moves",
        "6.1",
        H,
    ),
    _row(
        "ACT-TRANSFER",
        "a transfer between two user accounts debits the sender and credits the recipient exactly"
        " the amount of the token named; no other balance, counter or record moves; on"
        " Stratoswap a deposit takes both tokens at the pool's ratio (rounded for the pool) for"
        " floor-proportional shares, a redemption pays each reserve's floor-proportional part,"
        " and a market order pays exactly the constant-product curve's amount after the"
        " commission, at least its limit, and moves nothing else",
        "6.2, 6.6",
        H,
    ),
    _row(
        "ACT-ESCROW",
        "a prepayment moves exactly its STB and STR from the app's developer into the app's escrow"
        " (at the deposit-weighted price); a withdrawal moves them back to the developer; a"
        " resolved locked payment pays each of its nodes the locked split out of the locked escrow"
        " or returns all of it to the escrow; a prepayment sized for timeframes moves nodes x"
        " timeframes x (a node's STB and its STR margin at the market price, §4.3.1); owed node"
        " payments are paid oldest first, each in full at the payout price; a market price report"
        " sets only the chain's STR price (§6.6); nothing else moves",
        "4.3.1, 3.3 Step 12, 6.6",
        H,
    ),
    _row(
        "ACT-ROUND",
        "a RunRound debits only the app's escrow: on consensus TRUE each supermajority node is"
        " credited the §6.3 split's node STB and STR (at the escrow's price), the swap reserve,"
        " network support and the burn address their parts; on FALSE the counted nodes' payment"
        " moves to the locked escrow; a mismatched node's stake is burned; a validation prefund"
        " pays validators equal parts; nothing else moves",
        "3.3 F11-F12, 6.3, 4.4",
        H,
        X,
    ),
    _row(
        "ACT-STAKING",
        "a delegation moves exactly its amount from the delegator into the bonded pool and raises"
        " that one bond by it; an undelegation lowers that bond by the amount (never below zero)"
        " and credits the delegator exactly; a block commit moves no token, raises the height by"
        " one and records a commit over the threshold",
        "4.2",
        H,
    ),
    _row(
        "ACT-SLASH",
        "a slash lowers only the offender's bonds, burns exactly what they lost from the bonded"
        " pool and records the offence at the time of the slash; no other bond, balance or"
        " record moves",
        "6.10, 4.2",
        H,
    ),
    _row(
        "ACT-SUPPLY",
        "an inflation mint credits only the rewards pool, never more than the curve accrues on"
        " the circulating supply since the last mint and less only by the fraction of a ustr per"
        " stretch of one rate; a reserve swap sends all the reserve's STB to Stratoswap and burns"
        " exactly the STR the pool's curve pays for it",
        "6.9, 6.7",
        H,
    ),
    _row(
        "ACT-GRANT",
        "a Network Support grant is paid only while its subcommittee holds strictly more than the"
        " activation share of circulating STR, only to a user account, and moves exactly its"
        " amount from Network Support to the recipient; an insurance payout likewise from the"
        " insurance pool while its committee is active, a contribution exactly from its"
        " contributor into the pool, and a committee's node slash burns exactly its amount of"
        " that node's stake from the node stakes' pool; nothing else moves",
        "6.5, 6.8, 4.5, 6.10",
        H,
    ),
    _row(
        "ACT-GOVERNANCE",
        "a proposal locks exactly its deposit and opens one new proposal; a vote records only its"
        " voter's option; a tally returns exactly the deposit to the proposer and changes the live"
        " parameters by exactly the proposal's changes if it passed, else not at all",
        "6.8",
        H,
    ),
    _row(
        "ACT-SUBCOMMITTEE",
        "a subcommittee delegation moves exactly its amount into the subcommittees' pool and"
        " raises that one delegation; an undelegation lowers it by the amount (never below zero)"
        " and credits the delegator exactly; creating a subcommittee moves no token",
        "6.8",
        H,
    ),
    _row(
        "ACT-COMPLAINT",
        "a complaint locks exactly its deposit, at least the MinDeposit; its resolution pays out"
        " exactly that deposit, only to the complainant (if upheld), the reserve pool and the"
        " active validators, and records the verdict",
        "6.8",
        H,
    ),
    _row(
        "ACT-REPUTATION",
        "a settled round adds each node's entry (majority, minority, absent, or none if its app"
        " wronged it) to its track record and its nodes' complaints to the app's record, and"
        " starts the app's active use if it had not begun; an app profile sets exactly the"
        " open-source flag and stake given; an outbound request logs exactly the current time for"
        " its app and, made by a node, moves only §4.4's base payout to it (PAY-EXTERNAL); none"
        " moves another token or record",
        "4.5, 3.4, 3.5.2",
        H,
    ),
    _row(
        "ACT-ONCE",
        "each happens at most once: a bridge deposit id mints, a complaint is resolved, a proposal"
        " is tallied, a locked payment is resolved, a round id runs, a double-sign is slashed, a"
        " proposal or complaint id is filed; a second attempt is refused or changes nothing",
        "6.1, 6.8, 3.3, 6.10",
        H,
    ),
    _row(
        "ACT-DEADLINE",
        "a vote is accepted only while now < its end (one voting period after submission), a tally"
        " only once now >= the end; a counted reveal came at most the reveal timeout after the"
        " reveal phase opened; an app's salts expire only after their timeout; a mint covers"
        " exactly [last mint, now); the clock moves by exactly each time step",
        "6.8, 3.2 F6-F7, 6.9",
        H,
    ),
    _row(
        "ACT-ALLOWED",
        "what the whitepaper allows is applied, not refused: a transfer of at most the sender's"
        " balance between two user accounts; a bridge deposit to a wallet under a new deposit id,"
        " and a redemption of at most the holder's STB while the bridge holds the USDC; a"
        " delegation of a positive amount of the delegator's STR to a registered validator, and"
        " an undelegation of at most the bond; a prepayment by the app's developer of what it"
        " holds, with a positive price for any STR, and a withdrawal of at most the escrow's"
        " balance; a user's vote on a proposal while its voting period is open, and a user's"
        " complaint under a new id with a deposit of at least the MinDeposit that it holds; an"
        " outbound"
        " request of an app that is exempt from the cap, or that made fewer than the cap's"
        " requests in the minute up to now, at a positive price; a user's proposal changing known"
        " keys once each to values inside their documented domains, with a deposit it holds"
        " (coherent shares too, hardened); the tally of an untallied proposal once its vote is"
        " over; the resolution of an open complaint; a new subcommittee, a delegation of held STR"
        " to one and the return of at most what was delegated; a grant from what Network Support"
        " holds while its committees are active (hardened: on their vote); a contribution of held"
        " STR to the insurance pool, and a payout from what it holds or a slash of at most a"
        " node's stake while their committee is active (hardened: on its vote); a double sign or another fault of a registered"
        " validator, slashed once per height and round; a block signed by more than the"
        " threshold of voting power; the clock moving forward and a mint since the last one; a"
        " well-formed Trusted Function round of registered nodes for an app whose escrow holds a"
        " split per node and the validation prefund, and the resolution, paid or returned, of a"
        " locked payment; a genesis with every amount in its range. A round or resolution with a"
        " caller's error (a node twice, a bad copy_from or wrong_output, a wrong output equal to"
        " the correct one, an unregistered node, no escrow, an amount that is not a whole"
        " non-negative number, no locked payment under the round id) is refused, not applied",
        "6.2, 6.1, 4.2, 4.3.1, 6.8, 4.5, 6.5, 6.10, 6.9, 3.2, 3.3, 4.4",
        H,
    ),
    _row(
        "ACT-TOTAL",
        "every action on every reachable state is applied or refused with a reason: no transition"
        " raises or returns a malformed state (a part of another type than declared, a"
        " non-integer number), and no model function raises on a reachable state (every"
        " validator applies every transaction of a committed block, and one that raises halts"
        " the chain at that height)",
        "4.2",
        H,
    ),
    _row(
        "GROUNDED",
        "for every scenario, the executor's observed outcome equals the model's prediction",
        "3",
        X,
    ),
)

INVARIANTS: dict[str, Invariant] = {invariant.id: invariant for invariant in CATALOGUE}
INVARIANT_IDS: tuple[str, ...] = tuple(invariant.id for invariant in CATALOGUE)


class UnknownInvariantError(KeyError):
    """Raised when a caller names an invariant ID that is not in the catalogue."""


def get_invariant(invariant_id: str) -> Invariant:
    """The catalogue row of `invariant_id`; an unknown ID raises UnknownInvariantError."""
    try:
        return INVARIANTS[invariant_id]
    except KeyError:
        known = ", ".join(INVARIANT_IDS)
        raise UnknownInvariantError(f"unknown invariant {invariant_id!r}; known: {known}") from None


def get_ids_for(engine: Engine) -> tuple[str, ...]:
    """The IDs `engine` claims, in catalogue order."""
    return tuple(invariant.id for invariant in CATALOGUE if engine in invariant.engines)


# --- The parameters each invariant reads ----------------------------------------------------------

# The six shares `model.arith.split_payment` reads; a negative part also refuses the payment.
_SPLIT_SHARES = (
    "payment.payment_rate_bps",
    "payment.stb_profit_margin_bps",
    "payment.stb_reserve_swap_bps",
    "payment.str_profit_margin_bps",
    "payment.str_burn_bps",
    "payment.str_network_support_bps",
)
# `model.arith.COHERENCE_KEYS`: every key a coherence rule of §6.8 reads.
_COHERENCE = (
    "payment.payment_rate_bps",
    "payment.stb_profit_margin_bps",
    "payment.stb_node_profit_bps",
    "payment.stb_reserve_swap_bps",
    "payment.str_profit_margin_bps",
    "payment.str_node_profit_bps",
    "payment.str_burn_bps",
    "payment.str_network_support_bps",
    "consensus.threshold_num",
    "consensus.threshold_den",
    "governance.supermajority_num",
    "governance.supermajority_den",
)
COHERENCE: tuple[str, ...] = _COHERENCE
"""Every key a coherence rule of §6.8 reads: the rate, the shares of T, both thresholds."""
# Every key of the payment subspace.
_PAYMENT = (*_COHERENCE[:8], "payment.validation_floor_ustr")
_THRESHOLD = ("consensus.threshold_num", "consensus.threshold_den")
_TIMEOUTS = (
    "consensus.commit_timeout_seconds",
    "consensus.reveal_timeout_seconds",
    "consensus.app_salt_timeout_seconds",
)
_SCHEDULE = ("slashing.slash_base_bps", "slashing.slash_factor", "slashing.slash_cap_bps")

# A number an invariant quotes (factor 2, 11%, > 2/3, > 1%, 80/20, 10 a minute) is fixed in its
# check; the key that governs the model's copy of it stays listed, since moving it moves the
# model's rule and so the verdict.
PARAMETERS_READ: dict[str, tuple[str, ...]] = {
    # One Z3 query encodes every transition kind: the split and the complaint refund (slash
    # rates are symbolic there, so no slashing key enters).
    "CONS-STR": (*_SPLIT_SHARES, "governance.complaint_refund_bps", "market.stratoswap_fee_bps"),
    "CONS-STB": (*_SPLIT_SHARES, "governance.complaint_refund_bps", "market.stratoswap_fee_bps"),
    # The Z3 goal checks the node's profits against their own shares (§6.8).
    "CONS-SPLIT": _COHERENCE[:8],
    # The validation floor decides how many validators an escrow pays.
    "ESCROW-SOLVENT": (
        *_SPLIT_SHARES,
        "payment.validation_floor_ustr",
        "governance.complaint_refund_bps",
        "market.stratoswap_fee_bps",
    ),
    "PAY-COST": (*_COHERENCE[:5], *_COHERENCE[6:8]),
    # §6.3.3's example applies only where every payment key has its whitepaper value.
    "PAY-VECTOR": _PAYMENT,
    # The split decides what a node is owed; the threshold, who is paid.
    "PAY-USD": (*_SPLIT_SHARES, *_THRESHOLD),
    # The split and the validation floor decide what a round needs; the threshold, who is paid.
    "PAY-FUNDED": (*_SPLIT_SHARES, "payment.validation_floor_ustr", *_THRESHOLD),
    "PAY-BURN": (*_SPLIT_SHARES, "market.stratoswap_fee_bps"),
    # The pool's commission decides what the reserve's STB buys.
    "PAY-BURN-MARKET": ("market.stratoswap_fee_bps",),
    # The threshold decides consensus, so who is paid.
    "PAY-ONLY-MAJORITY": _THRESHOLD,
    # The active set is drawn from; the count is the developer's (no parameter).
    "APP-VALIDATORS": ("consensus.max_validators",),
    # The model's votes pass at the governed threshold; the check holds them to 2/3.
    "BFT-VALIDATORS": _THRESHOLD,
    "BFT-THRESHOLD": _THRESHOLD,
    "BFT-UNIQUE": _THRESHOLD,
    # The deviation an app may set (hardened) and F10's threshold (hardened, both apply).
    "BFT-DEVIATION": (*_THRESHOLD, "market.max_deviation_bps"),
    # The initiation fee a choice pays and the bid cap a bid is held to; the payment keys that
    # pay a bid (through the split).
    "APP-SETTINGS": (
        *_SPLIT_SHARES,
        "market.initiation_fee_ustr",
        "market.max_str_margin_bps",
    ),
    "BFT-SOUND": _THRESHOLD,
    "BFT-TIMEOUT": _THRESHOLD,
    "BFT-ACCOUNTABLE": _THRESHOLD,
    # A reveal the profile cannot check is counted, and paid if its group passes the threshold.
    "CR-BINDING": _THRESHOLD,
    "CR-NO-COPY": _THRESHOLD,
    # The profile's encoding and reveal contents decide these three, not a parameter.
    "CR-APP-SALT": (),
    "CR-INJECTIVE": (),
    "CR-VERIFIABLE": (),
    "CR-PHASES": _TIMEOUTS,
    "ROUND-LIVE": _TIMEOUTS,
    "SLASH-BOUNDS": _SCHEDULE,
    "SLASH-DOUBLING": _SCHEDULE,
    # Decay is stated on the uncapped rate, so the cap does not enter it.
    "SLASH-DECAY": (
        "slashing.slash_base_bps",
        "slashing.slash_factor",
        "slashing.slash_window_seconds",
    ),
    "SLASH-STAKE": _SCHEDULE,
    "SLASH-DELEGATORS": _SCHEDULE,
    # The rate of the late slash, and the active set that commits the infraction's blocks.
    "SLASH-AVOIDED": (*_SCHEDULE, "consensus.max_validators"),
    # The active set decides who earns.
    "REW-PRORATA": ("consensus.max_validators",),
    # The active set decides whose blocks are watched and who must vote; the threshold, whose
    # commits pass.
    "VAL-STANDING": (*_THRESHOLD, "consensus.max_validators"),
    # Three validators for two seats: the claim fixes the set's size; the profile decides.
    "VAL-SET-ORDER": (),
    # The floor decides how many subscribers are paid; the committee comes from the active set.
    "VAL-PAY": ("payment.validation_floor_ustr", "consensus.max_validators"),
    "PAY-EXTERNAL": ("market.external_request_payout_ustb",),
    # Coherence reads the shares and thresholds; the documented domains and the constitution's
    # ranges read every key.
    "GOV-PARAMS": tuple(DOMAINS),
    # The defaults are the model's constant, whatever parameters the run checks.
    "GOV-SAFE": tuple(DOMAINS),
    "GOV-DEFAULTS": (),
    # The model's tally adopts at the governed supermajority; the check holds it to 2/3.
    "GOV-SUPERMAJORITY": ("governance.supermajority_num", "governance.supermajority_den"),
    "GOV-SUBCOMMITTEE": ("governance.subcommittee_activation_bps",),
    "GOV-SUBCOMMITTEE-BOUND": ("governance.subcommittee_activation_bps",),
    "GOV-COMPLAINT": ("governance.complaint_refund_bps",),
    "SUP-INFLATION": (
        "mint.inflation_initial_bps",
        "mint.inflation_step_bps",
        "mint.inflation_min_bps",
    ),
    "REP-OUTBOUND": (
        "reputation.outbound_requests_per_minute",
        "reputation.uncapped_min_stake_usd",
        "reputation.uncapped_min_active_seconds",
    ),
    "REP-RECORDED": (),
    "INS-POOL": (),
    # The activation share is the text's 1% (the governed key moves the model's copy of it).
    "SUB-POWERS": ("governance.subcommittee_activation_bps",),
    # The action contracts read the parameters their expectations are computed from.
    "ACT-BRIDGE": (),
    "ACT-TRANSFER": ("market.stratoswap_fee_bps",),
    # A locked payment carries its own split and price (ACT-ROUND checks them at the lock);
    # its resolution passes at the threshold of its committee.
    "ACT-ESCROW": _THRESHOLD,
    # The split, the validation floor, the threshold (who is paid) and the active set (who may
    # be paid a validation prefund).
    "ACT-ROUND": (
        "payment.payment_rate_bps",
        "payment.stb_profit_margin_bps",
        "payment.stb_reserve_swap_bps",
        "payment.str_profit_margin_bps",
        "payment.str_burn_bps",
        "payment.str_network_support_bps",
        "payment.validation_floor_ustr",
        *_THRESHOLD,
        "consensus.max_validators",
    ),
    # A block commit needs more than the threshold of the active set's power.
    "ACT-STAKING": (*_THRESHOLD, "consensus.max_validators"),
    "ACT-SLASH": (*_THRESHOLD, "consensus.max_validators"),
    "ACT-SUPPLY": (
        "mint.inflation_initial_bps",
        "mint.inflation_step_bps",
        "mint.inflation_min_bps",
        "market.stratoswap_fee_bps",
    ),
    "ACT-GRANT": ("governance.subcommittee_activation_bps",),
    "ACT-GOVERNANCE": (),
    "ACT-SUBCOMMITTEE": (),
    # The MinDeposit, and the active set the rest of a deposit pays.
    "ACT-COMPLAINT": ("consensus.max_validators", "governance.complaint_min_deposit_ustr"),
    "ACT-REPUTATION": ("market.external_request_payout_ustb",),
    "ACT-ONCE": (),
    "ACT-DEADLINE": (
        "consensus.reveal_timeout_seconds",
        "consensus.app_salt_timeout_seconds",
        "governance.voting_period_seconds",
    ),
    # A proposal is allowed by every key's documented domain (and the outbound cap, deposits,
    # thresholds, periods decide the other refusals): every key.
    "ACT-ALLOWED": tuple(DOMAINS),
    "ACT-TOTAL": (),
    # The executor's rounds run on the threshold and the phase timeouts.
    "GROUNDED": (*_THRESHOLD, *_TIMEOUTS),
}
"""Invariant ID -> the parameters ("subspace.key") whose value can change its verdict.

Read from the model and the proofs (`solver/proofs/*.py` reads them through `ParamTerms`); an
empty tuple means only the profile decides the invariant. Reports locate a failure at the
proposal lines that changed one of these.
"""


def get_parameters_read(invariant_id: str) -> tuple[str, ...]:
    """The parameters whose value can change `invariant_id`'s verdict, in parameter-set order."""
    get_invariant(invariant_id)
    return PARAMETERS_READ[invariant_id]

"""The mutants: realistic bugs in the model, each a one-place source edit kept as data.

Each `Mutant` names a file of `model/`, a snippet of its current source that occurs there exactly
once, and the code that replaces it. The suite is worth as much as the share of these it kills;
`tests/mutation/test_mutation_catalogue.py` keeps every snippet in step with the model.
"""

from __future__ import annotations

from attrs import frozen


@frozen
class Mutant:
    """One planted bug: replace `original` (once in `file`) by `replacement`."""

    id: str
    name: str
    """A short kebab-case handle, printed beside the id."""
    file: str
    """The mutated file, relative to the repository root."""
    original: str
    replacement: str
    description: str
    """What the bug does, in the protocol's words."""
    section: str
    """The whitepaper section whose rule it breaks."""
    expected: tuple[str, ...] = ()
    """Invariant IDs (with engines) expected to kill it, for the documentation."""
    equivalent: str = ""
    """Why no check can tell it from the model (empty: it is a real bug and must be killed)."""


MUTANTS: tuple[Mutant, ...] = (
    # --- Consensus (§3.3 F10) --------------------------------------------------------------------
    Mutant(
        id="M01",
        name="threshold-off-by-one",
        file="model/trusted/decision.py",
        original="len(members), base, deviation_bps, params=params, profile=profile",
        replacement="len(members) + 1, base, deviation_bps, params=params, profile=profile",
        description="F10 counts one agreeing node too many, so 2 of 4 nodes reach consensus",
        section="3.3 F10",
        expected=("BFT-TIMEOUT (H, X)", "GROUNDED (X)"),
    ),
    Mutant(
        id="M02",
        name="threshold-ge",
        file="model/arith.py",
        original="return alg.lt(alg.mul(num, base), alg.mul(agree, den))",
        replacement="return alg.lt(alg.sub(alg.mul(num, base), alg.lit(1)), alg.mul(agree, den))",
        description="F10 with >= for >: exactly 2/3 of the nodes (2 of 3) reach consensus",
        section="3.3 F10",
        expected=("BFT-THRESHOLD (Z)", "BFT-TIMEOUT (Z, H, X)", "GROUNDED (X)"),
    ),
    Mutant(
        id="M03",
        name="threshold-base-committed",
        file="model/trusted/round.py",
        original="        return len(state.assigned)\n",
        replacement="        return len(state.commits)\n",
        description=(
            "the hardened profile takes F10's N over the committed nodes only, so silent "
            "nodes shrink the bar"
        ),
        section="3.3 F10, 3.2 F5",
        expected=("BFT-TIMEOUT (H, X)", "GROUNDED (X)"),
    ),
    # --- Commit-reveal (§3.2) --------------------------------------------------------------------
    Mutant(
        id="M04",
        name="commit-after-deadline",
        file="model/trusted/round.py",
        original=(
            "    if _commit_deadline_passed(state, now, params):\n"
            '        return Rejected(rule, f"commit at {now} is after the commit timeout")'
        ),
        replacement=(
            "    if _commit_deadline_passed(state, now - 1, params):\n"
            '        return Rejected(rule, f"commit at {now} is after the commit timeout")'
        ),
        description="a commit one second past the commit timeout is still accepted",
        section="3.2 F5",
        expected=("GROUNDED (X)",),
    ),
    Mutant(
        id="M05",
        name="reveal-after-deadline",
        file="model/trusted/round.py",
        original="    if _reveal_deadline_passed(state, now, params):\n",
        replacement="    if False and _reveal_deadline_passed(state, now, params):\n",
        description="the reveal timeout is never enforced: a late reveal is counted",
        section="3.2 F7",
        expected=("GROUNDED (X)",),
    ),
    Mutant(
        id="M06",
        name="reveal-wrong-salt",
        file="model/trusted/round.py",
        original="        app_salt=state.app_salts[node],\n",
        replacement="        app_salt=state.app_salt_hashes[node],\n",
        description=(
            "validators recompute commit(n) with the app salt's hash instead of the salt, "
            "so every honest reveal is a mismatch"
        ),
        section="3.2 F9, 3.3 F11",
        expected=("GROUNDED (X)",),
    ),
    Mutant(
        id="M07",
        name="app-salt-unchecked",
        file="model/trusted/round.py",
        original=(
            "    return sent is not None and compute_hash(sent, state.algorithm) == "
            "state.app_salt_hashes[node]"
        ),
        replacement="    return sent is not None",
        description="a node never checks its app salt against the on-chain hash, so it serves",
        section="3.2 F4, 3.5.2",
        expected=("CR-APP-SALT (H, X)", "GROUNDED (X)"),
    ),
    Mutant(
        id="M08",
        name="commit-encoding-ignored",
        file="model/hashing.py",
        original="preimage = encode_fields((node_id, app_salt, node_salt, output_hash), encoding)",
        replacement=(
            "preimage = encode_fields(\n"
            "        (node_id, app_salt, node_salt, output_hash), CompositeEncoding.CONCATENATION\n"
            "    )"
        ),
        description=(
            "commit(n) ignores the profile's encoding: the hardened length-prefixed commit "
            "falls back to plain concatenation (not injective)"
        ),
        section="3.2 F4",
        expected=("CR-INJECTIVE",),
    ),
    # --- Settlement (§3.3 F11, F12) --------------------------------------------------------------
    Mutant(
        id="M09",
        name="pay-non-majority",
        file="model/trusted/settlement.py",
        original="        decision.supermajority\n        if applied == truth\n",
        replacement="        decision.counted\n        if applied == truth\n",
        description="under consensus TRUE every counted node is paid, the minority included",
        section="3.3 F11",
        expected=("PAY-ONLY-MAJORITY (H, X)", "GROUNDED (X)"),
    ),
    Mutant(
        id="M10",
        name="mismatch-unslashed-without-consensus",
        file="model/trusted/settlement.py",
        original="    for node in decision.mismatched:\n",
        replacement="    for node in decision.mismatched if decision.consensus else ():\n",
        description="a reveal that does not open its commit goes unslashed when consensus fails",
        section="3.3 F11",
        expected=("CR-BINDING (H, X)", "GROUNDED (X)"),
    ),
    Mutant(
        id="M11",
        name="lock-nobody",
        file="model/trusted/settlement.py",
        original=(
            "to_lock = tuple(sorted(state.commits)) if decision.app_withheld_salts "
            "else decision.counted"
        ),
        replacement=(
            "to_lock = tuple(sorted(state.commits)) if decision.app_withheld_salts "
            "else decision.supermajority"
        ),
        description="after consensus FALSE nothing is locked in escrow (the group is empty)",
        section="3.3 F12",
        expected=("GROUNDED (X)",),
    ),
    Mutant(
        id="M12",
        name="billing-ignored",
        file="model/trusted/billing.py",
        original="cost=0 if isinstance(cost, Rejected) else cost,",
        replacement="cost=usage,",
        description="the main round pays the claimed usage even when billing agreed on no amount",
        section="4.3.1",
        expected=("GROUNDED (X)",),
    ),
    # --- Payment and escrow (§6.3, §4.3.1, §4.4) --------------------------------------------------
    Mutant(
        id="M13",
        name="split-dust-dropped",
        file="model/arith.py",
        original="stb_cost_basis=alg.sub(alg.sub(total, stb_margin), str_margin),",
        replacement=(
            "stb_cost_basis=bps_of(\n"
            "            alg,\n"
            "            total,\n"
            "            alg.sub(\n"
            "                alg.sub(alg.lit(BPS_DENOMINATOR), shares.stb_profit_margin_bps),\n"
            "                shares.str_profit_margin_bps,\n"
            "            ),\n"
            "        ),"
        ),
        description=(
            "the cost basis is floored on its own share instead of absorbing the margins' dust, "
            "so up to two micro-units of T go nowhere"
        ),
        section="6.3",
        expected=("CONS-SPLIT (Z, H)",),
    ),
    Mutant(
        id="M14",
        name="reserve-paid-twice",
        file="model/payment.py",
        original="        (SWAP_RESERVE, Token.STB, split.stb_swap_reserve),\n",
        replacement=(
            "        (SWAP_RESERVE, Token.STB, split.stb_swap_reserve),\n"
            "        (SWAP_RESERVE, Token.STB, split.stb_swap_reserve),\n"
        ),
        description="the swap reserve's STB share is paid twice out of the escrow",
        section="6.3, 6.7",
        expected=("CONS-SPLIT (H)", "GROUNDED (X)"),
    ),
    Mutant(
        id="M15",
        name="swap-reserve-not-burned",
        file="model/payment.py",
        original=(
            "        # STR received by the swap reserve is sent to the burn contract "
            "automatically.\n"
            "        burn_step(SWAP_RESERVE, bought_ustr),\n"
        ),
        replacement="",
        description="the STR the swap reserve buys is kept instead of burned",
        section="6.4, 6.7",
        expected=("PAY-BURN",),
    ),
    Mutant(
        id="M16",
        name="escrow-foreign-payout",
        file="model/escrow.py",
        original="source=get_escrow_account(app),",
        replacement="source=get_escrow_account(min(book.escrows)),",
        description="a usage payment is drawn from the first app's escrow, whatever the app",
        section="4.3.1, 4.4",
        expected=("ESCROW-SOLVENT (H)",),
    ),
    Mutant(
        id="M17",
        name="locked-paid-twice",
        file="model/escrow.py",
        original="    resolved = attrs.evolve(escrow, locked=escrow.locked.remove(round_id))\n",
        replacement="    resolved = escrow\n",
        description="a resolved locked payment stays on the book, so it can be paid out again",
        section="3.3 F12",
        expected=("ESCROW-SOLVENT (H)",),
    ),
    Mutant(
        id="M18",
        name="withdraw-locked",
        file="model/escrow.py",
        original=(
            "    account = get_escrow_account(app)\n"
            "    steps = (\n"
            "        transfer_step(account, developer, Token.STB, ustb),\n"
        ),
        replacement=(
            "    account = get_locked_escrow_account(app)\n"
            "    steps = (\n"
            "        transfer_step(account, developer, Token.STB, ustb),\n"
        ),
        description="the developer withdraws from the locked escrow, taking disputed payments",
        section="4.3.1, 3.3 F12",
        expected=("ESCROW-SOLVENT (H)",),
    ),
    # --- Ledger and supply (§6.1, §6.4, §6.9) ----------------------------------------------------
    Mutant(
        id="M19",
        name="burn-not-counted",
        file="model/ledger.py",
        original="        ledger.str_burned + amount,\n",
        replacement="        ledger.str_burned,\n",
        description="STR sent to the burn address is not added to the burned counter",
        section="6.4",
        expected=("CONS-STR (H)",),
    ),
    Mutant(
        id="M20",
        name="stb-without-usdc",
        file="model/ledger.py",
        original=(
            "    ledger = _credit(ledger, recipient, Token.STB, amount)\n"
            "    return attrs.evolve(ledger, usdc_locked=ledger.usdc_locked + amount)\n"
        ),
        replacement="    return _credit(ledger, recipient, Token.STB, amount)\n",
        description="the bridge mints STB without recording the USDC locked behind it",
        section="6.1",
        expected=("CONS-STB (H)",),
    ),
    Mutant(
        id="M21",
        name="deposit-replayed",
        file="model/supply.py",
        original="    processed = supply.processed_deposits | {deposit_id}\n",
        replacement="    processed = supply.processed_deposits\n",
        description="a bridge deposit event is not remembered, so replaying it mints STB again",
        section="6.1",
        expected=("CONS-STB",),
    ),
    Mutant(
        id="M22",
        name="inflation-rises",
        file="model/supply.py",
        original="        mint.inflation_step_bps,\n",
        replacement="        -mint.inflation_step_bps,\n",
        description="the inflation rate steps up instead of down each time the chain's age doubles",
        section="6.9",
        expected=("SUP-INFLATION (H)",),
    ),
    Mutant(
        id="M23",
        name="inflation-unscaled",
        file="model/supply.py",
        original="    amount = numerator // (BPS_DENOMINATOR * SECONDS_PER_YEAR)\n",
        replacement="    amount = numerator // SECONDS_PER_YEAR\n",
        description="the mint forgets the basis-point scale: 11% becomes 110,000%",
        section="6.9",
        expected=("SUP-INFLATION (H)",),
    ),
    # --- Staking and slashing (§4.2, §6.10) ------------------------------------------------------
    Mutant(
        id="M24",
        name="undelegate-bond-kept",
        file="model/staking.py",
        original=(
            "    delegations = staking.delegations.set(key, left) if left else "
            "staking.delegations.remove(key)\n"
            "    staking = attrs.evolve(staking, delegations=delegations)\n"
        ),
        replacement="",
        description="undelegating returns the STR but never lowers the bond",
        section="4.2",
        expected=("CONS-STR (H)",),
    ),
    Mutant(
        id="M25",
        name="slash-uncapped",
        file="model/slashing.py",
        original=(
            "factor, cap, capped = slashing.slash_factor, slashing.slash_cap_bps, "
            "profile.slash_capped"
        ),
        replacement="factor, cap, capped = slashing.slash_factor, slashing.slash_cap_bps, False",
        description="the hardened slash cap is dropped: the rate doubles past 100%",
        section="6.10",
        expected=("SLASH-BOUNDS (H)", "SLASH-DOUBLING (H)", "SLASH-STAKE"),
    ),
    Mutant(
        id="M26",
        name="slash-level-stuck",
        file="model/slashing.py",
        original="records = slashing.records.set(offender, SlashRecord(level + 1, now))",
        replacement="records = slashing.records.set(offender, SlashRecord(level, now))",
        description="a slash does not raise the offender's level, so repeat slashes never double",
        section="6.10",
        expected=("SLASH-DOUBLING (H)",),
    ),
    Mutant(
        id="M27",
        name="slash-window-never-expires",
        file="model/slashing.py",
        original=(
            "    return arith.expired_windows(arith.INTS, elapsed, "
            "params.slashing.slash_window_seconds)\n"
        ),
        replacement="    return 0 * elapsed\n",
        description="a slash window never expires, so the level never decays",
        section="6.10",
        expected=("SLASH-DECAY (H)",),
    ),
    Mutant(
        id="M28",
        name="decay-below-zero",
        file="model/arith.py",
        original="    return maximum(alg, alg.lit(0), alg.sub(level, expired))\n",
        replacement="    return alg.sub(level, expired)\n",
        description="expired windows push the slash level below 0 (rate below base next time)",
        section="6.10",
        expected=("SLASH-DECAY (Z, H)", "SLASH-DOUBLING (H)"),
    ),
    Mutant(
        id="M29",
        name="delegators-skipped",
        file="model/slashing.py",
        original="        for d in get_delegators(staking, validator)\n    )\n",
        replacement=(
            "        for d in get_delegators(staking, validator)\n"
            "        if d == staking.validators[validator].operator\n"
            "    )\n"
        ),
        description="a slash takes only the operator's self-bond; delegators lose nothing",
        section="4.2, 6.10",
        expected=("SLASH-DELEGATORS",),
    ),
    Mutant(
        id="M30",
        name="rate-loop-no-shortcut",
        file="model/slashing.py",
        original="        if raised == rate:\n            break\n",
        replacement="",
        description=(
            "the slash-rate loop no longer stops once the rate is fixed (an optimisation removed)"
        ),
        section="6.10",
        equivalent=(
            "The shortcut only stops the loop once next_slash_rate returns its input; from then "
            "on every further step returns that same value, so the rate after `level` steps is "
            "identical with or without it. Only the running time differs (level is at most the "
            "number of slashes), which no invariant observes."
        ),
    ),
    # --- Governance and reputation (§6.8, §4.5) --------------------------------------------------
    Mutant(
        id="M31",
        name="supermajority-half",
        file="model/governance.py",
        original=(
            "    threshold = rule.threshold or Fraction(\n"
            "        params.governance.supermajority_num, params.governance.supermajority_den\n"
            "    )\n"
        ),
        replacement="    threshold = rule.threshold or Fraction(1, 2)\n",
        description="burn and network-support changes pass with more than 1/2 instead of 2/3",
        section="6.4, 6.5, 6.8",
        expected=("GOV-SUPERMAJORITY (H)",),
    ),
    Mutant(
        id="M32",
        name="subcommittee-ge",
        file="model/governance.py",
        original=(
            "    return delegated * BPS_DENOMINATOR > threshold * "
            "get_str_circulating_supply(ledger)\n"
        ),
        replacement=(
            "    return delegated * BPS_DENOMINATOR >= threshold * "
            "get_str_circulating_supply(ledger)\n"
        ),
        description="a subcommittee activates at exactly 1% of STR instead of strictly more",
        section="6.8",
        expected=("GOV-SUBCOMMITTEE (H)",),
    ),
    Mutant(
        id="M33",
        name="complaint-split-inverted",
        file="model/complaints.py",
        original=(
            "    refund = arith.bps_of(arith.INTS, deposit, "
            "params.governance.complaint_refund_bps)\n"
        ),
        replacement=(
            "    refund = arith.bps_of(arith.INTS, deposit, "
            "10_000 - params.governance.complaint_refund_bps)\n"
        ),
        description="a resolved complaint refunds 20% and pays validators 80% (not 80/20)",
        section="6.8",
        expected=("GOV-COMPLAINT",),
    ),
    Mutant(
        id="M34",
        name="outbound-cap-off-by-one",
        file="model/reputation.py",
        original="    if not uncapped and len(window) >= cap:\n",
        replacement="    if not uncapped and len(window) > cap:\n",
        description="an unqualified app gets 11 outbound requests a minute instead of 10",
        section="4.5",
        expected=("REP-OUTBOUND (H)",),
    ),
    # --- Beyond a mechanical operator: wrong key, wrong account, guard, clock (M35-M54) ---------
    # Each of these is a plausible slip of a human hand that no operator swap, constant change or
    # negated condition produces; several are invisible at the whitepaper defaults (two keys with
    # the same default) and need a state where governance has moved one of them.
    Mutant(
        id="M35",
        name="burn-network-swapped",
        file="model/payment.py",
        original=(
            "        (NETWORK_SUPPORT, Token.STR, payout.network_ustr),\n"
            "    )\n"
            "    steps: list[Step] = [transfer_step(source, to, token, amount) "
            "for to, token, amount in moves]\n"
            "    steps.append(burn_step(source, payout.burn_ustr))\n"
        ),
        replacement=(
            "        (NETWORK_SUPPORT, Token.STR, payout.burn_ustr),\n"
            "    )\n"
            "    steps: list[Step] = [transfer_step(source, to, token, amount) "
            "for to, token, amount in moves]\n"
            "    steps.append(burn_step(source, payout.network_ustr))\n"
        ),
        description=(
            "Network Support receives the STR burn share and the burn takes Network Support's "
            "share; equal at the defaults (10% each), wrong once governance moves either key"
        ),
        section="6.3, 6.4, 6.5",
        expected=("CONS-SPLIT (H)", "ACT-ROUND (H)"),
    ),
    Mutant(
        id="M36",
        name="reserve-share-to-network-support",
        file="model/payment.py",
        original="        (SWAP_RESERVE, Token.STB, split.stb_swap_reserve),\n",
        replacement="        (NETWORK_SUPPORT, Token.STB, split.stb_swap_reserve),\n",
        description=(
            "the swap reserve's STB share is credited to Network Support (the wrong module "
            "account), so the reserve never has STB to swap and burn"
        ),
        section="6.3, 6.7",
        expected=("CONS-SPLIT (H)", "ACT-ROUND (H)", "PAY-VECTOR (H)"),
    ),
    Mutant(
        id="M37",
        name="reserve-share-reads-node-key",
        file="model/arith.py",
        original=(
            '    "str_profit_margin_bps": "payment.str_profit_margin_bps",\n'
            '    "stb_reserve_swap_bps": "payment.stb_reserve_swap_bps",\n'
        ),
        replacement=(
            '    "str_profit_margin_bps": "payment.str_profit_margin_bps",\n'
            '    "stb_reserve_swap_bps": "payment.stb_node_profit_bps",\n'
        ),
        description=(
            "the swap reserve's share of T is read from stb_node_profit_bps: equal at the "
            "defaults (5% each), so node and reserve trade shares once governance splits the "
            "STB margin otherwise"
        ),
        section="6.3, 6.7, 6.8",
        expected=("CONS-SPLIT (H)", "ACT-ROUND (H)"),
    ),
    Mutant(
        id="M38",
        name="reveal-timeout-reads-commit",
        file="model/trusted/round.py",
        original=(
            "    return now - state.reveal_opened_at > params.consensus.reveal_timeout_seconds\n"
        ),
        replacement=(
            "    return now - state.reveal_opened_at > params.consensus.commit_timeout_seconds\n"
        ),
        description=(
            "the reveal deadline is measured with the commit timeout: equal at the defaults "
            "(60 s), so a late reveal counts (or an honest one is refused) once they differ"
        ),
        section="3.2 F7",
        expected=("ACT-DEADLINE (H)",),
    ),
    Mutant(
        id="M39",
        name="refund-ignores-verdict",
        file="model/complaints.py",
        original="    payouts = [(refund_recipient, refund)]\n",
        replacement="    payouts = [(complaint.complainant, refund)]\n",
        description=(
            "a rejected complaint's refund share goes back to the complainant instead of the "
            "reserve pool (the recipient decided above is never used)"
        ),
        section="6.8",
        expected=("GOV-COMPLAINT (H)", "ACT-COMPLAINT (H)"),
    ),
    Mutant(
        id="M40",
        name="rejected-complaint-reopens",
        file="model/complaints.py",
        original="    if complaint.upheld is not None:\n",
        replacement="    if complaint.upheld:\n",
        description=(
            "the once-only guard tests the truth of `upheld` (bool | None): a rejected "
            "complaint reads as open, so it can be resolved again and its deposit paid twice "
            "out of the other complaints' deposits"
        ),
        section="6.8",
        expected=("ACT-ONCE (H)",),
    ),
    Mutant(
        id="M41",
        name="failed-tally-not-recorded",
        file="model/governance.py",
        original=(
            "    proposal = attrs.evolve(proposal, result=result, history=(*proposal.history,"
            " result))\n"
        ),
        replacement=(
            "    proposal = attrs.evolve(\n"
            "        proposal, result=result if passed else None, history=(*proposal.history,"
            " result)\n"
            "    )\n"
        ),
        description=(
            "only a passed proposal is marked tallied: a failed one can be tallied again, "
            "refunding its deposit twice and passing on a later, different weighing"
        ),
        section="6.8",
        expected=("ACT-GOVERNANCE (H)", "ACT-ONCE (H)"),
    ),
    Mutant(
        id="M42",
        name="vote-at-voting-end",
        file="model/governance.py",
        original="    if now >= proposal.voting_end:\n",
        replacement="    if proposal.voting_end - now < 0:\n",
        description=(
            "the vote's closing test, rewritten by hand as a difference, lets a vote in at "
            "exactly voting_end, when the period (exclusive end) is over and the tally may run"
        ),
        section="6.8",
        expected=("ACT-DEADLINE (H)",),
    ),
    Mutant(
        id="M43",
        name="subcommittee-unit-counted-twice",
        file="model/governance.py",
        original="    delegated = get_subcommittee_delegated(gov, name)\n",
        replacement=(
            "    backers = {d for (d, s) in gov.subcommittee_delegations if s == name}\n"
            "    delegated = sum(\n"
            "        amount for (d, _), amount in gov.subcommittee_delegations.items() "
            "if d in backers\n"
            "    )\n"
        ),
        description=(
            "activation counts each backer's whole subcommittee delegation, so STR delegated "
            "to another subcommittee also backs this one (a unit backs two)"
        ),
        section="6.8",
        expected=("GOV-SUBCOMMITTEE (H)", "ACT-GRANT (H)"),
    ),
    Mutant(
        id="M44",
        name="active-set-tiebreak-reversed",
        file="model/staking.py",
        original="        key=lambda v: (-stakes[v], v),\n    )\n",
        replacement="        key=lambda v: (stakes[v], v),\n        reverse=True,\n    )\n",
        description=(
            "the active set is sorted stake-descending by reversing the whole key, which also "
            "reverses the id tie-break: at the max_validators cut the larger id wins a tie"
        ),
        section="4.2",
        expected=("ACT-STAKING (H)",),
    ),
    Mutant(
        id="M45",
        name="undelegate-delegates",
        file="model/chain/security.py",
        original="    result = process_undelegate(\n",
        replacement="    result = process_delegate(\n",
        description=(
            "the chain's Undelegate handler calls the delegation rule (a copy-paste slip): "
            "taking a bond back bonds the amount again"
        ),
        section="4.2",
        expected=("ACT-STAKING (H)",),
    ),
    Mutant(
        id="M46",
        name="mint-age-from-last-mint",
        file="model/supply.py",
        original="    total = 0\n    cursor = start\n",
        replacement=(
            "    total = 0\n"
            "    cursor = start\n"
            "    supply = attrs.evolve(supply, genesis_time=start)\n"
        ),
        description=(
            "the chain's age is counted from the last mint instead of genesis, so a chain "
            "minted often stays at the year-0 rate (11%) forever"
        ),
        section="6.9",
        expected=("SUP-INFLATION (H)", "ACT-SUPPLY (H)"),
    ),
    Mutant(
        id="M47",
        name="deposit-replay-per-recipient",
        file="model/supply.py",
        original=(
            "    if deposit_id in supply.processed_deposits:\n"
            '        return Rejected("process_usdc_deposit", '
            'f"deposit {deposit_id!r} was already processed")\n'
            "    minted = process_bridge_mint_stb(ledger, recipient=recipient, amount=amount)\n"
            "    if isinstance(minted, Rejected):\n"
            "        return minted\n"
            "    processed = supply.processed_deposits | {deposit_id}\n"
        ),
        replacement=(
            '    key = f"{recipient}/{deposit_id}"\n'
            "    if key in supply.processed_deposits:\n"
            '        return Rejected("process_usdc_deposit", '
            'f"deposit {deposit_id!r} was already processed")\n'
            "    minted = process_bridge_mint_stb(ledger, recipient=recipient, amount=amount)\n"
            "    if isinstance(minted, Rejected):\n"
            "        return minted\n"
            "    processed = supply.processed_deposits | {key}\n"
        ),
        description=(
            "bridge deposits are remembered per (recipient, id): replaying a deposit event "
            "to another recipient mints its STB again"
        ),
        section="6.1",
        expected=("CONS-STB (H)", "ACT-BRIDGE (H)", "ACT-ONCE (H)"),
    ),
    Mutant(
        id="M48",
        name="outbound-logged-at-minute-start",
        file="model/reputation.py",
        original="    kept = (*window, now)[-max(cap, 1) :]\n",
        replacement="    kept = (*window, now - now % SECONDS_PER_MINUTE)[-max(cap, 1) :]\n",
        description=(
            "a request is logged at the start of its calendar minute, so it leaves the "
            "sliding minute early: 10 requests at 0:59 and 10 more at 1:01 all pass"
        ),
        section="4.5",
        expected=("REP-OUTBOUND (H)", "ACT-REPUTATION (H)"),
    ),
    Mutant(
        id="M49",
        name="app-stake-accumulates",
        file="model/reputation.py",
        original="        record = attrs.evolve(record, staked_ustr=staked_ustr)\n",
        replacement=(
            "        record = attrs.evolve(record, staked_ustr=record.staked_ustr + staked_ustr)\n"
        ),
        description=(
            "setting an app's stake adds to the recorded stake instead of replacing it, so "
            "restating a $6,000 stake lifts the outbound cap ($10,000 needed)"
        ),
        section="4.5",
        expected=("ACT-REPUTATION (H)",),
    ),
    Mutant(
        id="M50",
        name="unlock-to-developer",
        file="model/escrow.py",
        original="    target = get_escrow_account(app)\n    steps: list[Step]",
        replacement="    target = escrow.developer\n    steps: list[Step]",
        description=(
            "a locked round payment resolved against the nodes goes to the developer's "
            "account instead of back to the app's escrow"
        ),
        section="3.3 F12, 4.3.1",
        expected=("CONS-SPLIT (H)", "ACT-ESCROW (H)"),
    ),
    Mutant(
        id="M51",
        name="escrow-price-double-weighted",
        file="model/escrow.py",
        original="    new_price = escrow.str_price\n    if price is not None and ustr > 0:\n",
        replacement=(
            "    held_ustr = get_balance(result, account).ustr\n"
            "    new_price = escrow.str_price\n"
            "    if price is not None and ustr > 0:\n"
        ),
        description=(
            "the escrow's average STR price reads the balance after the deposit, so the new "
            "deposit weighs twice and STR payouts are valued at the wrong price"
        ),
        section="6.3.3, 4.3.1",
        expected=("ACT-ESCROW (H)",),
    ),
    Mutant(
        id="M52",
        name="node-id-paid",
        file="model/trusted/settlement.py",
        original="        account = chain.nodes[node].account\n",
        replacement="        account = AccountId(node)\n",
        description=(
            "a majority node's payment goes to an account named after the node id instead "
            "of the node's registered payout account"
        ),
        section="3.3 F12, 4.3.1",
        expected=("CONS-SPLIT (H)", "ACT-ROUND (H)", "PAY-COST (H)", "PAY-VECTOR (H)"),
    ),
    Mutant(
        id="M53",
        name="round-id-reused-after-false",
        file="model/chain/economy.py",
        original=(
            "    state = attrs.evolve(\n"
            "        state,\n"
            "        next_round_id=state.next_round_id + 1,\n"
        ),
        replacement=(
            "    # Only a round that reached consensus uses up its id.\n"
            "    decision = run.state.decision\n"
            "    used = 1 if decision is not None and decision.consensus else 0\n"
            "    state = attrs.evolve(\n"
            "        state,\n"
            "        next_round_id=state.next_round_id + used,\n"
        ),
        description=(
            "a round without consensus does not use up its id: the next round runs under the "
            "same id and seed (the same salts), and a second failed round cannot lock its "
            "payment under an id already locked"
        ),
        section="3.2 F1, 3.3 F12",
        expected=("ACT-ONCE (H)",),
    ),
    Mutant(
        id="M54",
        name="bonded-votes-to-operator",
        file="model/chain/common.py",
        original=(
            "    for (delegator, _), amount in state.staking.delegations.items():\n"
            "        add(delegator, amount)\n"
        ),
        replacement=(
            "    for (_, validator), amount in state.staking.delegations.items():\n"
            "        add(get_validator_operator(validator), amount)\n"
        ),
        description=(
            "bonded STR votes with the validator's operator (as Cosmos validators inherit "
            "their delegators' votes) instead of its delegator: 1 STR is no longer 1 vote of "
            "its holder"
        ),
        section="6.8",
        expected=("GOV-SUPERMAJORITY (H)",),
    ),
)
"""Every mutant, in catalogue order."""


def get_mutant(mutant_id: str) -> Mutant:
    """The mutant called `mutant_id`; a KeyError naming the known ids otherwise."""
    for mutant in MUTANTS:
        if mutant.id == mutant_id:
            return mutant
    known = ", ".join(m.id for m in MUTANTS)
    raise KeyError(f"no mutant {mutant_id!r}; the catalogue has {known}")

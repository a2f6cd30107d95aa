"""Machine rules for staking, block commits and slashing (§4.2, §6.10)."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import rule

from model.chain.actions import (
    AdvanceTime,
    CommitBlock,
    CompleteUnbonding,
    Delegate,
    DistributeRewards,
    Equivocate,
    MintInflation,
    ReportDoubleSign,
    ReportDowntime,
    ResolveComplaint,
    SlashValidator,
    SubmitComplaint,
    Undelegate,
    Unjail,
)
from model.governance import ParamChange
from model.units import ValidatorId
from oracle.staking import (
    DOWNTIME_JAIL_SECONDS,
    SIGNED_BLOCKS_WINDOW,
    UNBONDING_SECONDS,
    active_set,
    validator_stakes,
)
from properties.driver import ChainDriver, guarded
from properties.strategies import (
    USERS,
    amounts,
    named_accounts,
    validator_sets,
    validators,
)


class StakingRules(ChainDriver):
    """Delegation, block commits, double signs, repeated validator faults, rewards, unbonding
    against late evidence, downtime and the jail."""

    # --- The stake lifecycle (§4.2, §6.9, §6.10) ---------------------------------------------------

    @rule(days=st.sampled_from([0, 1, 30]))
    @guarded
    def process_distribute_rewards(self, *, days: int) -> None:
        """§6.9: a staking period: the clock moves `days`, inflation is minted into the rewards
        pool, and the pool is paid to the eligible bonds."""
        if days:
            self.apply(AdvanceTime(days * 86_400))
        self.apply(MintInflation())
        self.apply(DistributeRewards())

    @rule(
        index=st.integers(0, 5),
        share=st.sampled_from([1, 1, 2]),
        wait=st.sampled_from(["none", "day", "period-1", "period"]),
        draw=st.integers(0, 1),
    )
    @guarded
    def process_late_double_sign_evidence(
        self, *, index: int, share: int, wait: str, draw: int
    ) -> None:
        """§6.10, §4.2: a validator double-signs unseen, its operator undelegates all (or half)
        of its self-bond, the clock moves (not at all, a day, one second short of or exactly the
        unbonding period), the evidence arrives, then matured unbonding is paid out. The
        evidence tombstones the validator for good, so the rule runs one time in two it is
        drawn, and only while another stays active, to leave the chain validators to run
        rounds with."""
        assert self.checked is not None
        state = self.checked.state
        seats = state.params.consensus.max_validators
        active = active_set(state.staking, max_validators=seats)
        if draw or len(active) < 2:
            return
        validator = active[index % len(active)]
        others = frozenset(active) - {validator}
        height = state.height + 1
        if not self.apply(Equivocate(frozenset({validator}), others, frozenset(), reported=False)):
            return
        operator = state.staking.validators[validator].operator
        bonded = self.checked.state.staking.delegations.get((operator, validator), 0)
        if bonded // share:
            self.apply(Undelegate(operator, validator, bonded // share))
        seconds = {"day": 86_400, "period-1": UNBONDING_SECONDS - 1, "period": UNBONDING_SECONDS}
        if wait in seconds:
            self.apply(AdvanceTime(seconds[wait]))
        self.apply(ReportDoubleSign(validator, height))
        self.apply(CompleteUnbonding())

    @rule(
        index=st.integers(0, 5),
        missed=st.sampled_from([50, 51]),
        early=st.booleans(),
        draw=st.integers(0, 7),
    )
    @guarded
    def process_downtime_evidence(self, *, index: int, missed: int, early: bool, draw: int) -> None:
        """§6.10 (Cosmos x/slashing): a validator of the active set misses `missed` blocks in a
        row (the window allows 50 of 100), is reported, and asks to unjail one second before
        or exactly when its ten minutes end. Fifty blocks are fifty checked steps: the rule
        runs one time in eight it is drawn, to keep the quick effort quick."""
        assert self.checked is not None
        if draw:
            return
        state = self.checked.state
        active = active_set(state.staking, max_validators=state.params.consensus.max_validators)
        if len(active) < 2:
            return
        validator = active[index % len(active)]
        signers = frozenset(active) - {validator}
        for _ in range(min(missed, SIGNED_BLOCKS_WINDOW)):
            if not self.apply(CommitBlock(signers)):
                break
        self.apply(ReportDowntime(validator))
        self.apply(AdvanceTime(DOWNTIME_JAIL_SECONDS - 1 if early else DOWNTIME_JAIL_SECONDS))
        self.apply(Unjail(validator))
        for jailed in sorted(self.checked.state.staking.jailed):
            self.apply(Unjail(jailed))

    # --- Staking, blocks, slashing ---------------------------------------------------------------

    @rule(delegator=named_accounts, validator=validators, amount=amounts)
    @guarded
    def process_delegate(self, *, delegator: str, validator: str, amount: int) -> None:
        self.apply(Delegate(delegator, validator, amount))  # type: ignore[arg-type]

    @rule(
        delegator=named_accounts,
        validator=validators,
        amount=amounts,
        share=st.sampled_from([None, None, 1, 2, 3]),
    )
    @guarded
    def process_undelegate(
        self, *, delegator: str, validator: str, amount: int, share: int | None
    ) -> None:
        """§4.2: take a bond back: a drawn one, or (`share` set) all, half or a third of a bond
        that exists, so that undelegations which really move STR are common."""
        assert self.checked is not None
        bonds = sorted(self.checked.state.staking.delegations.items())
        if share is not None and bonds:
            (holder, bonded_to), bonded = bonds[amount % len(bonds)]
            self.apply(Undelegate(holder, bonded_to, bonded // share))
            return
        self.apply(Undelegate(delegator, validator, amount))  # type: ignore[arg-type]

    @rule(signers=validator_sets)
    @guarded
    def process_block_commit(self, *, signers: frozenset[str]) -> None:
        self.apply(CommitBlock(signers))  # type: ignore[arg-type]

    @rule(
        double=validator_sets,
        side_a=validator_sets,
        side_b=validator_sets,
        third=st.sampled_from([None, None, False, True]),
    )
    @guarded
    def process_double_sign_evidence(
        self,
        *,
        double: frozenset[str],
        side_a: frozenset[str],
        side_b: frozenset[str],
        third: bool | None,
    ) -> None:
        """§4.2, §6.10: drawn double signers and sides, or (`third` set) the largest third of
        the power double-signing (see `_equivocate_by_a_third`)."""
        if third is not None:
            self._equivocate_by_a_third(split=third)
            return
        self.apply(Equivocate(double, side_a - double, side_b - double - side_a))  # type: ignore[arg-type]

    def _equivocate_by_a_third(self, *, split: bool) -> None:
        """§4.2, §6.10: two conflicting blocks at one height, each committed. The largest active
        validators that hold at least a third of the power sign both; the others sign both too,
        or (`split`) half of them sign only the first and half only the second, so that the
        double signers decide whether both pass."""
        assert self.checked is not None
        state = self.checked.state
        # §4.2's active set and stakes, read by the oracle from the raw bonds.
        active = active_set(state.staking, max_validators=state.params.consensus.max_validators)
        if not active:
            return
        stakes = validator_stakes(state.staking)
        ranked = sorted(active, key=lambda v: (-stakes[v], v))
        total = sum(stakes[v] for v in ranked)
        double: list[ValidatorId] = []
        for validator in ranked:
            if 3 * sum(stakes[v] for v in double) >= total:
                break
            double.append(validator)
        rest = [v for v in ranked if v not in double]
        if split:
            sides = (frozenset(rest[0::2]), frozenset(rest[1::2]))
            self.apply(Equivocate(frozenset(double), *sides))
        else:
            self.apply(Equivocate(frozenset(ranked), frozenset(), frozenset()))

    @rule(
        validator=validators,
        times=st.sampled_from([1, 2, 3, 4, 6, 7, 8]),
        gap=st.sampled_from(["none", "none", "day", "window-1", "window", "window+1", "2 windows"]),
    )
    @guarded
    def process_slash_validator(self, *, validator: str, times: int, gap: str) -> None:
        """§6.10: repeated faults: at one time, a day apart, or one second before, exactly on,
        one second after one slash window (the live one), or two windows apart."""
        assert self.checked is not None
        for index in range(times):
            window = self.checked.state.params.slashing.slash_window_seconds
            wait = {
                "day": 86_400,
                "window-1": window - 1,
                "window": window,
                "window+1": window + 1,
                "2 windows": 2 * window,
            }.get(gap, 0)
            if index and wait > 0:
                self.apply(AdvanceTime(wait))
            self.apply(SlashValidator(validator))  # type: ignore[arg-type]

    @rule(index=st.integers(0, 5), offset=st.sampled_from([-1, 0, 1]))
    @guarded
    def process_slash_at_window(self, *, index: int, offset: int) -> None:
        """§6.10: a validator of the cast slashed twice, one second before, exactly on, or one
        second after one slash window (the live one) apart, where its level decays."""
        assert self.checked is not None
        cast = sorted(self.checked.state.staking.validators)
        validator = cast[index % len(cast)]
        self.apply(SlashValidator(validator))
        window = self.checked.state.params.slashing.slash_window_seconds
        self.apply(AdvanceTime(window + offset))
        self.apply(SlashValidator(validator))

    @rule(
        offset=st.sampled_from([-2, -1, -1, 0, 1]),
        signers=validator_sets,
        judged=st.booleans(),
    )
    @guarded
    def process_active_set_size(
        self, *, offset: int, signers: frozenset[str], judged: bool
    ) -> None:
        """§4.2: governance sets max_validators around the number of staked validators (cutting
        one or two, or none), then a block is committed by `signers`; with `judged`, a complaint
        is filed and resolved too, so its validator fee (§6.8) goes to the set as cut."""
        assert self.checked is not None
        staking = self.checked.state.staking
        stakes = validator_stakes(staking)
        # Jailed and tombstoned validators hold stake but no seat (§6.10).
        barred = set(staking.jailed) | staking.tombstoned
        staked = sum(1 for v, stake in stakes.items() if stake > 0 and v not in barred)
        size = max(1, staked + offset)
        if size != self.checked.state.params.consensus.max_validators:
            self.enact((ParamChange("consensus", "max_validators", size),))
        self.apply(CommitBlock(signers))  # type: ignore[arg-type]
        state = self.checked.state
        fresh = [c for c in ("c7", "c8") if c not in state.complaints.complaints]
        if judged and fresh:
            deposit = state.params.governance.complaint_min_deposit_ustr
            self.apply(SubmitComplaint(fresh[0], USERS[0], "node:n0", deposit))
            self.apply(ResolveComplaint(fresh[0], False))

    @rule(excess=st.sampled_from([-1, 0, 1]))
    @guarded
    def process_commit_at_threshold(self, *, excess: int) -> None:
        """§4.2: the richest developer tops up two bonds so that every active validator but the
        last signs with power p of the active total T where p * den - num * T is `excess`: one
        ustr short of, exactly at, or one ustr past the commit threshold."""
        assert self.checked is not None
        state = self.checked.state
        active = active_set(state.staking, max_validators=state.params.consensus.max_validators)
        if len(active) < 2:
            return
        stakes = validator_stakes(state.staking)
        num = state.params.consensus.threshold_num
        rest = state.params.consensus.threshold_den - num
        if rest <= 0:
            return
        signers, last = active[:-1], active[-1]
        power = sum(stakes[v] for v in signers)
        # p * (den - num) - num * s_last = excess: raise p until the remainder is a multiple of
        # num, then raise s_last by that multiple.
        top_up = max(0, -(-(num * stakes[last] + excess) // rest) - power)
        while (rest * (power + top_up) - num * stakes[last] - excess) % num:
            top_up += 1
        last_up = (rest * (power + top_up) - num * stakes[last] - excess) // num
        funder = self._richest_developer()
        for validator, amount in ((signers[0], top_up), (last, last_up)):
            if amount:
                self.apply(Delegate(funder, validator, amount))
        self.apply(CommitBlock(frozenset(signers)))

"""The reference executor: runs a Trusted Function call with real node processes, end to end.

`Executor.run_call` runs the billing round on the billing function, settles it, reads the usage
the nodes agreed on, runs the main round on the service's function and settles it, all on the
executor's own books, and returns the same `CallRecord` shape the model predicts. Functions are
named by a fixture name (`compute`, `database`, `storage`, `billing`: the modules of
`executor.functions`, shipped with the package) or by the user as `path/to/file.py:callable` or
`module:callable` (`bytes -> bytes`).
"""

from __future__ import annotations

from pathlib import Path

from attrs import frozen

from executor import wire
from executor.books import Books, SettlementRefusedError
from executor.committee import true_value
from executor.functions import MODULES, NAMES
from executor.pool import Fault, Limits, NodePool
from executor.records import Funding, RefusedStep, RoundLog
from executor.round import run_round
from executor.scenario import NODE_STAKE_USTR, CallRecord, ExecRound, TrustedCall, decode_usage
from executor.validators import Decision, settle
from model.params import Params
from model.profile import Profile
from model.trusted.settlement import RoundOutcome

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_PACKAGE = "executor.functions"
"""The package of the functions a fixture name stands for, imported by module name in the nodes,
so a spec is the same wherever the tool is installed and needs no checkout."""
FIXTURES = {name: f"{module}:run" for name, module in zip(NAMES, MODULES, strict=True)}
NO_VALIDATION = Funding(validators=0, prefund_ustr=0)
"""The billing round's validation: none is prefunded (§4.3.1 bills the main round's usage)."""
REFERENCE = "reference"
"""The node id of the process that runs a function once, on its own, for the model's prediction."""


class ExecutorError(Exception):
    """Root of the executor's errors about its input (never about a node's behaviour)."""


class FunctionSpecError(ExecutorError):
    """Raised when a function spec names no loadable callable, or a billing function's output
    is not a decimal usage amount."""


def resolve_function(spec: str) -> str:
    """A fixture name, `file.py:callable` or `module:callable`, as the spec a node loads."""
    if spec in FIXTURES:
        return FIXTURES[spec]
    location, sep, name = spec.rpartition(":")
    if not sep or not location or not name.isidentifier():
        raise FunctionSpecError(
            f"function {spec!r}: expected a fixture name ({', '.join(FIXTURES)}), "
            "'path/to/file.py:callable' or 'module:callable'"
        )
    if location.endswith(".py"):
        path = Path(location).resolve()
        if not path.is_file():
            raise FunctionSpecError(f"function {spec!r}: no file {path}")
        return f"{path}:{name}"
    return spec


def get_refused_steps(log: RoundLog) -> tuple[RefusedStep, ...]:
    """The commits and reveals the executor's chain refused in a round, each at the slot it was
    tried in (§3.2 F5, F7), sorted; `why` names the step first (`commit after ...`)."""
    return tuple(
        sorted(RefusedStep(time, node, why.split(" ", 1)[0]) for time, node, why in log.refused)
    )


@frozen
class CallRun:
    """What the executor saw of one call: its record and each round's raw log."""

    record: CallRecord
    billing_log: RoundLog | None
    main_log: RoundLog | None
    reference_outputs: tuple[bytes | None, bytes | None]
    decisions: tuple[Decision | None, Decision | None] = (None, None)
    """The executor's validators' decisions on the billing and the main round."""


class Executor:
    """Node processes for many calls; persistent workers unless `persistent` is False."""

    def __init__(
        self,
        limits: Limits | None = None,
        *,
        persistent: bool = True,
        function_paths: tuple[str, ...] = (),
    ) -> None:
        self.sys_path = (str(ROOT), *(str(Path(p).resolve()) for p in function_paths))
        """Where nodes import `module:callable` functions from: the project, then the user's."""
        self.pool = NodePool(limits, persistent=persistent, paths=self.sys_path)
        self.reference_pool = NodePool(limits, persistent=True, paths=self.sys_path)
        self._references: dict[tuple[str, bytes], bytes | None] = {}

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Kill every node process."""
        self.pool.close()
        self.reference_pool.close()

    @property
    def spawned_groups(self) -> list[int]:
        return self.pool.spawned_groups + self.reference_pool.spawned_groups

    def reference_output(self, function: str, data: bytes, app: str = "") -> bytes | None:
        """The function's output run once in the reference node's sandbox for `app`; None if it
        fails there."""
        key = (function, data)
        if key not in self._references:
            request = {
                "op": "run",
                "app": app,
                "function": function,
                "sys_path": list(self.sys_path),
                "input": data.hex(),
            }
            reply = self.reference_pool.exchange({REFERENCE: request})[REFERENCE]
            if isinstance(reply, Fault):
                self._references[key] = None
            elif "load_error" in reply:
                raise FunctionSpecError(f"function {function!r}: {reply['load_error']}")
            elif "output" in reply:
                self._references[key] = wire.get_hex(reply, "output")
            else:
                self._references[key] = None  # the function raised; its sandbox is clean
        return self._references[key]

    def run_round(self, round_: ExecRound, *, params: Params, profile: Profile) -> RoundLog:
        """One round with real nodes, up to its decision."""
        return run_round(self.pool, round_, params=params, profile=profile, sys_path=self.sys_path)

    def run_call(self, call: TrustedCall, *, params: Params, profile: Profile) -> CallRun:
        """A billing round, then the main round it pays for, each settled on the executor's books."""
        app = str(call.main.scenario.app)
        billing_output = self.reference_output(call.billing.function, call.billing.input, app)
        main_output = self.reference_output(call.main.function, call.main.input, app)
        if billing_output is not None and not billing_output.isdigit():
            raise FunctionSpecError(
                f"billing function {call.billing.function!r} returned {billing_output[:40]!r}, "
                "not a usage amount in decimal digits (§4.3.1)"
            )
        references = (billing_output, main_output)
        nodes = {*call.billing.scenario.assigned, *call.main.scenario.assigned}
        books = Books(
            app=call.main.scenario.app,
            funding=call.funding,
            stakes={str(n): NODE_STAKE_USTR for n in nodes},
            params=params,
            profile=profile,
        )

        def settle_round(
            round_: ExecRound, log: RoundLog, cost: int, *, main: bool
        ) -> tuple[RoundOutcome, Decision]:
            scenario = round_.scenario
            # §4.4: the developer prefunds the validation of the main round it calls.
            funding = call.funding if main else NO_VALIDATION
            return settle(
                log,
                books,
                round_id=scenario.round_id,
                cost=cost,
                params=params,
                profile=profile,
                algorithm=scenario.algorithm.value,
                validators=funding.validator_accounts,
                prefund_ustr=funding.prefund_ustr,
                eligible=scenario.validators,
                validator_count=scenario.validator_count,
                seed=scenario.seed,
            )

        billing_log = self.run_round(call.billing, params=params, profile=profile)
        billing_steps = get_refused_steps(billing_log)
        if billing_log.decided_at is None:
            stalled = CallRecord(None, None, stalled="billing", billing_refused_steps=billing_steps)
            return CallRun(stalled, billing_log, None, references)
        try:
            billing, decision = settle_round(call.billing, billing_log, 0, main=False)
        except SettlementRefusedError:
            return CallRun(CallRecord(None, None, refused=True), billing_log, None, references)
        # §4.3.1: the app's claimed usage stands only if its hash is what the billing round put
        # on-chain: the value its committee passed, block included (§3.3 Steps 10 and 12).
        usage = decode_usage(billing_output)
        algorithm = call.billing.scenario.algorithm.value
        claimed_hash = wire.digest(str(usage).encode("ascii"), algorithm)
        on_chain = decision.validation.applied if decision.validation is not None else None
        cost = usage if on_chain == true_value(claimed_hash) else 0
        main_log = self.run_round(call.main, params=params, profile=profile)
        main_steps = get_refused_steps(main_log)
        if main_log.decided_at is None:
            stalled = CallRecord(
                None,
                None,
                stalled="main",
                billing_refused_steps=billing_steps,
                main_refused_steps=main_steps,
            )
            return CallRun(stalled, billing_log, main_log, references)
        try:
            main, main_decision = settle_round(call.main, main_log, cost, main=True)
        except SettlementRefusedError:
            return CallRun(CallRecord(None, None, refused=True), billing_log, main_log, references)
        record = CallRecord(
            billing,
            main,
            reputation=books.reputation(),
            billing_refused_steps=billing_steps,
            main_refused_steps=main_steps,
        )
        return CallRun(record, billing_log, main_log, references, (decision, main_decision))

"""ACT-TOTAL: the model answers every action with a new state or a refusal, never an exception.

Every validator of a Tendermint chain (§4.2) applies every transaction of a committed block; a
transition that raises instead of refusing halts them all at that height. In the model a refusal
is a value (`Rejected`), so an exception is a model bug, and the checks report it as a failure
with the trace that reaches it, not as a crash of the engine.
"""

from __future__ import annotations

from model.chain.actions import Action
from properties.invariants.base import Observation, holds, violated
from properties.invariants.step import ChainStep


def describe_error(error: Exception) -> str:
    """An exception in one line: its type, and the first line of its message (at most 200
    characters), e.g. `ZeroDivisionError: integer division or modulo by zero`."""
    lines = str(error).splitlines()
    return type(error).__name__ + (f": {lines[0][:200]}" if lines else "")


def raised_in_model(error: BaseException) -> bool:
    """Whether `error` was raised in, or passed through, the model's own code (a frame of the
    `model` package on its traceback), as opposed to the checks' or the machine's."""
    traceback = error.__traceback__
    while traceback is not None:
        module = traceback.tb_frame.f_globals.get("__name__", "")
        if module == "model" or str(module).startswith("model."):
            return True
        traceback = traceback.tb_next
    return False


def check_transition_answered(step: ChainStep) -> Observation | None:
    """ACT-TOTAL, for an action the model applied: it answered with a state (the evidence that
    the invariant was exercised; the failing case is `check_transition_raised`)."""
    if step.action is None:
        return None
    return holds("ACT-TOTAL")


def check_transition_raised(action: Action, error: Exception) -> Observation:
    """ACT-TOTAL, for an action on which the model raised: every action on every reachable
    state must be applied or refused with a reason, so this breaks it. The detail names the
    action kind and the exception; the chain stays as it was before the action."""
    return violated(
        "ACT-TOTAL",
        f"{type(action).__name__} raised {describe_error(error)}"
        " instead of being applied or refused",
    )


def check_genesis_raised(error: Exception) -> Observation:
    """ACT-TOTAL, for a genesis on which the model raised: a genesis in range must be built or
    refused with a reason, so this breaks it (the trace is the genesis alone)."""
    return violated(
        "ACT-TOTAL",
        f"the genesis raised {describe_error(error)} instead of being built or refused",
    )


def check_transition_returned(action: Action, result: object) -> Observation:
    """ACT-TOTAL, for an action on which the model returned neither a state with its effects
    nor a refusal: this breaks it as a raise does."""
    return violated(
        "ACT-TOTAL",
        f"{type(action).__name__} returned {type(result).__name__} instead of a state or a refusal",
    )


def check_model_call_raised(where: str, error: Exception) -> Observation:
    """ACT-TOTAL, for a model function the machine called on a reachable state outside a
    transition (a rule reading a balance, the active set or the next mint to aim at a
    boundary): the model's functions answer every reachable state, so a raise breaks it."""
    return violated(
        "ACT-TOTAL",
        f"the model raised {describe_error(error)} when {where} asked it about a reachable state",
    )


def check_state_malformed(action: Action, found: str) -> Observation:
    """ACT-TOTAL, for a transition that returned a malformed state: a part of another type than
    the model declares for it, or a number that is not an integer or an exact rational
    (DESIGN.md: micro-units, basis points and seconds are integers). Every check downstream
    would read garbage, so this breaks it as a raise does."""
    return violated("ACT-TOTAL", f"{type(action).__name__} returned a malformed state: {found}")


def check_round_search_raised(error: Exception) -> Observation:
    """ACT-TOTAL, for the exhaustive round search: one of the round's transitions (a commit, a
    reveal, the decision, the settlement...) raised while the search built an assignment's
    state graph, so this breaks it; the counterexample names the assignment."""
    return violated(
        "ACT-TOTAL",
        f"a round transition raised {describe_error(error)}"
        " instead of answering with a state or a refusal",
    )

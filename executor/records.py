"""Records of what the executor observed and how a call is funded: data and names, no rules.

The executor's validators and books are oracle code, so they may read only records: what the
chain and the app saw in a round (`RoundLog`), how the developer prepaid the app's escrow and
funded its validators (`Funding`), the track records a call leaves (`Reputation`), and the
account names a scenario uses. Nothing here decides anything about the protocol.
"""

from __future__ import annotations

from fractions import Fraction

from attrs import field, frozen

from model.units import AccountId, NodeId

Node = str

ESCROW_FUNDS = 10**15
"""The micro-units of STB and STR a default call prepays into the app's escrow."""
STR_PRICE = Fraction(1, 2)
"""USD per STR of the default call's one prepayment (§6.3.3)."""


@frozen
class Revealed:
    """One node's on-chain reveal (§3.2 F7)."""

    app_salt_hash: bytes
    output_hash: bytes
    node_salt: bytes
    """S_N itself, or h(S_N) under the literal profile."""
    revealed_at: int
    """The slot on the executor's clock at which the chain accepted the reveal (F7)."""


@frozen
class RoundLog:
    """Everything the chain and the app saw in one round, and the nodes that failed."""

    assigned: tuple[Node, ...]
    app_salt_hashes: dict[Node, bytes]
    app_salts: dict[Node, bytes]
    salt_hashes: dict[Node, bytes]
    abstained: frozenset[Node]
    commits: dict[Node, bytes]
    reveals: dict[Node, Revealed]
    outputs: dict[Node, bytes]
    faulty: dict[Node, str]
    refused: tuple[tuple[int, Node, str], ...]
    """(time, node, why) for every step the chain refused: late commits and reveals."""
    app_revealed_salts: bool
    decided_at: int | None
    """None: the round never decides (the app withheld its salts under the literal F6)."""
    expired: bool = False
    """The app's salt deadline passed (hardened F6): the round ends FALSE, the app to blame."""
    function_errors: dict[Node, str] = field(factory=dict)
    commit_closed_at: int | None = None
    """When the commit phase closed on the executor's clock (§3.2 F5); None: the round never
    got that far."""


@frozen(order=True)
class RefusedStep:
    """A node's commit or reveal the chain refused, at the time it was tried (§3.2 F5, F7).

    The executor's chain refuses only late ones (past the commit or the reveal timeout); GROUNDED
    compares these with the model's refused commits and reveals, so a step tried at the wrong
    time shows even when the chain refuses it either way."""

    time: int
    node: Node
    step: str
    """`commit` or `reveal`."""


@frozen
class Deposit:
    """One prepayment of the developer into the app's escrow (§4.3.1), STR at its price."""

    ustb: int
    ustr: int
    price: Fraction
    """USD per STR at the time of this deposit (§6.3.3)."""


DEFAULT_DEPOSITS = (Deposit(ESCROW_FUNDS, ESCROW_FUNDS, STR_PRICE),)


@frozen
class Funding:
    """How a call is paid for: the escrow's prepayments, then the main round's validation
    prefund (§4.4) split among the subscribed validators."""

    deposits: tuple[Deposit, ...] = DEFAULT_DEPOSITS
    validators: int = 0
    """How many validators subscribe to the main round (`get_validator_account(0..n-1)`)."""
    prefund_ustr: int = 0
    """The main round's validation prefund in ustr, paid from the app's escrow; 0: none."""

    @property
    def validator_accounts(self) -> tuple[AccountId, ...]:
        return tuple(get_validator_account(index) for index in range(self.validators))


DEFAULT_FUNDING = Funding()


@frozen(order=True)
class NodeTrack:
    """§3.4, §4.5: one node's track record after a call (rounds with an entry, by kind)."""

    node: str
    rounds: int
    majority: int
    minority: int
    absent: int


@frozen
class Reputation:
    """What a call leaves on the reputation records: every node's track record, and the
    complaints each app has on its record (§3.5.2), as sorted tuples."""

    nodes: tuple[NodeTrack, ...]
    app_complaints: tuple[tuple[str, int], ...]


def get_node_account(node: NodeId) -> AccountId:
    """The account a node is paid into, on both sides."""
    return AccountId(f"acct-{node}")


def get_validator_account(index: int) -> AccountId:
    """The account of the index-th validator subscribed to a call's main round."""
    return AccountId(f"validator-{index}")

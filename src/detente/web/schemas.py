"""Response and request bodies of the API, so that /openapi.json describes every answer."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from detente.web.events import EventIn
from detente.web.ledger import EventState, Verification


class ProblemOut(BaseModel):
    line: int | None = None
    column: int | None = None
    field: str | None = None
    message: str


class ErrorOut(BaseModel):
    detail: str
    problems: list[ProblemOut] = Field(default_factory=list)


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {
        401: "Not signed in: send Authorization: Bearer TOKEN.",
        403: "Your role may not do this.",
        404: "No such agreement or event among those you belong to.",
        409: "Conflicts with what the ledger already holds.",
        413: "Too large.",
        422: "The input has problems, each with its line and column where known.",
    }
    return {c: {"model": ErrorOut, "description": text[c]} for c in codes}


class Me(BaseModel):
    name: str
    role: str


class AgreementCreated(BaseModel):
    id: str


class AgreementSummary(BaseModel):
    id: str
    title: str
    uploaded_by: str
    uploaded_at: str
    entries: int = Field(description="Entries in the agreement's ledger chain.")
    head_hash: str


class AgreementDetail(AgreementSummary):
    spec: str


class VerificationOut(BaseModel):
    status: str
    reason: str
    evidence: list[str]
    recorded_by: str
    recorded_at: str
    position: int

    @classmethod
    def of(cls, v: Verification) -> VerificationOut:
        return cls.model_validate(v.as_json())


class EventOut(BaseModel):
    id: str
    event: dict[str, Any] = Field(description="The event-log columns as recorded.")
    status: str = Field(description="reported, confirmed or disputed, as the ledger says now.")
    position: int
    recorded_by: str
    recorded_at: str
    hash: str
    supersedes: str | None
    reason: str | None
    superseded_by: str | None
    verifications: list[VerificationOut]

    @classmethod
    def of(cls, e: EventState) -> EventOut:
        return cls.model_validate(e.as_json())


class EventChain(BaseModel):
    id: str
    versions: list[EventOut] = Field(description="The original first, the current version last.")


class ImportResult(BaseModel):
    recorded: int
    ids: list[str]


Reason = Annotated[str, StringConstraints(min_length=1, max_length=4000, strip_whitespace=True)]


class CorrectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    event: EventIn
    reason: Reason


class VerificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["confirmed", "disputed"]
    reason: Reason
    evidence: Annotated[
        list[Annotated[str, StringConstraints(min_length=1, max_length=4000)]],
        Field(min_length=1, max_length=50),
    ]


class LedgerEntryOut(BaseModel):
    seq: int
    position: int
    kind: str
    event_id: str | None
    payload: dict[str, Any]
    recorded_by: str
    recorded_at: str
    prev_hash: str
    hash: str


class BreakOut(BaseModel):
    agreement_id: str
    position: int
    seq: int | None
    reason: str


class VerifyResult(BaseModel):
    intact: bool
    entries_checked: int
    first_break: BreakOut | None


class SignedTreeHead(BaseModel):
    """An agreement's ledger as a Merkle tree (RFC 9162) of its entry hashes, signed."""

    agreement: str
    tree_size: int
    root_hash: str = Field(description="RFC 9162 Merkle tree hash of the entry hashes, hex.")
    timestamp: str
    key_id: str = Field(description="First 16 hex digits of SHA-256 of the raw public key.")
    signature: str = Field(
        description="Ed25519, base64, over 'detente-tree-head/1\\n' + the canonical JSON of"
        " {agreement, tree_size, root_hash, timestamp, key_id}."
    )


class ConsistencyProof(BaseModel):
    """RFC 9162 consistency proof: the tree of size ``second`` extends that of ``first``."""

    agreement: str
    first: int
    second: int
    first_root: str
    second_root: str
    proof: list[str] = Field(description="The proof's node hashes, hex, in RFC 9162 order.")


class Member(BaseModel):
    name: str
    role: str


class MembershipChange(BaseModel):
    name: str
    member: bool
    changed: bool

"""The REST API under /api: bearer tokens, JSON in and out, every answer described in OpenAPI."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from detente.web.accounts import User
from detente.web.events import (
    EventIn,
    LogProblems,
    TooManyRows,
    parse_log,
)
from detente.web.schemas import (
    AgreementCreated,
    AgreementDetail,
    AgreementSummary,
    BreakOut,
    ConsistencyProof,
    CorrectionIn,
    EventChain,
    EventOut,
    ImportResult,
    LedgerEntryOut,
    Me,
    Member,
    MembershipChange,
    SignedTreeHead,
    VerificationIn,
    VerificationOut,
    VerifyResult,
    errors,
)
from detente.web.service import Service, ServiceError

bearer = HTTPBearer(auto_error=False, description="A token from `detente users token NAME`.")

AgreementId = Annotated[str, Path(max_length=80, description="The agreement's id (its spec's id).")]
EventId = Annotated[str, Path(max_length=80, description="The event's id.")]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Any unique string (a UUID): a retry with the same key and the same "
        "request gets the first answer and records nothing again.",
    ),
]
#: The answer header that marks the first answer given again to a retry.
REPLAYED = "Idempotent-Replayed"
AsOf = Annotated[
    dt.date | None, Query(description="The date to report as of (YYYY-MM-DD); today by default.")
]


async def service(request: Request) -> Service:
    svc: Service = request.app.state.service
    return svc


async def api_user(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    if creds is None or creds.scheme.lower() != "bearer":
        raise HTTPException(
            401, "sign in: send Authorization: Bearer TOKEN", {"WWW-Authenticate": "Bearer"}
        )
    # Looked up by its hash on every call (no cache): a revoked token, or a disabled user,
    # is refused at once by every server process; the role is the one in the database now.
    svc: Service = request.app.state.service
    user = await svc.user_for_token(creds.credentials)
    if user is None:
        raise HTTPException(401, "unknown or revoked token", {"WWW-Authenticate": "Bearer"})
    return user


UserDep = Annotated[User, Depends(api_user)]
ServiceDep = Annotated[Service, Depends(service)]

router = APIRouter(prefix="/api", tags=["api"])

SPEC_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "An agreement spec, as YAML text or as the same mapping in JSON.",
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}
IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "An event log: CSV with the event-log columns as header, or JSON Lines.",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/jsonl": {"schema": {"type": "string"}},
        },
    }
}


def refuse(exc: ServiceError) -> HTTPException:
    return HTTPException(exc.status, {"message": exc.message, "problems": exc.details})


@router.get("/me", response_model=Me, responses=errors(401))
def me(user: UserDep) -> Me:
    """Who the token belongs to."""
    return Me(name=user.name, role=user.role.value)


@router.get("/agreements", response_model=list[AgreementSummary], responses=errors(401))
def list_agreements(user: UserDep, svc: ServiceDep) -> list[AgreementSummary]:
    """The agreements you belong to, newest upload first."""
    return [AgreementSummary.model_validate(a.as_json()) for a in svc.agreements_of(user)]


@router.post(
    "/agreements",
    status_code=201,
    response_model=AgreementCreated,
    responses=errors(401, 403, 409, 413, 422),
    openapi_extra=SPEC_BODY,
)
async def upload_agreement(request: Request, user: UserDep, svc: ServiceDep) -> AgreementCreated:
    """Validate a spec and add the agreement; you become its first member."""
    body = await request.body()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(422, "the spec is not UTF-8 text") from None
    try:
        agreement_id = await run_in_threadpool(svc.upload, user, text)
    except ServiceError as exc:
        raise refuse(exc) from None
    return AgreementCreated(id=agreement_id)


@router.get(
    "/agreements/{agreement_id}", response_model=AgreementDetail, responses=errors(401, 404, 422)
)
def get_agreement(agreement_id: AgreementId, user: UserDep, svc: ServiceDep) -> AgreementDetail:
    """The agreement's summary and its spec text as uploaded."""
    try:
        row = svc.agreement(user, agreement_id)
    except ServiceError as exc:
        raise refuse(exc) from None
    return AgreementDetail(**row.as_json(), spec=svc.spec(row.id))


@router.get(
    "/agreements/{agreement_id}/status",
    response_model=dict[str, Any],
    responses=errors(401, 404, 409, 422),
)
def get_status(
    agreement_id: AgreementId, user: UserDep, svc: ServiceDep, as_of: AsOf = None
) -> dict[str, Any]:
    """The monitor's report as of a date: obligations, exchange ledger, violations, phase."""
    try:
        _, _, report = svc.status(user, agreement_id, as_of)
    except ServiceError as exc:
        raise refuse(exc) from None
    return report.to_json()


@router.get(
    "/agreements/{agreement_id}/events",
    response_model=list[EventOut],
    responses=errors(401, 404, 422),
)
async def list_events(
    request: Request,
    agreement_id: AgreementId,
    user: UserDep,
    svc: ServiceDep,
    superseded: Annotated[bool, Query(description="Include versions later corrected.")] = False,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Skip this many.")] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000, description="At most this many.")] = 1000,
) -> Response:
    """The recorded events, oldest first, each with its verification status and recorder."""
    try:
        row = await svc.agreement_async(user, agreement_id)
    except ServiceError as exc:
        raise refuse(exc) from None
    # The same head gives the same answer: serialise it once (keyed by the head just read).
    cache: dict[Any, bytes] = request.app.state.response_cache
    hit = cache.get((agreement_id, row.head_hash, superseded, offset, limit))
    if hit is not None:
        return Response(hit, media_type="application/json")

    def serialise() -> tuple[str, bytes]:
        hist = svc.history_of(row)
        shown = list(hist.events.values()) if superseded else hist.current
        shown = shown[offset : offset + limit]
        return hist.head_hash, json.dumps(
            [EventOut.of(e).model_dump(mode="json") for e in shown], separators=(",", ":")
        ).encode()

    head, body = await run_in_threadpool(serialise)
    if len(cache) > 256:
        cache.clear()
    cache[(agreement_id, head, superseded, offset, limit)] = body
    return Response(body, media_type="application/json")


@router.post(
    "/agreements/{agreement_id}/events",
    status_code=201,
    response_model=EventOut,
    responses=errors(401, 403, 404, 409, 422),
)
async def record_event(
    agreement_id: AgreementId,
    event: EventIn,
    user: UserDep,
    svc: ServiceDep,
    response: Response,
    key: IdempotencyKey = None,
) -> EventOut:
    """Record one event (the event-log columns) as a new ledger entry.

    A retry gets the first answer (201, with ``Idempotent-Replayed: true``) and records
    nothing: a request with an ``Idempotency-Key`` already answered, or an event whose own
    ``id`` is already recorded with the same columns by the same user.
    """
    try:
        state = await svc.record_async(user, agreement_id, event, key)
    except ServiceError as exc:
        raise refuse(exc) from None
    if state.replayed:
        response.headers[REPLAYED] = "true"
    return EventOut.of(state)


@router.post(
    "/agreements/{agreement_id}/events/import",
    status_code=201,
    response_model=ImportResult,
    responses=errors(401, 403, 404, 409, 413, 422),
    openapi_extra=IMPORT_BODY,
)
async def import_events(
    agreement_id: AgreementId,
    request: Request,
    user: UserDep,
    svc: ServiceDep,
    response: Response,
    key: IdempotencyKey = None,
) -> ImportResult:
    """Record every event of a CSV or JSON Lines log, or none when any row is wrong."""
    body = await request.body()  # at most 16 MiB: web.limits stops it while it streams
    try:
        await run_in_threadpool(svc.agreement, user, agreement_id)
        if not user.can_record:
            raise ServiceError(403, "viewers cannot record in the ledger")
    except ServiceError as exc:
        raise refuse(exc) from None
    kind = request.headers.get("content-type", "")
    try:
        parsed = parse_log(body, "csv" if "csv" in kind else "jsonl")
    except TooManyRows as exc:
        raise HTTPException(413, str(exc)) from None
    except LogProblems as exc:
        raise HTTPException(422, {"message": str(exc), "problems": exc.problems}) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise HTTPException(422, f"cannot read the log: {exc}") from None
    try:
        ids, replayed = await run_in_threadpool(svc.import_keyed, user, agreement_id, parsed, key)
    except ServiceError as exc:
        raise refuse(exc) from None
    if replayed:
        response.headers[REPLAYED] = "true"
    return ImportResult(recorded=len(ids), ids=ids)


@router.get(
    "/agreements/{agreement_id}/events/{event_id}",
    response_model=EventChain,
    responses=errors(401, 404, 422),
)
def event_chain(
    agreement_id: AgreementId, event_id: EventId, user: UserDep, svc: ServiceDep
) -> EventChain:
    """Every version of an event: the original, each correction with its reason."""
    try:
        hist = svc.history(user, agreement_id)
    except ServiceError as exc:
        raise refuse(exc) from None
    if event_id not in hist.events:
        raise HTTPException(404, f"no event {event_id!r} in this agreement")
    return EventChain(id=event_id, versions=[EventOut.of(e) for e in hist.chain(event_id)])


@router.post(
    "/agreements/{agreement_id}/events/{event_id}/corrections",
    status_code=201,
    response_model=EventOut,
    responses=errors(401, 403, 404, 409, 422),
)
def correct_event(
    agreement_id: AgreementId,
    event_id: EventId,
    body: CorrectionIn,
    user: UserDep,
    svc: ServiceDep,
) -> EventOut:
    """Record a corrected version that supersedes the event; the original stays in the ledger."""
    try:
        return EventOut.of(svc.correct(user, agreement_id, event_id, body.event, body.reason))
    except ServiceError as exc:
        raise refuse(exc) from None


@router.post(
    "/agreements/{agreement_id}/events/{event_id}/verifications",
    status_code=201,
    response_model=VerificationOut,
    responses=errors(401, 403, 404, 409, 422),
)
def verify_event(
    agreement_id: AgreementId,
    event_id: EventId,
    body: VerificationIn,
    user: UserDep,
    svc: ServiceDep,
) -> VerificationOut:
    """Mark an event confirmed or disputed, with a reason and evidence; earlier verdicts stay."""
    try:
        v = svc.verify_event(user, agreement_id, event_id, body.status, body.reason, body.evidence)
    except ServiceError as exc:
        raise refuse(exc) from None
    return VerificationOut.of(v)


@router.get(
    "/agreements/{agreement_id}/review-queue",
    response_model=list[EventOut],
    responses=errors(401, 404, 422),
)
def review_queue(agreement_id: AgreementId, user: UserDep, svc: ServiceDep) -> list[EventOut]:
    """Current events reported and not yet confirmed or disputed by anyone."""
    try:
        hist = svc.history(user, agreement_id)
    except ServiceError as exc:
        raise refuse(exc) from None
    return [EventOut.of(e) for e in hist.review_queue]


@router.get(
    "/agreements/{agreement_id}/ledger",
    response_model=list[LedgerEntryOut],
    responses=errors(401, 404, 422),
)
def agreement_ledger(
    agreement_id: AgreementId, user: UserDep, svc: ServiceDep
) -> list[LedgerEntryOut]:
    """The audit trail: every entry of the agreement's chain, with who, when and hashes."""
    try:
        hist = svc.history(user, agreement_id)
    except ServiceError as exc:
        raise refuse(exc) from None
    return [LedgerEntryOut.model_validate(e.as_json()) for e in hist.entries]


def _verify_result(checked: int, found: Any) -> VerifyResult:
    return VerifyResult(
        intact=found is None,
        entries_checked=checked,
        first_break=BreakOut.model_validate(found.as_json()) if found is not None else None,
    )


@router.get(
    "/agreements/{agreement_id}/ledger/verify",
    response_model=VerifyResult,
    responses=errors(401, 404, 422),
)
def verify_agreement_ledger(
    agreement_id: AgreementId, user: UserDep, svc: ServiceDep
) -> VerifyResult:
    """Recompute this agreement's chain; name the first entry that does not add up."""
    try:
        return _verify_result(*svc.verify_ledger(user, agreement_id))
    except ServiceError as exc:
        raise refuse(exc) from None


@router.get("/ledger/verify", response_model=VerifyResult, responses=errors(401, 403))
def verify_ledger(user: UserDep, svc: ServiceDep) -> VerifyResult:
    """Recompute every chain (admins): detects rows changed or removed behind the application."""
    try:
        return _verify_result(*svc.verify_ledger(user))
    except ServiceError as exc:
        raise refuse(exc) from None


@router.get(
    "/agreements/{agreement_id}/ledger/head",
    response_model=SignedTreeHead,
    responses=errors(401, 404, 422),
)
def signed_head(agreement_id: AgreementId, user: UserDep, svc: ServiceDep) -> SignedTreeHead:
    """The latest signed tree head of the agreement's ledger, to keep outside the server."""
    try:
        return SignedTreeHead.model_validate(svc.signed_head(user, agreement_id))
    except ServiceError as exc:
        raise refuse(exc) from None


@router.get(
    "/agreements/{agreement_id}/ledger/consistency",
    response_model=ConsistencyProof,
    responses=errors(401, 404, 422),
)
def consistency_proof(
    agreement_id: AgreementId,
    user: UserDep,
    svc: ServiceDep,
    first: Annotated[int, Query(ge=1, description="The size of the tree head you kept.")],
    second: Annotated[
        int | None, Query(ge=1, description="A later size; the current size by default.")
    ] = None,
) -> ConsistencyProof:
    """The RFC 9162 consistency proof from a kept tree size to a later one: check it against
    the kept root and the later signed head to know the ledger only grew."""
    try:
        return ConsistencyProof.model_validate(svc.consistency(user, agreement_id, first, second))
    except ServiceError as exc:
        raise refuse(exc) from None


@router.get(
    "/agreements/{agreement_id}/members",
    response_model=list[Member],
    responses=errors(401, 403, 404, 422),
)
def list_members(agreement_id: AgreementId, user: UserDep, svc: ServiceDep) -> list[Member]:
    """Who belongs to the agreement (admins)."""
    try:
        return [Member(name=m.name, role=m.role.value) for m in svc.members(user, agreement_id)]
    except ServiceError as exc:
        raise refuse(exc) from None


@router.put(
    "/agreements/{agreement_id}/members/{name}",
    response_model=MembershipChange,
    responses=errors(401, 403, 404, 422),
)
def add_member(
    agreement_id: AgreementId,
    name: Annotated[str, Path(max_length=64)],
    user: UserDep,
    svc: ServiceDep,
) -> MembershipChange:
    """Give a user access to the agreement (admins); recorded in the ledger."""
    try:
        changed = svc.set_member(user, agreement_id, name, True)
    except ServiceError as exc:
        raise refuse(exc) from None
    return MembershipChange(name=name, member=True, changed=changed)


@router.delete(
    "/agreements/{agreement_id}/members/{name}",
    response_model=MembershipChange,
    responses=errors(401, 403, 404, 422),
)
def remove_member(
    agreement_id: AgreementId,
    name: Annotated[str, Path(max_length=64)],
    user: UserDep,
    svc: ServiceDep,
) -> MembershipChange:
    """Take a user's access away (admins); recorded in the ledger."""
    try:
        changed = svc.set_member(user, agreement_id, name, False)
    except ServiceError as exc:
        raise refuse(exc) from None
    return MembershipChange(name=name, member=False, changed=changed)

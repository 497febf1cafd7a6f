"""Who answers for whom, and who may hold a power: the rules of roles, written once.

A party that ``answers_for`` a non-signatory (an armed group bound through a state's
commitments) is accountable for the group's acts: a norm that names the group binds the
party that answers for it, and an act the group commits is judged as that party's act
(a violation of a prohibition that binds the party is the party's violation). The act
stays the group's in the record: the monitor lists it under the group's name and
attributes the breach to the party.

Only a party, a mediator or a guarantor may hold a power; an observer, a monitoring
mechanism or a non-signatory holds none.
"""

from __future__ import annotations

from collections.abc import Iterable

from detente.language.model import Agreement, Role

#: Roles that may hold a power.
POWER_HOLDERS: tuple[Role, ...] = (Role.party, Role.mediator, Role.guarantor)
#: Roles whose members act in a run: resume hostilities, commit a forbidden act. A
#: non-signatory acts through the party that answers for it; a mediator, a guarantor, an
#: observer or a monitor breaks no prohibition (validate refuses one that names it).
ACTORS: tuple[Role, ...] = (Role.party,)


def answering(agreement: Agreement) -> dict[str, str]:
    """Each answered-for non-signatory -> the party that answers for it."""
    return {group: p.id for p in agreement.parties for group in p.answers_for}


def accountable(agreement: Agreement, actor: str) -> str:
    """Whose act ``actor``'s act is in law: the party answering for it, or itself."""
    return answering(agreement).get(actor, actor)


def bound(agreement: Agreement, parties: Iterable[str]) -> list[str]:
    """The parties a norm naming ``parties`` binds: each named party, a named
    non-signatory replaced by the party that answers for it (no duplicates)."""
    who = answering(agreement)
    return list(dict.fromkeys(who.get(p, p) for p in parties))


def may_act(role: Role) -> bool:
    """Whether an actor of this role can break a prohibition (has a choice to)."""
    return role in ACTORS


def may_hold_power(role: Role) -> bool:
    """Whether an actor of this role may hold a power."""
    return role in POWER_HOLDERS

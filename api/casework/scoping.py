"""The structures behind the directory's services and places: what a caller's scope holds.

An appointment or a dated opening belongs to the structure that runs its service: the
service's `organisation` in the directory, or else the organisation of the role that
takes its bookings (`access.role`). A structure serves a place where one of its services
is offered (the service's `places`, or a permanence of it there). `storage.scope.Scope`
applies the rule to every query; this module only resolves it from the directory.
"""

from __future__ import annotations

from api.casework.caller import Caller
from conversations.directory import Deployment
from storage.scope import EVERY_STRUCTURE, Scope


def service_owner(deployment: Deployment, service_id: str) -> str | None:
    """The structure that runs a service of the directory; None if nobody does."""
    service = deployment.services.get(service_id)
    if service is None:
        return None
    owner = service.raw.get("organisation")
    if isinstance(owner, str) and owner:
        return owner
    access = service.raw.get("access")
    role = access.get("role") if isinstance(access, dict) else None
    return deployment.roles.get(role) if isinstance(role, str) else None


def services_of(deployment: Deployment, structure: str | None) -> frozenset[str]:
    if structure is None:
        return frozenset()
    return frozenset(s for s in deployment.services if service_owner(deployment, s) == structure)


def place_owners(deployment: Deployment, place: str) -> frozenset[str]:
    """The structures that offer a service at a place of the directory."""
    owners = {
        service_owner(deployment, p.service) for p in deployment.permanences if p.place == place
    }
    for service in deployment.services.values():
        places = service.raw.get("places")
        if isinstance(places, list) and place in places:
            owners.add(service_owner(deployment, service.id))
    return frozenset(owner for owner in owners if owner is not None)


def places_of(deployment: Deployment, structure: str | None) -> frozenset[str]:
    if structure is None:
        return frozenset()
    return frozenset(p for p in deployment.places if structure in place_owners(deployment, p))


def scope_of(who: Caller, deployment: Deployment) -> Scope:
    """What this caller may see of referrals, appointments, openings and closures."""
    if who.role == "admin":
        return EVERY_STRUCTURE
    return Scope(
        who.structure,
        services=services_of(deployment, who.structure),
        places=places_of(deployment, who.structure),
    )

"""Use cases of organizations."""

from podium.app.ports import Transaction
from podium.domain.assets import Organization
from podium.domain.commands import RegisterOrganization
from podium.domain.errors import AlreadyExists
from podium.domain.events import NewEvent
from podium.domain.kinds import AssetKind, EventKind


def register_organization(tx: Transaction, requester: str, command: RegisterOrganization) -> Organization:
    """Register the requester in the channel. Registering twice answers ``AlreadyExists``, which
    clients treat as success."""
    if tx.organizations.get(requester) is not None:
        raise AlreadyExists("organization", requester)
    organization = Organization(requester, command.address, tx.now)
    tx.organizations.add(organization)
    tx.events.append(
        [NewEvent(AssetKind.ORGANIZATION, EventKind.CREATED, requester, organization.snapshot())]
    )
    return organization


def get_all_organizations(tx: Transaction) -> list[Organization]:
    return tx.organizations.all()


def registered_ids(tx: Transaction) -> list[str]:
    """Ids of the organizations registered in the transaction's channel."""
    return [organization.id for organization in tx.organizations.all()]

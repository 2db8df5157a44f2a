"""Conversion of OrganizationService messages."""

from podium.api.convert.common import timestamp
from podium.api.generated import organization_pb2 as pb
from podium.domain import assets, commands


def register_organization(message: pb.RegisterOrganizationParam) -> commands.RegisterOrganization:
    return commands.RegisterOrganization(address=message.address)


def organization_message(organization: assets.Organization) -> pb.Organization:
    return pb.Organization(
        id=organization.id,
        creation_date=timestamp(organization.creation_date),
        address=organization.address,
    )

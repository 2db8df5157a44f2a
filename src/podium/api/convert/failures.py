"""Conversion of FailureReportService messages."""

from typing import Final

from podium.api.convert.common import EnumCodec, addressable, addressable_message, timestamp
from podium.api.generated import failure_report_pb2 as pb
from podium.domain import assets, commands
from podium.domain.kinds import ErrorType, FailedAssetKind

ERROR_TYPE: Final = EnumCodec(pb.ErrorType, ErrorType)
FAILED_ASSET_KIND: Final = EnumCodec(pb.FailedAssetKind, FailedAssetKind)
_RESOURCE: Final = "failurereport"


def new_failure_report(message: pb.NewFailureReport) -> commands.NewFailureReport:
    """``RegisterFailureReport`` request; an absent ``logs_address`` -> None."""
    return commands.NewFailureReport(
        asset_key=message.asset_key,
        error_type=ERROR_TYPE.decode(message.error_type, _RESOURCE, "error_type"),
        logs_address=addressable(message.logs_address) if message.HasField("logs_address") else None,
        asset_type=FAILED_ASSET_KIND.decode(message.asset_type, _RESOURCE, "asset_type"),
    )


def failure_report_message(report: assets.FailureReport) -> pb.FailureReport:
    """The message of a report; ``logs_address`` stays UNSET when None (internal errors)."""
    message = pb.FailureReport(
        asset_key=report.asset_key,
        error_type=ERROR_TYPE.encode(report.error_type),
        creation_date=timestamp(report.creation_date),
        owner=report.owner,
        asset_type=FAILED_ASSET_KIND.encode(report.asset_type),
    )
    if report.logs_address is not None:
        message.logs_address.CopyFrom(addressable_message(report.logs_address))
    return message

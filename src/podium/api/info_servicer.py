"""``orchestrator.InfoService``: the server's version. Needs the identity headers, like Substra."""

from typing import Any

import podium
from podium.api.generated import info_pb2, info_pb2_grpc
from podium.api.identity import current_caller


class InfoServicer(info_pb2_grpc.InfoServiceServicer):
    """Answers ``QueryVersion`` with ``podium.__version__``."""

    def QueryVersion(  # noqa: N802
        self, request: info_pb2.QueryVersionParam, context: Any
    ) -> info_pb2.QueryVersionResponse:
        current_caller()  # the interceptor has checked the headers; this proves it ran
        return info_pb2.QueryVersionResponse(orchestrator=podium.__version__)

"""What every servicer shares: the orchestrator and the caller of the running request."""

from podium.api.identity import current_caller
from podium.app import service


class Servicer:
    """Base of the servicers: holds the use cases."""

    def __init__(self, orchestrator: service.Orchestrator) -> None:
        self.orchestrator = orchestrator

    @staticmethod
    def caller() -> service.Caller:
        """The identity of the request being served, as the use cases take it."""
        return current_caller().for_app()

"""A typed client of the orchestrator's gRPC service, used by the agent, SDK and CLI.

Rule: imports ``podium.api.generated`` stubs and ``podium.domain``; retries only what is safe.
"""

"""The ``orchestrator.*`` servicers: thin adapters, identity -> command -> use case -> message.

Every handler reads the caller from ``podium.api.identity.current_caller()`` (set by the request
interceptor, which also maps errors to statuses), converts the request with ``podium.api.convert``
(validation happens there), calls one ``Orchestrator`` method and converts the result back.
"""

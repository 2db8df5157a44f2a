"""Use cases: one function per operation of the contract, each run in one transaction.

Rule: imports ``podium.domain`` and this package's own ports (``podium.app.ports``), never the
database or the wire. ``podium.app.service.Orchestrator`` is the only place that begins, commits,
rolls back and retries transactions.
"""

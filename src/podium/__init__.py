"""podium: a federated-learning orchestrator.

podium keeps the books of a federated-learning network: the metadata of organizations' assets, the
DAG of compute tasks and their states, permissions, and a hash-chained ledger of every change. It
speaks the gRPC API of Substra's orchestrator 1.0 on the wire.

Packages, from the inside out (each may import only those listed before it):

- ``podium.domain``: pure rules and values (standard library only).
- ``podium.app``: use cases, one per operation, run in one transaction; ports it needs.
- ``podium.store``: SQLAlchemy Core storage, migrations, the event log and ledger.
- ``podium.api``: the gRPC service (generated code, conversion, servicers, server).
- ``podium.client``: a typed client of the gRPC service.
- ``podium.cli``: the ``podium`` command.
"""

__version__ = "0.1.0"

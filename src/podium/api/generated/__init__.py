"""Generated protobuf and gRPC code of the ``orchestrator`` proto package. DO NOT EDIT.

Regenerate with ``python scripts/generate_protos.py`` (``make proto``); ``--check`` verifies freshness.
Descriptors are registered under bare file names (``computetask.proto``, ...).
"""

"""The gRPC service: generated code, protobuf <-> domain conversion, servicers, the error -> status
table, interceptors, server assembly, health and metrics.

Rule: servicers are thin (identity -> parse into commands -> use case -> convert back); may import
``podium.domain``, ``podium.app`` and ``podium.store`` (for assembly only).
"""

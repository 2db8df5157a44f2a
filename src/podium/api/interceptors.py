"""The server interceptor: request id, identity, metrics and error mapping around every handler.

For each call, in this order: take the request id (``reqid`` or a fresh one), count the call, derive
the ``Caller`` (``identity.Identifier``; skipped for health and reflection, which need no headers),
run the handler with ``CALLER`` and ``REQUEST_ID`` bound, and turn any exception into a status through
``errors.status_of`` (unforeseen ones logged with their traceback and request id). Server-streaming
handlers get the same treatment: the identity is checked before the first message and the context
variables are bound around each step of the response iterator, because gRPC runs the wrapped handler
in one pool thread but the variables must not leak between the steps of different calls.
"""

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Final

import grpc

from podium.api.errors import status_of
from podium.api.identity import CALLER, REQUEST_ID, Caller, Identifier, request_id_of
from podium.api.metrics import Metrics, rpc_labels
from podium.domain.errors import DomainError

logger = logging.getLogger(__name__)

EXEMPT_PREFIXES: Final = ("/grpc.health.v1.Health/", "/grpc.reflection.")
"""Methods that need no ``mspid``/``channel`` headers."""

Behavior = Callable[[Any, Any], Any]


def needs_identity(method: str) -> bool:
    """Whether calls to ``method`` (``/pkg.Service/Method``) must carry identity headers."""
    return not method.startswith(EXEMPT_PREFIXES)


@contextmanager
def _bound(caller: Caller | None, request_id: str) -> Iterator[None]:
    caller_token = CALLER.set(caller)
    id_token = REQUEST_ID.set(request_id)
    try:
        yield
    finally:
        REQUEST_ID.reset(id_token)
        CALLER.reset(caller_token)


class RequestInterceptor(grpc.ServerInterceptor):  # type: ignore[misc]
    """Wraps every method handler of the server; see the module docstring."""

    def __init__(self, identifier: Identifier, metrics: Metrics) -> None:
        self._identifier = identifier
        self._metrics = metrics

    def intercept_service(self, continuation: Callable[[Any], Any], handler_call_details: Any) -> Any:
        handler = continuation(handler_call_details)
        if handler is None:
            return None
        method: str = handler_call_details.method
        if handler.unary_unary is not None:
            return handler._replace(unary_unary=self._unary_response(handler.unary_unary, method, "unary"))
        if handler.stream_unary is not None:
            wrapped = self._unary_response(handler.stream_unary, method, "client_stream")
            return handler._replace(stream_unary=wrapped)
        if handler.unary_stream is not None:
            wrapped = self._stream_response(handler.unary_stream, method, "server_stream")
            return handler._replace(unary_stream=wrapped)
        wrapped = self._stream_response(handler.stream_stream, method, "bidi_stream")
        return handler._replace(stream_stream=wrapped)

    def _identify(self, method: str, context: Any, request_id: str) -> Caller | None:
        if not needs_identity(method):
            return None
        with _bound(None, request_id):
            return self._identifier.identify(context, request_id)

    def _fail(self, method: str, context: Any, error: Exception, request_id: str) -> grpc.StatusCode:
        """Abort the call with the status of ``error`` (raises), unless the handler aborted already."""
        already = context.code()
        if already is not None and already is not grpc.StatusCode.OK:
            raise error  # the handler called context.abort() itself: keep its status
        code, message = status_of(error, request_id)
        with _bound(None, request_id):
            if isinstance(error, DomainError):
                logger.info("%s refused: %s %s", method, code.name, message)
            else:
                logger.error("%s failed: %s", method, message, exc_info=error)
        context.abort(code, message)
        raise AssertionError("unreachable: context.abort raises")  # pragma: no cover

    def _finish(self, labels: tuple[str, str, str], context: Any, started: float, code: str | None) -> None:
        if code is None:
            code = (context.code() or grpc.StatusCode.OK).name
        self._metrics.rpc_done(labels, code, time.perf_counter() - started)

    def _unary_response(self, behavior: Behavior, method: str, rpc_type: str) -> Behavior:
        labels = rpc_labels(method, rpc_type)

        def wrapper(request: Any, context: Any) -> Any:
            started = time.perf_counter()
            self._metrics.rpc_started.labels(*labels).inc()
            request_id = request_id_of(context.invocation_metadata())
            try:
                caller = self._identify(method, context, request_id)
                with _bound(caller, request_id):
                    return behavior(request, context)
            except Exception as error:
                self._fail(method, context, error, request_id)
                raise  # pragma: no cover
            finally:
                self._finish(labels, context, started, None)

        return wrapper

    def _stream_response(self, behavior: Behavior, method: str, rpc_type: str) -> Behavior:
        labels = rpc_labels(method, rpc_type)

        def wrapper(request: Any, context: Any) -> Iterator[Any]:
            started = time.perf_counter()
            self._metrics.rpc_started.labels(*labels).inc()
            request_id = request_id_of(context.invocation_metadata())
            final: str | None = None
            try:
                caller = self._identify(method, context, request_id)
                with _bound(caller, request_id):
                    responses = iter(behavior(request, context))
                while True:
                    with _bound(caller, request_id):
                        try:
                            response = next(responses)
                        except StopIteration:
                            return
                    yield response
            except GeneratorExit:
                final = grpc.StatusCode.CANCELLED.name  # the client went away or the server stopped
                raise
            except Exception as error:
                self._fail(method, context, error, request_id)
            finally:
                self._finish(labels, context, started, final)

        return wrapper

"""The organization side: the agent that follows the event stream and decides what its organization
must do, the Celery app and tasks its workers run, the function runtime, and the asset server.

Rule: imports ``podium.client`` (never the store or the servicers) and ``podium.domain``;
``decide`` is pure.
"""

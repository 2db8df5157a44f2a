"""Use cases of the event log: queries, profiling steps, and the position of a subscription cursor."""

from podium.app.paging import paginate
from podium.app.ports import Transaction
from podium.domain.assets import Page, ProfilingStep
from podium.domain.commands import NewProfilingStep, PageRequest
from podium.domain.errors import NotFound
from podium.domain.events import Event, EventFilter, NewEvent
from podium.domain.kinds import AssetKind, EventKind, SortOrder


def query_events(
    tx: Transaction, page: PageRequest, event_filter: EventFilter, sort: SortOrder
) -> Page[Event]:
    """Events of the channel in position order (commit order), ascending unless DESCENDING."""
    return paginate(page, lambda offset, limit: tx.events.query(offset, limit, event_filter, sort))


def register_profiling_step(tx: Transaction, command: NewProfilingStep) -> None:
    """Record a profiling step; only its event is stored."""
    step = ProfilingStep(command.duration, command.asset_key, command.step)
    tx.events.append([NewEvent(AssetKind.PROFILING_STEP, EventKind.CREATED, step.asset_key, step.snapshot())])


def cursor_position(tx: Transaction, start_event_id: str) -> int:
    """The position after which a subscription starts: 0 for an empty id, else the position of that
    event of the channel (exclusive). An unknown id is ``NotFound``."""
    if not start_event_id:
        return 0
    position = tx.events.position_of(start_event_id)
    if position is None:
        raise NotFound("event", start_event_id)
    return position


def events_after(tx: Transaction, position: int, limit: int) -> list[Event]:
    return tx.events.read_after(position, limit)

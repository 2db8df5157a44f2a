"""Use cases of data managers, data samples and datasets."""

from dataclasses import replace

from podium.app.organizations import registered_ids
from podium.app.paging import paginate
from podium.app.ports import Transaction
from podium.domain.assets import DataManager, DataSample, Dataset, Page
from podium.domain.commands import (
    NewDataManager,
    NewDataSample,
    PageRequest,
    UpdateDataManager,
    UpdateDataSamples,
)
from podium.domain.errors import AlreadyExists, NotFound, PermissionDenied
from podium.domain.events import NewEvent
from podium.domain.kinds import AssetKind, EventKind
from podium.domain.permissions import create_permission, create_permissions


def register_data_manager(tx: Transaction, requester: str, command: NewDataManager) -> DataManager:
    if tx.data_managers.key_taken(command.key):
        raise AlreadyExists("datamanager", command.key)
    assert command.description is not None
    assert command.opener is not None
    organizations = registered_ids(tx)
    data_manager = DataManager(
        key=command.key,
        name=command.name,
        owner=requester,
        permissions=create_permissions(requester, command.new_permissions, organizations),
        description=command.description,
        opener=command.opener,
        creation_date=tx.now,
        logs_permission=create_permission(requester, command.logs_permission, organizations),
        metadata=dict(command.metadata),
    )
    tx.data_managers.add(data_manager)
    tx.events.append(
        [NewEvent(AssetKind.DATA_MANAGER, EventKind.CREATED, data_manager.key, data_manager.snapshot())]
    )
    return data_manager


def get_data_manager(tx: Transaction, key: str) -> DataManager:
    data_manager = tx.data_managers.get(key)
    if data_manager is None:
        raise NotFound("datamanager", key)
    return data_manager


def query_data_managers(tx: Transaction, page: PageRequest) -> Page[DataManager]:
    return paginate(page, tx.data_managers.query)


def update_data_manager(tx: Transaction, requester: str, command: UpdateDataManager) -> None:
    data_manager = get_data_manager(tx, command.key)
    if data_manager.owner != requester:
        raise PermissionDenied("requester does not own the data manager")
    updated = replace(data_manager, name=command.name)
    tx.data_managers.update(updated)
    tx.events.append([NewEvent(AssetKind.DATA_MANAGER, EventKind.UPDATED, updated.key, updated.snapshot())])


def _check_owns_data_managers(tx: Transaction, requester: str, keys: list[str]) -> None:
    found = tx.data_managers.get_many(keys)
    for key in keys:
        data_manager = found.get(key)
        if data_manager is None:
            raise NotFound("datamanager", key)
        if data_manager.owner != requester:
            raise PermissionDenied(f'requester does not own the datamanager "{key}"')


def register_data_samples(tx: Transaction, requester: str, samples: list[NewDataSample]) -> list[DataSample]:
    """Register samples in request order; every listed data manager must be the requester's."""
    _check_owns_data_managers(tx, requester, sorted({key for s in samples for key in s.data_manager_keys}))
    seen: set[str] = set()
    for sample in samples:
        if sample.key in seen:
            raise AlreadyExists("datasample", sample.key)
        seen.add(sample.key)
    taken = tx.data_samples.first_key_taken([sample.key for sample in samples])
    if taken is not None:
        raise AlreadyExists("datasample", taken)
    created = [
        DataSample(
            sample.key, tuple(dict.fromkeys(sample.data_manager_keys)), requester, sample.checksum, tx.now
        )
        for sample in samples
    ]
    tx.data_samples.add_many(created)
    tx.events.append(
        [NewEvent(AssetKind.DATA_SAMPLE, EventKind.CREATED, s.key, s.snapshot()) for s in created]
    )
    return created


def update_data_samples(tx: Transaction, requester: str, command: UpdateDataSamples) -> None:
    """Link samples to more data managers (a union: links are never removed)."""
    _check_owns_data_managers(tx, requester, sorted(set(command.data_manager_keys)))
    found = tx.data_samples.get_many(list(command.keys))
    events = []
    for key in dict.fromkeys(command.keys):
        sample = found.get(key)
        if sample is None:
            raise NotFound("datasample", key)
        if sample.owner != requester:
            raise PermissionDenied("requester does not own the datasample")
        union = tuple(dict.fromkeys((*sample.data_manager_keys, *command.data_manager_keys)))
        updated = replace(sample, data_manager_keys=union)
        tx.data_samples.update(updated)
        events.append(NewEvent(AssetKind.DATA_SAMPLE, EventKind.UPDATED, key, updated.snapshot()))
    tx.events.append(events)


def get_data_sample(tx: Transaction, key: str) -> DataSample:
    sample = tx.data_samples.get(key)
    if sample is None:
        raise NotFound("datasample", key)
    return sample


def query_data_samples(tx: Transaction, page: PageRequest, keys: tuple[str, ...] = ()) -> Page[DataSample]:
    return paginate(page, lambda offset, limit: tx.data_samples.query(offset, limit, keys))


def get_dataset(tx: Transaction, key: str) -> Dataset:
    data_manager = get_data_manager(tx, key)
    return Dataset(data_manager, tuple(tx.data_samples.keys_of_data_manager(key)))

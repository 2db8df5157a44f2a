"""Conversion of DataSampleService messages."""

from podium.api.convert.common import page_request, timestamp
from podium.api.generated import datasample_pb2 as pb
from podium.domain import assets, commands


def new_data_sample(message: pb.NewDataSample) -> commands.NewDataSample:
    """One sample of ``RegisterDataSamples``; ``test_only`` is ignored (dead field)."""
    return commands.NewDataSample(
        key=message.key, data_manager_keys=tuple(message.data_manager_keys), checksum=message.checksum
    )


def register_data_samples(message: pb.RegisterDataSamplesParam) -> tuple[commands.NewDataSample, ...]:
    """The samples in request order (an empty batch is valid)."""
    return tuple(new_data_sample(sample) for sample in message.samples)


def update_data_samples(message: pb.UpdateDataSamplesParam) -> commands.UpdateDataSamples:
    return commands.UpdateDataSamples(
        keys=tuple(message.keys), data_manager_keys=tuple(message.data_manager_keys)
    )


def query_data_samples(message: pb.QueryDataSamplesParam) -> tuple[commands.PageRequest, tuple[str, ...]]:
    """``QueryDataSamples`` request: the page and the ``keys`` filter (empty = no filter)."""
    return page_request(message), tuple(message.filter.keys)


def data_sample_message(data_sample: assets.DataSample) -> pb.DataSample:
    """The message of a data sample; ``test_only`` is always false as in Substra 1.0."""
    return pb.DataSample(
        key=data_sample.key,
        data_manager_keys=data_sample.data_manager_keys,
        owner=data_sample.owner,
        checksum=data_sample.checksum,
        creation_date=timestamp(data_sample.creation_date),
    )

"""Conversion of ProfilingService messages."""

from podium.api.generated import profiling_pb2 as pb
from podium.domain import assets, commands


def new_profiling_step(message: pb.ProfilingStep) -> commands.NewProfilingStep:
    return commands.NewProfilingStep(
        asset_key=message.asset_key, step=message.step, duration=message.duration
    )


def profiling_step_message(step: assets.ProfilingStep) -> pb.ProfilingStep:
    return pb.ProfilingStep(duration=step.duration, asset_key=step.asset_key, step=step.step)

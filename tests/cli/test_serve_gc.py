"""A serving process collects cycles less often than Python's default (``tune_garbage_collector``)."""

import json
import subprocess
import sys

from podium.cli.serve import GC_THRESHOLDS

_PROBE = (
    "import gc, json; from podium.cli.serve import tune_garbage_collector; "
    "before = gc.get_threshold(); tune_garbage_collector(); "
    "print(json.dumps([before, gc.get_threshold(), gc.get_freeze_count()]))"
)


def test_the_collector_is_tuned_and_startup_objects_frozen() -> None:
    # In a child interpreter: the test process keeps its own collector settings.
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    before, after, frozen = json.loads(probe.stdout)
    assert tuple(after) == GC_THRESHOLDS
    assert after[0] > before[0]  # first generation collected less often than Python's default
    assert frozen > 1000  # the modules imported at startup are out of the collector's sight

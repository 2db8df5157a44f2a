"""The scenarios of the suite, in run order. A scenario is a module with ``NAME`` and
``run(ctx: report.Context) -> list[report.Row]``; add one by listing its module here (the end-to-end
agent/worker scenario will be ``bench.scenarios.endtoend``)."""

from typing import Final

SCENARIOS: Final = ("registration", "transitions", "events", "cascade", "growth", "endtoend")

"""``python -m podium``: the ``podium`` command."""

from podium.cli.main import main

main()

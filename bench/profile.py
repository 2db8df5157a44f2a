"""``python -m bench.profile registration|transitions [--clients N] [--out DIR]``: run one workload
against a ``podium serve`` while ``py-spy record`` (a dev dependency) samples the server. Writes a
collapsed-stack file and prints the top frames."""

import argparse
import collections
import subprocess
import sys
from pathlib import Path

from bench.infra import Postgres, Server
from bench.load import run_clients
from bench.workload import connect, prepare, register, task_batch


def _top(collapsed: Path, limit: int = 25) -> list[tuple[str, int]]:
    """Frames by inclusive sample count (each frame once per stack)."""
    counts: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, number = line.rpartition(" ")
        samples = int(number)
        total += samples
        for frame in set(stack.split(";")):
            counts[frame] += samples
    return [("TOTAL", total), *counts.most_common(limit)]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("workload", choices=("registration", "transitions"))
    parser.add_argument("--out", type=Path, default=Path("bench/profiles"))
    parser.add_argument("--clients", type=int, default=16, help="transitions: concurrent clients")
    parser.add_argument("--idle", action="store_true", help="also sample threads waiting (I/O, locks)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    name = args.workload
    if args.workload == "transitions" and args.clients != 16:
        name = f"transitions-{args.clients}"
    collapsed = args.out / f"{name}{'-idle' if args.idle else ''}.txt"
    postgres = Postgres().create()
    try:
        server = Server(postgres.url).wait_ready()
        try:
            stubs = connect(server.address)
            setup = prepare(stubs)
            keys = register(stubs, task_batch(setup, 3000)) if args.workload == "transitions" else []
            spy = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "py-spy"),
                    "record",
                    "--pid",
                    str(server.process.pid),
                    "--format",
                    "raw",
                    "--output",
                    str(collapsed),
                    "--rate",
                    "200",
                    "--duration",
                    "60",
                    "--nonblocking",
                    *(["--idle"] if args.idle else []),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                if args.workload == "registration":
                    for _ in range(3):
                        register(stubs, task_batch(setup, 10_000))
                else:
                    run_clients(server.address, "podium", args.clients, keys=keys, max_seconds=8)
            finally:
                spy.send_signal(2)
                spy.wait(30)
            stubs.channel.close()
        finally:
            server.stop()
    finally:
        postgres.drop()
    for frame, samples in _top(collapsed):
        print(f"{samples:7d}  {frame}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

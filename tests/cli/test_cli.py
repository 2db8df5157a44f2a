"""The data scientist's and operator's commands through typer's CliRunner, against a real server."""

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from podium.cli.main import app
from tests.sdk.world import ORG_A, ORG_B, World, build_functions, drive, register_fedavg


def invoke(world: World, *args: str, org: str = ORG_A) -> tuple[int, str, str]:
    env = {
        "PODIUM_ORGANIZATION": org,
        "PODIUM_CHANNEL": "mychannel",
        "PODIUM_ORCHESTRATOR_TARGET": f"127.0.0.1:{world.port}",
        "PODIUM_ORCHESTRATOR_INSECURE": "true",
        "PODIUM_HOME": str(world.tmp_path / org),
    }
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def done_plan(world: World) -> str:
    plan = register_fedavg(world, rounds=2)
    build_functions(world, plan.function_keys)
    drive(world, plan.plan_key)
    return plan.plan_key


def test_plan_list_show_and_wait(world: World, done_plan: str) -> None:
    code, out, _ = invoke(world, "plan", "list")
    assert code == 0
    assert done_plan in out
    assert "done" in out
    assert "14/14" in out
    code, out, _ = invoke(world, "plan", "show", done_plan, "--json")
    shown = json.loads(out)
    assert (code, shown["key"], shown["status"]["state"], len(shown["tasks"])) == (0, done_plan, "done", 14)
    code, out, _ = invoke(world, "plan", "wait", done_plan, "--json")
    assert code == 0
    assert json.loads(out)["counts"] == {"STATUS_DONE": 14}


def test_task_list_and_perf_tables(world: World, done_plan: str) -> None:
    code, out, _ = invoke(world, "task", "list", done_plan, org=ORG_B)
    assert code == 0
    for task in world.a.tasks(done_plan):
        assert task.key in out
    code, out, _ = invoke(world, "task", "list", done_plan, "--status", "done", "--json")
    assert code == 0
    assert len(json.loads(out)) == 14
    code, out, _ = invoke(world, "perf", done_plan)
    assert code == 0
    assert out.count(" performance ") == 4
    assert ORG_A in out
    assert ORG_B in out
    assert "0.8000" in out  # rank 3 -> 0.5 + 3/10
    code, out, _ = invoke(world, "perf", done_plan, "--json")
    rows = json.loads(out)
    assert [(row["round"], row["worker"]) for row in rows] == [
        ("1", ORG_A),
        ("1", ORG_B),
        ("2", ORG_A),
        ("2", ORG_B),
    ]


def test_bad_keys_give_a_message_and_exit_1(world: World) -> None:
    code, out, err = invoke(world, "task", "show", "no-such-task")
    assert code == 1
    assert "NOT_FOUND" in err
    assert "hint:" in err
    assert "Traceback" not in out + err
    code, _, err = invoke(world, "plan", "wait", "no-such-plan")
    assert code == 1
    assert "NOT_FOUND" in err
    code, _, err = invoke(world, "task", "list", "x", "--status", "sleeping")
    assert code == 2
    assert "unknown status" in err


def test_missing_identity_exits_2_naming_the_variable(world: World) -> None:
    result = CliRunner().invoke(
        app, ["plan", "list"], env={"PODIUM_ORGANIZATION": "", "PODIUM_ORCHESTRATOR_INSECURE": "true"}
    )
    assert result.exit_code == 2
    assert "PODIUM_ORGANIZATION" in result.stderr


def test_unreachable_orchestrator_says_what_to_check(world: World) -> None:
    result = CliRunner().invoke(
        app,
        ["plan", "list", "--org", ORG_A, "--insecure", "--orchestrator", "127.0.0.1:1"],
    )
    assert result.exit_code == 1
    assert "UNAVAILABLE" in result.stderr
    assert "--orchestrator" in result.stderr


def test_cancel_then_show(world: World) -> None:
    plan = register_fedavg(world, rounds=1)
    code, out, _ = invoke(world, "plan", "cancel", plan.plan_key)
    assert code == 0
    assert "canceled" in out
    code, out, _ = invoke(world, "plan", "cancel", plan.plan_key)
    assert code == 0
    assert "already ended" in out
    code, out, _ = invoke(world, "plan", "wait", plan.plan_key)
    assert code == 1
    assert "canceled" in out


def test_task_logs_of_a_task_that_did_not_fail(world: World, done_plan: str) -> None:
    task = world.a.tasks(done_plan)[0]
    code, _, err = invoke(world, "task", "logs", task.key)
    assert code == 1
    assert "no failure report" in err


def test_verify_from_a_trusted_middle_head_checks_only_what_follows(world: World, done_plan: str) -> None:
    with sqlite3.connect(world.db_path) as database:
        (trusted,) = database.execute(
            "SELECT hash FROM events WHERE channel = 'mychannel' AND position = 10"
        ).fetchone()
        (head,) = database.execute("SELECT max(position) FROM events WHERE channel = 'mychannel'").fetchone()
    code, out, _ = invoke(world, "verify", "--from-position", "10", "--from-hash", trusted, "--json")
    result = json.loads(out)
    assert code == 0
    assert (result["ok"], result["head_position"]) == (True, head)
    assert f"{head - 10} events verified" in result["reason"]
    code, out, _ = invoke(world, "verify", "--from-position", str(head), "--from-hash", "e" * 64, "--json")
    assert code == 1
    assert json.loads(out)["first_bad_position"] == head  # the trusted head is not in this history


def test_verify_a_clean_channel_then_a_tampered_event(world: World, done_plan: str) -> None:
    code, out, _ = invoke(world, "verify", "--json")
    clean = json.loads(out)
    assert code == 0
    assert clean["ok"]
    assert clean["head_position"] > 20
    code, out, _ = invoke(world, "verify")
    assert code == 0
    assert f"position {clean['head_position']}" in out
    code, out, _ = invoke(world, "verify", "--from-position", "10", "--from-hash", "f" * 64, "--json")
    assert code == 1
    assert json.loads(out)["first_bad_position"] == 10
    with sqlite3.connect(world.db_path) as database:
        database.execute(
            "UPDATE events SET asset_key = 'tampered' WHERE channel = 'mychannel' AND position = 7"
        )
    code, out, _ = invoke(world, "verify")
    assert code == 1
    assert "BROKEN at position 7" in out
    code, out, _ = invoke(world, "verify", "--json")
    broken = json.loads(out)
    assert (broken["ok"], broken["first_bad_position"], broken["head_position"]) == (False, 7, 6)

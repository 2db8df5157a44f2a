"""The dashboard in a real headless Chromium against a real orchestrator on 127.0.0.1: the pages load,
live events reach an open page without reload, failures and performances show, a 10,000-task plan
renders. Each test saves a screenshot under docs/screenshots/."""

import uuid
from typing import Any

import pytest

from podium.agent.storage import FileKind
from podium.api.generated import (
    common_pb2,
    computeplan_pb2,
    computetask_pb2,
    failure_report_pb2,
    function_pb2,
)
from podium.client import OrchestratorClient
from podium.dashboard import DashboardServer
from podium.domain.kinds import FunctionAction, TaskAction, TaskStatus
from tests.dashboard.conftest import screenshot
from tests.sdk.world import World, build_functions, drive, register_fedavg

pytestmark = pytest.mark.slow

LIVE_BOUND_MS = 2_000
"""A status change must reach the open page within this bound (a behaviour bound, not a benchmark)."""


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def open_live(page: Any, url: str) -> None:
    """Load ``url`` and wait until its event stream is connected."""
    page.goto(url)
    expect(page.locator("#live")).to_have_class("live on", timeout=10_000)


def todo_tasks(world: World, plan_key: str) -> list[computetask_pb2.ComputeTask]:
    todo = computetask_pb2.ComputeTaskStatus.Value(TaskStatus.WAITING_FOR_EXECUTOR_SLOT.value)
    return [t for t in world.a.tasks(plan_key) if t.status == todo]


def test_plan_list_loads(world: World, dashboard: DashboardServer, page: Any) -> None:
    fedavg = register_fedavg(world)
    build_functions(world, fedavg.function_keys)
    page.goto(dashboard.url + "/")
    row = page.locator(f"#plan-{fedavg.plan_key}")
    expect(row).to_contain_text("fedavg test")
    expect(row).to_contain_text(world.a.organization)
    expect(row.locator(".state")).to_have_text("todo")
    expect(row).to_contain_text(f"0/{len(fedavg.tasks)} done")
    screenshot(page, "plans")


def test_status_change_reaches_open_page_without_reload(
    world: World, dashboard: DashboardServer, page: Any
) -> None:
    fedavg = register_fedavg(world)
    build_functions(world, fedavg.function_keys)
    open_live(page, f"{dashboard.url}/plans/{fedavg.plan_key}")
    page.evaluate("window.__sameDocument = true")
    task = todo_tasks(world, fedavg.plan_key)[0]
    node = page.locator(f"#task-{task.key}")
    expect(node).to_have_attribute("data-status", TaskStatus.WAITING_FOR_EXECUTOR_SLOT.value)

    owner = world.a if task.worker == world.a.organization else world.b
    owner.orchestrator.apply_task_action(task.key, TaskAction.EXECUTING)

    expect(node).to_have_attribute("data-status", TaskStatus.EXECUTING.value, timeout=LIVE_BOUND_MS)
    expect(node.locator(".state")).to_have_text("▶ doing", timeout=LIVE_BOUND_MS)
    assert page.evaluate("window.__sameDocument") is True  # not reloaded
    expect(page.locator('[data-count="doing"]')).to_have_text("1", timeout=5_000)
    screenshot(page, "plan")


def test_failed_task_shows_failure_report(world: World, dashboard: DashboardServer, page: Any) -> None:
    fedavg = register_fedavg(world)
    build_functions(world, fedavg.function_keys)
    task = next(t for t in todo_tasks(world, fedavg.plan_key) if t.worker == world.a.organization)
    orchestrator = world.a.orchestrator
    orchestrator.apply_task_action(task.key, TaskAction.EXECUTING)
    log = "Traceback (most recent call last):\nValueError: the data is not what the opener said\n"
    stored = world.a.storage.write(FileKind.LOG, task.key, log.encode())
    orchestrator.register_failure_report(
        failure_report_pb2.NewFailureReport(
            asset_key=task.key,
            error_type=failure_report_pb2.ErrorType.ERROR_TYPE_EXECUTION,
            asset_type=failure_report_pb2.FailedAssetKind.FAILED_ASSET_COMPUTE_TASK,
            logs_address=common_pb2.Addressable(
                checksum=stored.sha256, storage_address=f"{world.a.asset_url()}/logs/{task.key}"
            ),
        )
    )
    page.goto(f"{dashboard.url}/plans/{fedavg.plan_key}")
    expect(page.locator("#plan-state")).to_have_text("failed")
    node = page.locator(f"#task-{task.key}")
    expect(node.locator(".state")).to_have_text("✗ failed")
    node.focus()
    page.keyboard.press("Enter")  # keyboard-operable, like a click
    report = page.locator("#failure-report")
    expect(report).to_contain_text("ERROR_TYPE_EXECUTION")
    expect(page.locator("#task-events")).to_contain_text("failed")
    link = report.get_by_role("link", name="Read the logs")
    logs = page.request.get(dashboard.url + link.get_attribute("href"))
    assert logs.status == 200
    assert "ValueError: the data is not what the opener said" in logs.text()
    screenshot(page, "task-failed")


def test_performance_chart_shows_registered_values(
    world: World, dashboard: DashboardServer, page: Any
) -> None:
    fedavg = register_fedavg(world, rounds=2)
    build_functions(world, fedavg.function_keys)
    drive(world, fedavg.plan_key)
    registered = world.a.performances(fedavg.plan_key)
    assert registered  # drive() registered one value per test task
    page.goto(f"{dashboard.url}/plans/{fedavg.plan_key}/performances")
    chart = page.locator("svg.chart").first
    expect(chart).to_be_visible()
    for row in registered:
        series = chart.locator(f'.series[data-organization="{row.worker}"]')
        point = series.locator(f'.point[data-round="{int(row.round)}"]')
        expect(point.locator("text")).to_have_text(f"{row.value:.3f}")
    screenshot(page, "performances")


def test_ledger_page_verifies(world: World, dashboard: DashboardServer, page: Any) -> None:
    register_fedavg(world)
    open_live(page, f"{dashboard.url}/ledger")
    before = int(page.locator("#head-position").text_content() or "0")
    assert before > 0
    world.a.orchestrator.register_plan(computeplan_pb2.NewComputePlan(key=str(uuid.uuid4()), name="one more"))
    expect(page.locator("#head-position")).to_have_text(str(before + 1), timeout=LIVE_BOUND_MS)
    page.get_by_role("button", name="Verify now").click()
    expect(page.locator("#verification")).to_contain_text(f"OK — {before + 1} events verified")
    screenshot(page, "ledger")


def register_large_plan(client: OrchestratorClient, count: int) -> str:
    """A plan of ``count`` independent tasks of a READY function without inputs (batches of 1,000)."""
    address = common_pb2.Addressable(checksum="b" * 64, storage_address="http://example.invalid/fn")
    function = client.register_function(
        function_pb2.NewFunction(
            key=str(uuid.uuid4()),
            name="noop",
            description=address,
            archive=address,
            new_permissions=common_pb2.NewPermissions(public=True),
        )
    )
    client.apply_function_action(function.key, FunctionAction.BUILDING)
    client.apply_function_action(function.key, FunctionAction.READY)
    plan = client.register_plan(computeplan_pb2.NewComputePlan(key=str(uuid.uuid4()), name="ten thousand"))
    for start in range(0, count, 1_000):
        client.register_tasks(
            [
                computetask_pb2.NewComputeTask(
                    key=str(uuid.uuid4()),
                    compute_plan_key=plan.key,
                    function_key=function.key,
                    worker=client.mspid,
                )
                for _ in range(min(1_000, count - start))
            ]
        )
    return plan.key


def test_ten_thousand_task_plan_renders(world: World, dashboard: DashboardServer, page: Any) -> None:
    plan_key = register_large_plan(world.a.orchestrator, 10_000)
    page.goto(f"{dashboard.url}/plans/{plan_key}", timeout=60_000)
    expect(page.locator("#plan-total")).to_have_text("10000")
    table = page.locator("#aggregate")
    expect(table).to_be_visible()
    expect(table.locator('tr[data-rank="0"] td').first).to_have_text("10000")
    expect(table.locator('tr[data-rank="0"] td[data-group="todo"]')).to_have_text("10000")
    assert page.locator("svg.graph").count() == 0  # aggregated, not drawn task by task
    screenshot(page, "plan-aggregate")

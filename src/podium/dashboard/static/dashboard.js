// podium dashboard: applies the channel's live events (server-sent events from /events) to the page.
// No framework, no polling: the page changes only when an event arrives, or when a task is selected.
"use strict";

(function () {
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const live = document.getElementById("live");

  function setLive(connected, text) {
    live.textContent = (connected ? "● " : "○ ") + "live updates: " + text;
    live.className = "live " + (connected ? "on" : "off");
  }

  // One refresh at a time per target; events arriving meanwhile ask for exactly one more.
  function debounced(run) {
    let running = false;
    let again = false;
    return function trigger() {
      if (running) { again = true; return; }
      running = true;
      setTimeout(function () {
        Promise.resolve(run()).catch(function () {}).finally(function () {
          running = false;
          if (again) { again = false; trigger(); }
        });
      }, 200);
    };
  }

  // Replace the elements matching each selector with those of a fresh copy of this page.
  function swapFromPage(selectors) {
    return fetch(location.pathname, { headers: { Accept: "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (text) {
        const fresh = new DOMParser().parseFromString(text, "text/html");
        selectors.forEach(function (selector) {
          const now = document.querySelector(selector);
          const next = fresh.querySelector(selector);
          if (now && next) { now.replaceWith(document.importNode(next, true)); }
        });
      });
  }

  function el(tag, text, attrs) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    Object.entries(attrs || {}).forEach(function (pair) { node.setAttribute(pair[0], pair[1]); });
    return node;
  }

  function definitionList(entries) {
    const dl = el("dl");
    entries.forEach(function (pair) { dl.append(el("dt", pair[0]), el("dd", pair[1])); });
    return dl;
  }

  // --- plan page: nodes, summary, details

  function applyTask(event) {
    const node = document.getElementById("task-" + event.asset_key);
    if (!node) { return; }
    node.setAttribute("class", "task status-" + event.group);
    node.dataset.status = event.status;
    node.querySelector(".state").textContent = event.symbol + " " + event.label;
    const name = "task " + event.asset_key.slice(0, 8) + " at " + event.worker + ", rank " + event.rank +
      ": " + event.label;
    node.setAttribute("aria-label", name);
    node.querySelector("title").textContent = name;
  }

  const refreshSummary = debounced(function () {
    return swapFromPage(data.aggregated ? ["#summary", "#aggregate"] : ["#summary"]);
  });

  let selected = null;

  function showTask(key) {
    selected = key;
    return fetch("/api/tasks/" + encodeURIComponent(key))
      .then(function (response) { return response.json(); })
      .then(function (task) {
        if (task.error) { throw new Error(task.error); }
        renderDetails(task);
      })
      .catch(function (error) {
        const box = document.getElementById("details");
        box.replaceChildren(el("p", "Could not read task " + key + ": " + error.message, { role: "alert" }));
      });
  }

  function renderDetails(task) {
    const box = document.getElementById("details");
    const heading = el("h2", "Task " + task.key, { tabindex: "-1", id: "details-title" });
    const parts = [heading, definitionList([
      ["Status", task.symbol + " " + task.label + " (" + task.status + ")"],
      ["Worker", task.worker], ["Owner", task.owner], ["Rank", task.rank],
      ["Function", task.function_key], ["Created", task.created || "—"],
    ])];
    parts.push(el("h3", "Inputs"));
    const inputs = el("ul", null, { id: "task-inputs" });
    task.inputs.forEach(function (input) {
      const from = input.parent_task_key
        ? "output " + input.output_identifier + " of task " + input.parent_task_key
        : "asset " + input.asset_key;
      inputs.append(el("li", input.identifier + ": " + from));
    });
    if (!task.inputs.length) { inputs.append(el("li", "none")); }
    parts.push(inputs, el("h3", "Outputs"));
    const outputs = el("ul", null, { id: "task-outputs" });
    Object.entries(task.outputs).forEach(function (pair) {
      outputs.append(el("li", pair[0] + (pair[1].transient ? " (transient)" : "")));
    });
    if (!Object.keys(task.outputs).length) { outputs.append(el("li", "none")); }
    parts.push(outputs);
    const report = task.failure_report;
    if (report) {
      const section = el("section", null, { id: "failure-report", "aria-label": "failure report" });
      section.append(el("h3", "✗ Failure report"), definitionList([
        ["Error type", report.error_type], ["Reported by", report.owner], ["At", report.created || "—"],
      ]));
      if (report.has_logs) {
        section.append(el("a", "Read the logs", { href: "/api/tasks/" + encodeURIComponent(task.key) + "/logs" }));
      } else {
        section.append(el("p", "No log was registered with this report."));
      }
      parts.push(section);
    }
    parts.push(el("h3", "Events"));
    const table = el("table", null, { id: "task-events" });
    table.append(el("caption", "Every change of this task, oldest first"));
    const head = el("tr");
    ["Position", "Time", "Event", "Status", "Reason"].forEach(function (name) { head.append(el("th", name, { scope: "col" })); });
    table.append(el("thead")); table.tHead.append(head);
    const body = el("tbody");
    task.events.forEach(function (event) {
      const row = el("tr");
      [event.position, event.timestamp, event.event_kind, event.label || "", event.reason || "—"]
        .forEach(function (value) { row.append(el("td", value)); });
      body.append(row);
    });
    table.append(body);
    parts.push(table);
    box.replaceChildren.apply(box, parts);
  }

  function bindGraph() {
    const graph = document.querySelector("svg.graph");
    if (!graph) { return; }
    function pick(event) {
      const node = event.target.closest ? event.target.closest(".task") : null;
      if (!node) { return; }
      showTask(node.dataset.key).then(function () {
        const title = document.getElementById("details-title");
        if (title && event.type === "keydown") { title.focus(); }
      });
    }
    graph.addEventListener("click", pick);
    graph.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); pick(event); }
    });
  }

  // --- other pages

  const refreshPlans = debounced(function () { return swapFromPage(["main"]); });
  const refreshCharts = debounced(function () { return swapFromPage(["main"]); });

  function onEvent(event) {
    if (data.page === "ledger") {
      const position = document.getElementById("head-position");
      if (position && event.position > Number(position.textContent)) {
        position.textContent = event.position;
        document.getElementById("head-hash").textContent = event.hash;
      }
      return;
    }
    const plan = event.plan_key || "";
    if (data.page === "plans" && (event.asset_kind === "ASSET_COMPUTE_TASK" || event.asset_kind === "ASSET_COMPUTE_PLAN")) {
      refreshPlans();
    } else if (data.page === "plan" && plan === data.plan_key) {
      if (event.asset_kind === "ASSET_COMPUTE_TASK") { applyTask(event); }
      refreshSummary();
      if (selected === event.asset_key) { showTask(selected); }
    } else if (data.page === "performances" && event.asset_kind === "ASSET_PERFORMANCE") {
      refreshCharts();
    }
  }

  // --- the live stream: EventSource reconnects by itself; we add a growing delay when it fails.

  let delay = 1000;
  function connect() {
    const source = new EventSource("/events");
    source.addEventListener("stream", function (message) {
      const state = JSON.parse(message.data);
      delay = 1000;
      setLive(state.connected, state.connected ? "on" : "orchestrator unreachable, retrying");
    });
    source.addEventListener("event", function (message) { onEvent(JSON.parse(message.data)); });
    source.onerror = function () {
      setLive(false, "reconnecting");
      if (source.readyState === EventSource.CLOSED) {
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 30000);
      }
    };
  }

  bindGraph();
  connect();
})();

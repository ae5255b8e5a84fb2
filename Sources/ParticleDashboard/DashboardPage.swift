/// The dashboard's one page: HTML, CSS and JavaScript inline, nothing fetched from elsewhere (a factory network may
/// be offline). It follows `/events` (server-sent events) and redraws from each board; elapsed times tick in the
/// page itself, so an idle station costs the server nothing.
enum DashboardPage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>particlectl station</title>
<style>
  :root { --idle:#4b5563; --working:#1d4ed8; --done:#15803d; --failed:#b91c1c; --interrupted:#b45309; --skipped:#0f766e; }
  * { box-sizing: border-box; }
  body { margin: 0; font-family: system-ui, "DejaVu Sans", sans-serif; background: #111827; color: #f9fafb; }
  header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 2rem; padding: 1rem 1.5rem; background: #1f2937; }
  header h1 { margin: 0; font-size: 2.2rem; }
  header .who { font-size: 1.4rem; color: #d1d5db; }
  header .link { margin-left: auto; font-size: 1.2rem; }
  .link.live { color: #86efac; } .link.lost { color: #fca5a5; }
  #counters { display: flex; gap: 1rem; padding: 1rem 1.5rem; }
  .counter { flex: 1; background: #1f2937; border-radius: .6rem; padding: .6rem 1rem; }
  .counter .value { font-size: 3rem; font-weight: 700; }
  .counter .label { font-size: 1.1rem; color: #d1d5db; }
  #alert { display: none; margin: 0 1.5rem; padding: .8rem 1rem; background: var(--failed); font-size: 1.4rem; border-radius: .6rem; }
  #tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap: 1rem; padding: 1rem 1.5rem; }
  .tile { border-radius: .8rem; padding: .9rem 1rem; min-height: 9rem; background: var(--idle); }
  .tile.working { background: var(--working); } .tile.done { background: var(--done); }
  .tile.failed { background: var(--failed); } .tile.interrupted { background: var(--interrupted); }
  .tile.skipped { background: var(--skipped); }
  .tile .slot { font-size: 2.2rem; font-weight: 800; }
  .tile .state { font-size: 1.3rem; font-weight: 600; text-transform: uppercase; letter-spacing: .05em; }
  .tile .line { font-size: 1.15rem; overflow-wrap: anywhere; }
  .tile .name { font-size: 1.8rem; font-weight: 700; }
  .tile .device { font-family: "DejaVu Sans Mono", monospace; font-size: 1rem; opacity: .9; }
  #failures { padding: 0 1.5rem 1.5rem; }
  #failures h2 { font-size: 1.5rem; margin: .5rem 0; }
  #failures li { font-size: 1.15rem; margin: .2rem 0; }
</style>
</head>
<body>
<header>
  <h1 id="station">station</h1>
  <span class="who" id="who"></span>
  <span class="link" id="link">connecting…</span>
</header>
<section id="counters">
  <div class="counter"><div class="value" id="count-done">0</div><div class="label">done</div></div>
  <div class="counter"><div class="value" id="count-failed">0</div><div class="label">failed</div></div>
  <div class="counter"><div class="value" id="count-interrupted">0</div><div class="label">interrupted</div></div>
  <div class="counter"><div class="value" id="count-skipped">0</div><div class="label">skipped</div></div>
  <div class="counter"><div class="value" id="per-hour">–</div><div class="label">per hour</div></div>
  <div class="counter"><div class="value" id="median">–</div><div class="label">median per device</div></div>
</section>
<div id="alert"></div>
<main id="tiles"></main>
<section id="failures"><h2>Last failures</h2><ul id="failure-list"></ul></section>
<script>
"use strict";
const token = new URLSearchParams(location.search).get("token");
const suffix = token ? "?token=" + encodeURIComponent(token) : "";
let board = null;

function text(tag, className, value) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  element.textContent = value;
  return element;
}

function elapsed(since) {
  const seconds = Math.max(0, (Date.now() - Date.parse(since)) / 1000);
  return seconds < 60 ? seconds.toFixed(0) + " s" : Math.floor(seconds / 60) + " min " + (seconds % 60).toFixed(0) + " s";
}

function tile(t) {
  const element = document.createElement("div");
  element.className = "tile " + t.state;
  element.dataset.slot = t.slot;
  element.dataset.state = t.state;
  element.appendChild(text("div", "slot", t.slot));
  element.appendChild(text("div", "state", t.state));
  if (t.state === "working") {
    const line = text("div", "line step", (t.step || "") + " · " + (t.since ? elapsed(t.since) : ""));
    if (t.since) line.dataset.since = t.since;
    line.dataset.step = t.step || "";
    element.appendChild(line);
  } else if (t.state === "done" || t.state === "skipped") {
    element.appendChild(text("div", "line name", t.name || ""));
    if (t.state === "skipped" && t.reason) element.appendChild(text("div", "line reason", t.reason));
  } else if (t.state === "failed" || t.state === "interrupted") {
    element.appendChild(text("div", "line step", "at " + (t.step || "?")));
    element.appendChild(text("div", "line reason", t.reason || ""));
  }
  if (t.device_id) element.appendChild(text("div", "device", t.device_id));
  return element;
}

function render(next) {
  board = next;
  document.getElementById("station").textContent = next.station;
  document.getElementById("who").textContent =
    [next.operator ? "operator " + next.operator : null, next.lot ? "lot " + next.lot : null].filter(Boolean).join(" · ");
  const c = next.counters;
  document.getElementById("count-done").textContent = c.done;
  document.getElementById("count-failed").textContent = c.failed;
  document.getElementById("count-interrupted").textContent = c.interrupted;
  document.getElementById("count-skipped").textContent = c.skipped;
  document.getElementById("per-hour").textContent = c.per_hour === null ? "–" : c.per_hour;
  document.getElementById("median").textContent = c.median_seconds === null ? "–" : c.median_seconds + " s";
  const alert = document.getElementById("alert");
  alert.textContent = next.alert || "";
  alert.style.display = next.alert ? "block" : "none";
  document.getElementById("tiles").replaceChildren(...next.tiles.map(tile));
  document.getElementById("failure-list").replaceChildren(...next.failures.map(f =>
    text("li", "", f.slot + " · " + (f.device_id || "no device ID") + " · at " + (f.step || "?") + " — " + f.reason)));
  if (next.finished) setLink("station stopped", "lost");
}

function setLink(words, state) {
  const link = document.getElementById("link");
  link.textContent = words;
  link.className = "link " + state;
}

setInterval(() => {
  for (const line of document.querySelectorAll(".tile .step[data-since]")) {
    line.textContent = line.dataset.step + " · " + elapsed(line.dataset.since);
  }
}, 1000);

const events = new EventSource("/events" + suffix);
events.onopen = () => setLink("live", "live");
events.onmessage = message => render(JSON.parse(message.data));
events.onerror = () => { if (!board || !board.finished) setLink("reconnecting…", "lost"); };
</script>
</body>
</html>
"""#
}

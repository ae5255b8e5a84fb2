#!/usr/bin/python3
"""Opens the station dashboard in headless Chromium and waits until its tiles have all ended, without a reload.

Usage: dashboard-browser.py URL --tiles N --screenshot PATH [--timeout S]

Prints "ready" once the browser runs (start the station then: the page is opened as soon as it is served), "loaded" once the page is up and its event stream connected (the test then lets the station go on), then,
when N tiles are done/failed/interrupted/skipped, one JSON line: {"tiles": [{"slot", "state", "name", "reason",
"step", "device"}], "counters": {"done", "failed", "interrupted", "skipped"}, "reloaded": bool, "link": text,
"states_seen": {slot: [states in the order seen]}}. Exit 0 when it got there, 1 when the time ran out (the page's
text is printed to stderr), 2 when the browser could not start. Needs Debian's chromium, chromium-driver and
python3-selenium.
"""
import argparse
import json
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ENDED = {"done", "failed", "interrupted", "skipped"}

READ = """
const tiles = [...document.querySelectorAll('.tile')].map(t => ({
  slot: t.dataset.slot, state: t.dataset.state,
  name: (t.querySelector('.name') || {}).textContent || null,
  reason: (t.querySelector('.reason') || {}).textContent || null,
  step: (t.querySelector('.step') || {}).textContent || null,
  device: (t.querySelector('.device') || {}).textContent || null,
}));
const counter = id => Number(document.getElementById(id).textContent);
return {tiles, counters: {done: counter('count-done'), failed: counter('count-failed'),
  interrupted: counter('count-interrupted'), skipped: counter('count-skipped')},
  reloaded: window.__particlectlMarker !== 4711, link: document.getElementById('link').textContent};
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--tiles", type=int, required=True)
    parser.add_argument("--screenshot", required=True)
    parser.add_argument("--timeout", type=float, default=60)
    options = parser.parse_args()

    chrome = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1920,1080"):
        chrome.add_argument(argument)
    chrome.binary_location = "/usr/bin/chromium"
    try:
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=chrome)
    except Exception as error:  # noqa: BLE001 — one line, whatever the driver says
        print(f"dashboard-browser: chromium did not start: {str(error).splitlines()[0]}", file=sys.stderr)
        return 2
    # The browser is up before the station starts (the test waits for this line): the page opens as soon as the
    # dashboard serves it, however long Chromium took to start on a loaded machine.
    print("ready", flush=True)
    try:
        driver.set_page_load_timeout(options.timeout)
        deadline = time.monotonic() + options.timeout
        while True:
            try:
                driver.get(options.url)
                if driver.execute_script("return document.getElementById('link') !== null"):
                    break
            except Exception:  # noqa: BLE001 — not serving yet: try again until the deadline
                pass
            if time.monotonic() > deadline:
                print("dashboard-browser: the dashboard never served its page", file=sys.stderr)
                return 1
            time.sleep(0.2)
        driver.execute_script("window.__particlectlMarker = 4711;")
        while driver.execute_script("return document.getElementById('link').textContent") != "live":
            if time.monotonic() > deadline:
                print("dashboard-browser: the page's event stream never connected", file=sys.stderr)
                return 1
            time.sleep(0.05)
        print("loaded", flush=True)
        seen = {}
        while True:
            state = driver.execute_script(READ)
            for tile in state["tiles"]:
                history = seen.setdefault(tile["slot"], [])
                if not history or history[-1] != tile["state"]:
                    history.append(tile["state"])
            ended = [tile for tile in state["tiles"] if tile["state"] in ENDED]
            if len(ended) >= options.tiles:
                break
            if time.monotonic() > deadline:
                print("dashboard-browser: tiles did not end in time: " + json.dumps(state), file=sys.stderr)
                return 1
            time.sleep(0.05)
        time.sleep(0.3)  # the counters arrive with the same board; read once more after the last change
        state = driver.execute_script(READ)
        state["states_seen"] = seen
        driver.save_screenshot(options.screenshot)
        print(json.dumps(state), flush=True)
        return 0
    finally:
        driver.quit()


if __name__ == "__main__":
    sys.exit(main())

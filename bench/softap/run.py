#!/usr/bin/env python3
"""`make bench` for SoftAP setup: a full `particlectl softap setup` against `particlectl sim softap --latency-ms 100`.

Budget (issue 3): no more than the sum of the round trips plus 100 ms, i.e. requests x 100 ms + 100 ms. The
simulator starts fresh for each run (after connect-ap its AP is gone). Prints the median per transport and fails when
it is over budget. Usage: bench/softap/run.py BIN_DIR [runs]
"""
import json, os, signal, statistics, subprocess, sys, time

bin_dir = sys.argv[1] if len(sys.argv) > 1 else ".build/debug"
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
latency_ms = 100
ctl = os.path.join(bin_dir, "particlectl")
sim = os.path.join(bin_dir, "particlectl-sim")

# (label, extra setup arguments, requests made)
cases = [
    ("setup --security (device-id, public-key, set, configure-ap, connect-ap)",
     ["--security", "wpa2_aes", "--channel", "6"], 5),
    ("setup with scan (device-id, public-key, set, scan-ap, configure-ap, connect-ap)", [], 6),
]

def start_sim():
    proc = subprocess.Popen([sim, "softap", "--tcp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--json",
                             "--latency-ms", str(latency_ms), "--scan-ms", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    return proc, json.loads(line)

failed = False
for transport in ("tcp", "http"):
    for label, extra, requests in cases:
        times = []
        for _ in range(runs):
            proc, where = start_sim()
            try:
                args = [ctl, "softap", "setup", "--address", where[transport], "--protocol", transport,
                        "--ssid", "HomeNet", "--password-stdin", "--claim-code", "bench/claim+code"] + extra
                t0 = time.monotonic()
                result = subprocess.run(args, input="correct horse battery\n", capture_output=True, text=True,
                                        timeout=30)
                elapsed = (time.monotonic() - t0) * 1000
                if result.returncode != 0:
                    print(f"setup failed: {result.stderr.strip()}", file=sys.stderr)
                    sys.exit(1)
                times.append(elapsed)
            finally:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=10)
        budget = requests * latency_ms + 100
        median = statistics.median(times)
        verdict = "ok" if median <= budget else "OVER BUDGET"
        failed |= median > budget
        print(f"{transport:4} {label}: median {median:.0f} ms, min {min(times):.0f} ms over {runs} runs; "
              f"budget {budget} ms ({requests} x {latency_ms} ms + 100 ms): {verdict}")
sys.exit(1 if failed else 0)

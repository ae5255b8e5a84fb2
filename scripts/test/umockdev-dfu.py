#!/usr/bin/python3
"""Drives `particlectl serial dfu` end to end: the DFU signal on a pty, the hot-plug event from a umockdev testbed.

Usage: umockdev-dfu.py PARTICLECTL PARTICLECTL_SIM [dfu options...]
Starts the simulated device (`particlectl-sim device`, outside the preload: it owns a real pty), runs
`particlectl serial dfu --port LINK [options]` under the testbed's preload, waits until the simulated device reports
the 14400-baud DFU signal, then plugs an Argon in DFU mode into the testbed, as a device resetting into DFU does.
LINK is a symlink to the pty outside /dev: umockdev's preload answers every tty ioctl on a /dev path itself
(ENOTTY), so the pty is reached by a path it does not trap. The link's path is printed first on stderr.
Prints particlectl's stdout and stderr; exits with its status. Used by the CLI tests (Debian's python3 with python3-gi).
"""
import os
import subprocess
import sys
import tempfile
import threading

import gi

gi.require_version("UMockdev", "1.0")
from gi.repository import UMockdev  # noqa: E402

DEADLINE_SECONDS = 20
DFU_SERIAL = "e00fce68fedcba9876543210"


def main():
    # The testbed's uevent sender reads the fake sysfs through umockdev's preload library, so this script must run
    # under it too: re-execute through umockdev-wrapper once.
    if "umockdev-preload" not in os.environ.get("LD_PRELOAD", ""):
        os.execvp("umockdev-wrapper", ["umockdev-wrapper", sys.executable] + sys.argv)
    particlectl, simulator = sys.argv[1], sys.argv[2]
    port = None
    plain_env = {key: value for key, value in os.environ.items() if key not in ("LD_PRELOAD", "UMOCKDEV_DIR")}
    device = subprocess.Popen([simulator, "device"], env=plain_env, stdout=subprocess.PIPE, text=True)
    try:
        first = device.stdout.readline().strip()
        if not first.startswith("port: "):
            sys.stderr.write(f"simulated device did not start: {first!r}\n")
            return 99
        pty = first[len("port: "):]
        port = os.path.join(tempfile.mkdtemp(prefix="particlectl-dfu-"), "ttyACM0")
        os.symlink(pty, port)
        sys.stderr.write(f"port: {port}\n")
        tb = UMockdev.Testbed.new()
        env = dict(os.environ, LD_PRELOAD="libumockdev-preload.so.0", UMOCKDEV_DIR=tb.get_root_dir())
        dfu = subprocess.Popen([particlectl, "serial", "dfu", "--port", port] + sys.argv[3:], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # The simulated device reports the signal; only then does the device "re-appear" in DFU mode. A timer ends
        # the simulated device (and so this read) when no signal comes.
        timer = threading.Timer(DEADLINE_SECONDS, device.terminate)
        timer.start()
        event = device.stdout.readline().strip()
        timer.cancel()
        if event == "event: dfu":
            base = "/devices/pci0000:00/0000:00:14.0/usb1/1-3"
            tb.add_from_string("\n".join([
                f"P: {base}", "E: DEVTYPE=usb_device", "E: DRIVER=usb", "E: SUBSYSTEM=usb",
                "E: ID_VENDOR_ID=2b04", "E: ID_MODEL_ID=d00c", "A: idVendor=2b04", "A: idProduct=d00c",
                f"E: ID_SERIAL_SHORT={DFU_SERIAL}", f"A: serial={DFU_SERIAL}"]) + "\n")
        else:
            sys.stderr.write(f"simulated device did not see the DFU signal: {event!r}\n")
        try:
            out, err = dfu.communicate(timeout=DEADLINE_SECONDS)
        except subprocess.TimeoutExpired:
            dfu.kill()
            out, err = dfu.communicate()
            sys.stderr.write("particlectl serial dfu did not stop in time\n")
        sys.stdout.write(out)
        sys.stderr.write(err)
        return dfu.returncode
    finally:
        device.terminate()
        device.wait(timeout=5)
        if port:
            os.unlink(port)
            os.rmdir(os.path.dirname(port))


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Drives `particlectl serial watch` against a umockdev testbed: plugs and unplugs devices at run time.

Usage: umockdev-watch.py [--pre-plug] PARTICLECTL [watch options...]
--pre-plug: a Photon on ttyACM3 is attached before the watcher starts (for `watch --existing`).
Prints the watcher's stdout; exits with the watcher's status. Used by the CLI tests (Debian's python3 with python3-gi).
add_from_string emits the "add" uevents itself; removals send "remove" before removing the device.
Each step: plug a Photon (tty), a non-Particle serial adapter, an Argon in DFU mode; then unplug them.
"""
import os
import subprocess
import sys
import time

import gi

gi.require_version("UMockdev", "1.0")
from gi.repository import UMockdev  # noqa: E402

DEADLINE_SECONDS = 20


def usb_device(tb, path, vendor, product, serial):
    lines = [f"P: {path}", "E: DEVTYPE=usb_device", "E: DRIVER=usb", "E: SUBSYSTEM=usb",
             f"E: ID_VENDOR_ID={vendor}", f"E: ID_MODEL_ID={product}",
             f"A: idVendor={vendor}", f"A: idProduct={product}"]
    if serial:
        lines += [f"E: ID_SERIAL_SHORT={serial}", f"A: serial={serial}"]
    tb.add_from_string("\n".join(lines) + "\n")
    return "/sys" + path


def serial_device(tb, path, vendor, product, serial, tty):
    usb = usb_device(tb, path, vendor, product, serial)
    iface = f"{path}/{path.rsplit('/', 1)[1]}:1.0"
    tb.add_from_string(f"P: {iface}\nE: DEVTYPE=usb_interface\nE: DRIVER=cdc_acm\nE: SUBSYSTEM=usb\n")
    tb.add_from_string(f"P: {iface}/tty/{tty}\nN: {tty}\nE: DEVNAME=/dev/{tty}\nE: SUBSYSTEM=tty\n")
    return usb, f"/sys{iface}/tty/{tty}"


def main():
    # The testbed's uevent sender reads the fake sysfs through umockdev's preload library, so this script must run
    # under it too: re-execute through umockdev-wrapper once.
    if "umockdev-preload" not in os.environ.get("LD_PRELOAD", ""):
        os.execvp("umockdev-wrapper", ["umockdev-wrapper", sys.executable] + sys.argv)
    arguments = sys.argv[1:]
    pre_plug = arguments[:1] == ["--pre-plug"]
    if pre_plug:
        arguments = arguments[1:]
    binary = arguments[0]
    tb = UMockdev.Testbed.new()
    base = "/devices/pci0000:00/0000:00:14.0/usb1"
    if pre_plug:
        serial_device(tb, f"{base}/1-4", "2b04", "c006", "e00fce68aaaaaaaaaaaaaaaa", "ttyACM3")
    env = dict(os.environ, LD_PRELOAD="libumockdev-preload.so.0", UMOCKDEV_DIR=tb.get_root_dir())
    watcher = subprocess.Popen([binary, "serial", "watch"] + arguments[1:], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # The watcher says on stderr when its monitor is listening.
    ready = watcher.stderr.readline()
    if "Watching" not in ready:
        sys.stderr.write("watcher did not start: " + ready + watcher.stderr.read())
        watcher.kill()
        return 99

    _, photon_tty = serial_device(tb, f"{base}/1-1", "2b04", "c006", "e00fce680123456789abcdef", "ttyACM0")
    _, other_tty = serial_device(tb, f"{base}/1-2", "0403", "6001", "FT123", "ttyUSB0")
    argon_dfu = usb_device(tb, f"{base}/1-3", "2b04", "d00c", "e00fce68fedcba9876543210")
    time.sleep(0.2)
    tb.uevent(photon_tty, "remove")
    tb.remove_device(photon_tty)
    tb.uevent(other_tty, "remove")
    tb.remove_device(other_tty)
    tb.uevent(argon_dfu, "remove")
    tb.remove_device(argon_dfu)

    try:
        out, err = watcher.communicate(timeout=DEADLINE_SECONDS)
    except subprocess.TimeoutExpired:
        watcher.kill()
        out, err = watcher.communicate()
        sys.stderr.write("watcher did not stop in time\n")
    sys.stdout.write(out)
    sys.stderr.write(err)
    return watcher.returncode


if __name__ == "__main__":
    sys.exit(main())

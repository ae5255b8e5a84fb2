#!/usr/bin/python3
"""Runs a command under a umockdev testbed and plugs Particle USB serial devices in and out while it runs.

Usage: umockdev-station.py [--control PATH] [--stdin FILE] [--timeout S] [--wait-ready REGEX]
                           [--add "N PTY USB_PATH [PRODUCT_ID] [SERIAL]"]... -- COMMAND [ARGS...]

Each added device is what the kernel shows for a Particle device on a USB hub port: a usb_device (vendor 2b04, a
platform's product id, default c00c = Argon) at the devpath USB_PATH (e.g. 1-1.3 = bus 1, hub on port 1, its port 3),
its CDC ACM interface, and the tty /dev/ttyACM<N> with ID_PATH (pci-0000:00:14.0-usb-0:1.3:1.0), ID_VENDOR_ID,
ID_MODEL_ID and ID_SERIAL_SHORT. The tty's node in the testbed is a symlink to PTY, the slave side of a pseudo-
terminal whose other end a simulated device answers (`particlectl sim device` / `sim station` print theirs): the
command opens /dev/ttyACM<N>, really talks to the simulated device, and sees the hot-plug events through the real
libudev. The node exists before the "add" event is sent, so a command reacting to the event at once finds it.
(Under the testbed, the usual termios calls work on such a node; the non-standard line speeds do not — TCSETS2 is
answered ENOTTY — so `serial listen`/`serial dfu` must reach the pty through a path outside /dev instead.)

Control lines, read from --control PATH (created as a named pipe when it does not exist) or else from stdin, in
order, after --wait-ready matched (when given):
    add N PTY_PATH USB_PATH [PRODUCT_ID] [SERIAL]   plug a device in (SERIAL default: 24 hex digits from N)
    remove N                                        unplug /dev/ttyACM<N> ("remove" events, then the node is gone)
    sleep SECONDS                                   pause
    wait REGEX                                      until the command printed a line (stdout or stderr) matching REGEX
    # comment, or an empty line                     ignored
--add does the same as an `add` line before the command starts (devices already attached).

The command's stdout and stderr are passed through line by line; the harness's own lines go to stderr, starting with
"umockdev-station: " (e.g. "umockdev-station: added ttyACM0 usb 1-1.3 2b04:c00c serial … pty /dev/pts/4 syspath …").
The command's stdin is --stdin FILE, else /dev/null. Exit: the command's status; 124 when --timeout (default 120 s)
passed and the command was killed; 99 when the harness itself failed (a bad control line, a `wait` that never
matched). Needs Debian's python3 with python3-gi and gir1.2-umockdev-1.0; re-executes itself under umockdev-wrapper.
"""
import argparse
import os
import re
import shlex
import stat
import subprocess
import sys
import threading
import time

import gi

gi.require_version("UMockdev", "1.0")
from gi.repository import UMockdev  # noqa: E402

PREFIX = "umockdev-station: "
PCI = "/devices/pci0000:00/0000:00:14.0"
PCI_ID = "pci-0000:00:14.0"
USB_PATH = re.compile(r"^([1-9][0-9]*)-([1-9][0-9]*(?:\.[1-9][0-9]*)*)$")
HEX4 = re.compile(r"^[0-9a-fA-F]{4}$")


class HarnessError(Exception):
    pass


def say(text):
    sys.stderr.write(PREFIX + text + "\n")
    sys.stderr.flush()


class Output:
    """The command's output lines, passed through and remembered for `wait`."""

    def __init__(self):
        self.lines = []
        self.condition = threading.Condition()
        self.open_streams = 2

    def follow(self, stream, sink):
        for line in iter(stream.readline, ""):
            sink.write(line)
            sink.flush()
            with self.condition:
                self.lines.append(line.rstrip("\n"))
                self.condition.notify_all()
        with self.condition:
            self.open_streams -= 1
            self.condition.notify_all()

    def wait_for(self, pattern, deadline):
        expression = re.compile(pattern)
        seen = 0
        with self.condition:
            while True:
                for line in self.lines[seen:]:
                    if expression.search(line):
                        return
                seen = len(self.lines)
                remaining = deadline - time.monotonic()
                if self.open_streams == 0:
                    raise HarnessError(f"the command ended without printing a line matching {pattern!r}")
                if remaining <= 0:
                    raise HarnessError(f"no line matching {pattern!r} before the time ran out")
                self.condition.wait(min(remaining, 0.5))


class Bus:
    """The devices plugged into the testbed, by tty number."""

    def __init__(self, testbed):
        self.testbed = testbed
        self.root = testbed.get_root_dir()
        self.devices = {}

    def add(self, number, pty, usb_path, product="c00c", serial=None):
        if number in self.devices:
            raise HarnessError(f"ttyACM{number} is already plugged in; remove {number} first")
        match = USB_PATH.match(usb_path)
        if not match:
            raise HarnessError(f"USB path {usb_path!r} is not like 1-1.3 (bus-port[.port…])")
        if not HEX4.match(product):
            raise HarnessError(f"product id {product!r} is not 4 hex digits (e.g. c00c)")
        if not os.path.exists(pty) or not stat.S_ISCHR(os.stat(pty).st_mode):
            raise HarnessError(f"{pty} is not a terminal device (pass the simulated device's pty)")
        product = product.lower()
        serial = serial or f"e00fce68{number:016x}"
        bus, ports = match.group(1), match.group(2)
        parents = [f"{bus}-{'.'.join(ports.split('.')[:depth])}" for depth in range(1, ports.count(".") + 2)]
        usb = f"{PCI}/usb{bus}/" + "/".join(parents)
        interface = f"{usb}/{usb_path}:1.0"
        tty = f"ttyACM{number}"
        tty_path = f"{interface}/tty/{tty}"
        id_path = f"{PCI_ID}-usb-0:{ports}"
        common = [f"E: ID_VENDOR_ID=2b04", f"E: ID_MODEL_ID={product}", f"E: ID_SERIAL_SHORT={serial}"]
        # The node first, so that whoever reacts to the "add" event finds it.
        node = os.path.join(self.root, "dev", tty)
        os.makedirs(os.path.dirname(node), exist_ok=True)
        if os.path.lexists(node):
            os.unlink(node)
        os.symlink(pty, node)
        self.testbed.add_from_string("\n".join([
            f"P: {usb}", "E: DEVTYPE=usb_device", "E: DRIVER=usb", "E: SUBSYSTEM=usb", f"E: ID_PATH={id_path}",
            f"E: BUSNUM={int(bus):03d}", f"E: DEVNUM={number + 2:03d}", *common,
            "A: idVendor=2b04", f"A: idProduct={product}", f"A: serial={serial}", "A: product=Particle device",
            f"A: busnum={bus}", f"A: devnum={number + 2}", f"A: devpath={ports}"]) + "\n")
        self.testbed.add_from_string("\n".join([
            f"P: {interface}", "E: DEVTYPE=usb_interface", "E: DRIVER=cdc_acm", "E: SUBSYSTEM=usb",
            f"E: ID_PATH={id_path}:1.0", "A: bInterfaceClass=02", "A: bInterfaceNumber=00"]) + "\n")
        self.testbed.add_from_string("\n".join([
            f"P: {tty_path}", f"E: DEVNAME=/dev/{tty}", "E: SUBSYSTEM=tty", "E: MAJOR=166", f"E: MINOR={number}",
            f"E: ID_PATH={id_path}:1.0", "E: ID_USB_INTERFACE_NUM=00", *common, f"A: dev=166:{number}"]) + "\n")
        self.devices[number] = ("/sys" + usb, "/sys" + interface, "/sys" + tty_path, node)
        say(f"added {tty} usb {usb_path} 2b04:{product} serial {serial} pty {pty} syspath /sys{tty_path}")

    def remove(self, number):
        if number not in self.devices:
            raise HarnessError(f"ttyACM{number} is not plugged in")
        usb, interface, tty, node = self.devices.pop(number)
        self.testbed.uevent(tty, "remove")
        self.testbed.remove_device(tty)
        self.testbed.remove_device(interface)
        self.testbed.uevent(usb, "remove")
        self.testbed.remove_device(usb)
        if os.path.lexists(node):
            os.unlink(node)
        say(f"removed ttyACM{number} syspath {tty}")

    def remove_all(self):
        for number in list(self.devices):
            try:
                self.remove(number)
            except Exception as error:  # noqa: BLE001 - cleaning up, the first failure is reported elsewhere
                say(f"could not remove ttyACM{number}: {error}")


def tty_number(text):
    if not text.isdigit():
        raise HarnessError(f"{text!r} is not a tty number (N of /dev/ttyACM<N>)")
    return int(text)


def perform(bus, output, line, deadline):
    words = shlex.split(line, comments=True)
    if not words:
        return
    verb, arguments = words[0], words[1:]
    if verb == "add" and 3 <= len(arguments) <= 5:
        bus.add(tty_number(arguments[0]), *arguments[1:])
    elif verb == "remove" and len(arguments) == 1:
        bus.remove(tty_number(arguments[0]))
    elif verb == "sleep" and len(arguments) == 1:
        time.sleep(max(0.0, min(float(arguments[0]), deadline - time.monotonic())))
    elif verb == "wait" and len(arguments) == 1:
        output.wait_for(arguments[0], deadline)
    else:
        raise HarnessError(f"bad control line {line.strip()!r}; expected add N PTY USB_PATH [PRODUCT] [SERIAL], "
                           "remove N, sleep S or wait REGEX")


def control_lines(path):
    if path is None:
        yield from sys.stdin
        return
    if not os.path.exists(path):
        os.mkfifo(path, 0o600)
    with open(path) as control:
        yield from control


def main():
    # The testbed's uevent sender reads the fake sysfs through umockdev's preload library, so this script must run
    # under it too: re-execute through umockdev-wrapper once.
    if "umockdev-preload" not in os.environ.get("LD_PRELOAD", ""):
        os.execvp("umockdev-wrapper", ["umockdev-wrapper", sys.executable] + sys.argv)
    parser = argparse.ArgumentParser(description="Hot-plug Particle serial devices under umockdev.")
    parser.add_argument("--control", help="read control lines from this file or named pipe instead of stdin")
    parser.add_argument("--stdin", help="the command's stdin (default /dev/null)")
    parser.add_argument("--timeout", type=float, default=120.0, help="kill the command after this many seconds")
    parser.add_argument("--wait-ready", help="process control lines once the command printed a line matching this")
    parser.add_argument("--add", action="append", default=[], help='"N PTY USB_PATH [PRODUCT_ID] [SERIAL]"')
    parser.add_argument("command", nargs=argparse.REMAINDER)
    options = parser.parse_args()
    command = options.command[1:] if options.command[:1] == ["--"] else options.command
    if not command:
        parser.error("no command given (… -- COMMAND [ARGS...])")

    deadline = time.monotonic() + options.timeout
    testbed = UMockdev.Testbed.new()
    bus = Bus(testbed)
    output = Output()
    child = None
    try:
        for line in options.add:
            perform(bus, output, "add " + line, deadline)
        environment = dict(os.environ, LD_PRELOAD="libumockdev-preload.so.0", UMOCKDEV_DIR=testbed.get_root_dir())
        stdin = open(options.stdin, "rb") if options.stdin else subprocess.DEVNULL
        child = subprocess.Popen(command, env=environment, stdin=stdin, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        if options.stdin:
            stdin.close()
        followers = [threading.Thread(target=output.follow, args=(child.stdout, sys.stdout), daemon=True),
                     threading.Thread(target=output.follow, args=(child.stderr, sys.stderr), daemon=True)]
        for follower in followers:
            follower.start()
        timer = threading.Timer(options.timeout, child.kill)
        timer.start()
        try:
            if options.wait_ready:
                output.wait_for(options.wait_ready, deadline)
            for line in control_lines(options.control):
                if child.poll() is not None:
                    break
                perform(bus, output, line, deadline)
            status = child.wait()
        finally:
            timer.cancel()
        for follower in followers:
            follower.join(timeout=2)
        if time.monotonic() >= deadline and status < 0:
            say(f"the command did not end within {options.timeout:g} s and was killed")
            return 124
        return status
    except (HarnessError, ValueError, OSError) as error:
        say(str(error))
        return 99
    finally:
        if child is not None and child.poll() is None:
            child.kill()
            child.wait()
        bus.remove_all()


if __name__ == "__main__":
    sys.exit(main())

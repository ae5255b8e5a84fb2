#!/usr/bin/python3
"""A simulated Particle USB device answering vendor control requests, for libusb programs under umockdev.

Usage: umockdev-usb.py [--device SPEC]... [--log FILE] -- PROGRAM [ARGS...]

Makes a umockdev testbed holding one USB device per --device (a Particle device in normal mode: VID 2b04,
PID c0nn, no tty), attaches an ioctl handler to each /dev/bus/usb node that answers libusb's usbdevfs URBs
the way Device OS answers control requests (docs: shared/specs/usb-control.md, sections 1.2-1.10 and 7), runs
PROGRAM under the testbed's preload, and exits with its status. PROGRAM's output passes through.
Run it by hand with a shell as PROGRAM: `scripts/test/umockdev-usb.py --device platform=13 -- bash`.

SPEC is comma-separated key=value pairs (all optional):
  id=24HEX         device ID (default e00fce68 + 16 hex derived from the device's position)
  platform=N       platform ID (default 13, Boron); product=NAME (default from the platform)
  version=V        Device OS version (default 6.2.0)
  listening=1      starts in listening mode            claimed=1   the device reports itself claimed
  cloud=STATE      disconnected|connecting|connected (default disconnected)
  connect_after=N  after this many 300 (connection status) requests, the cloud state becomes connected
  pending=N        a handler stays PENDING for N CHECKs (default 1)
  busy=N           the first N INITs answer BUSY       nomem=N     the first N INITs answer NO_MEMORY
  stall=TYPE       INIT of TYPE is STALLed             hang=TYPE   a TYPE request never finishes (PENDING forever)
  silent=TYPE      the INIT of the first TYPE request is never answered (the host's transfer times out)
  unplug=TYPE      the device disappears when a TYPE request is INITed (every later transfer: ENODEV)
  drop_at_chunk=N  the device drops off the bus (for 1.5 s) at the N-th firmware DATA request
  bad_user_part=1  module info (90) reports the user part's dependency check failed
  protected=1      Device OS 6 Protected mode: -1801 for every type except 10, 20, 76
  path=1-N         the USB port chain (default 1-K for the K-th device)
  iccid=N, imei=N  what a cellular device (Boron, B SoM, B5 SoM, E SoM X, Tracker, M-SoM) reports in 554
  tty=PATH         the device also has its USB serial port: a CDC ACM interface and a tty whose DEVNAME is PATH
                   (the pty of `particlectl sim device`), so discovery pairs the tty and this USB device as one
                   device (same sysfs parent, same serial number). PATH stays outside the testbed's /dev, so the
                   program opens the real pty (and the 28800-baud signal works on it)
  control=PATH     START_LISTENING (70) / STOP_LISTENING (71) write `listen` / `stop-listening` lines to this named
                   pipe: `particlectl sim device --control PATH` then enters / leaves listening mode on its console
                   (the serial and the USB side of one Device OS 6 device)
  delay_ms=N       every control transfer takes N ms more (a device's USB stack at work; for benchmarks)
  timing=1         a firmware update that completes prints one line on stderr: bytes, time from START to FINISH,
                   bytes/s, DATA requests and their largest chunk, most requests in flight, control transfers
--log FILE gets one line per control transfer: `<usb path> <setup packet hex> <OUT data hex or ->`.
"""
import os
import struct
import subprocess
import sys
import threading
import time
import zlib

import gi

gi.require_version("UMockdev", "1.0")
from gi.repository import GLib, UMockdev  # noqa: E402

# usbdevfs ioctls (LP64 Linux).
GET_CAPABILITIES = 0x8004551A
SUBMITURB = 0x8038550A
REAPURBNDELAY = 0x4008550D
REAPURB = 0x4008550C
DISCARDURB = 0x0000550B
CLAIMINTERFACE = 0x8004550F
RELEASEINTERFACE = 0x80045510
SETCONFIGURATION = 0x80045505
URB_SIZE = 56
EAGAIN, ENOENT, ENODEV, ENOTTY, EPIPE, EINVAL = 11, 2, 19, 25, 32, 22

PRODUCTS = {6: "Photon", 8: "P1", 10: "Electron", 12: "Argon", 13: "Boron", 23: "B SoM", 25: "B5 SoM",
            26: "Tracker", 32: "P2", 35: "M-SoM"}

# Service statuses (spec 1.3) and result codes (1.10).
OK, PENDING, BUSY, NO_MEMORY, NOT_FOUND = 0, 2, 3, 4, 5
NOT_SUPPORTED, PROTECTED = -120, -1801
PROTECTED_ALLOWED = {10, 20, 76}
WIFI_PLATFORMS = {12, 32, 35}
CELLULAR_PLATFORMS = {10, 13, 15, 23, 25, 26, 35}


def varint(value):
    out = bytearray()
    value &= (1 << 64) - 1
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def pb_string(field, text):
    data = text.encode() if isinstance(text, str) else bytes(text)
    return varint(field << 3 | 2) + varint(len(data)) + data


def pb_uint(field, value):
    return b"" if value == 0 else varint(field << 3) + varint(value)


def pb_fields(data):
    """Decodes a protobuf message into {field: [values]} (varints as ints, length-delimited as bytes)."""
    fields, offset = {}, 0
    while offset < len(data):
        key, offset = read_varint(data, offset)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, offset = read_varint(data, offset)
        elif wire == 2:
            length, offset = read_varint(data, offset)
            value, offset = bytes(data[offset:offset + length]), offset + length
            if offset > len(data):
                raise ValueError("truncated")
        elif wire == 5:
            value, offset = struct.unpack_from("<I", data, offset)[0], offset + 4
        elif wire == 1:
            value, offset = struct.unpack_from("<Q", data, offset)[0], offset + 8
        else:
            raise ValueError("bad wire type")
        fields.setdefault(field, []).append(value)
    return fields


def read_varint(data, offset):
    value, shift = 0, 0
    while True:
        if offset >= len(data):
            raise ValueError("truncated varint")
        byte = data[offset]
        offset += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, offset


def service_reply(status, request_id=None, size=None, result=None):
    flags, body = 0x01, struct.pack("<H", status)
    if request_id is not None:
        flags |= 0x02
        body += struct.pack("<H", request_id)
    if size is not None:
        flags |= 0x04
        body += struct.pack("<I", size)
    if result is not None:
        flags |= 0x08
        body += struct.pack("<i", result)
    return struct.pack("<I", flags) + body


class Stall(Exception):
    pass


class Request:
    def __init__(self, type_, size):
        self.type, self.size = type_, size
        self.payload = bytearray()
        self.state = "alloc" if size > 64 else ("waiting" if size > 0 else "running")
        self.pending_checks = 0
        self.result, self.reply, self.sent = 0, b"", 0


class SimulatedDevice:
    """The device side of the control-request protocol (spec 1.4) and the request handlers (2.1)."""

    def __init__(self, index, spec, log):
        self.lock = threading.Lock()
        self.log = log
        self.platform = int(spec.get("platform", "13"))
        self.device_id = spec.get("id", "e00fce68%016x" % (0x0123456789ABCD00 + index)).lower()
        self.product = spec.get("product", PRODUCTS.get(self.platform, "Particle device"))
        self.version = spec.get("version", "6.2.0")
        self.path = spec.get("path", "1-%d" % (index + 1))
        self.listening = spec.get("listening") == "1"
        self.claimed = spec.get("claimed") == "1"
        self.cloud = {"disconnected": 0, "connecting": 1, "connected": 2}[spec.get("cloud", "disconnected")]
        self.connect_after = int(spec["connect_after"]) if "connect_after" in spec else None
        self.pending = int(spec.get("pending", "1"))
        self.busy = int(spec.get("busy", "0"))
        self.nomem = int(spec.get("nomem", "0"))
        self.stall_type = int(spec["stall"]) if "stall" in spec else None
        self.hang_type = int(spec["hang"]) if "hang" in spec else None
        self.silent_type = int(spec["silent"]) if "silent" in spec else None
        self.unplug_type = int(spec["unplug"]) if "unplug" in spec else None
        self.protected = spec.get("protected") == "1"
        self.bad_user_part = spec.get("bad_user_part") == "1"
        self.drop_at_chunk = int(spec["drop_at_chunk"]) if "drop_at_chunk" in spec else None
        self.tty = spec.get("tty")
        self.control_path = spec.get("control")
        self.delay = int(spec.get("delay_ms", "0")) / 1000.0
        self.tty_name = "ttyACM%d" % index
        self.timing = spec.get("timing") == "1"
        self.transfers = 0
        self.update_stats = None  # [start time, transfers at start, DATA requests, largest chunk, most in flight]
        self.update = None  # firmware update in progress: bytearray of what arrived, and its declared size
        self.update_size = 0
        self.user_size, self.user_version = 5120, 6
        # Wi-Fi: stored networks [(ssid, security)], the network connected to, what a scan finds.
        self.known = []
        self.current = None
        self.scan = [("Bench", bytes.fromhex("a0b1c2d3e4f5"), 3, 6, -45), ("Office", bytes.fromhex("a0b1c2d3e4f6"), 5, 11, -71),
                     ("", bytes.fromhex("a0b1c2d3e4f7"), 3, 1, -80)]
        self.claim_code = ""
        self.iccid = spec.get("iccid", "89014103211118510720")
        self.imei = spec.get("imei", "352753090000000")
        self.next_id = 0
        self.active = {}
        self.gone = False
        self.busnum = 1
        self.devnum = index + 2
        # URBs submitted and not yet reaped: [(urb IoctlData, status, actual_length, held)]
        self.urbs = []

    # -- USB identity -------------------------------------------------------------------------------------------
    @property
    def product_id(self):
        return 0xC000 | self.platform

    def device_descriptor(self):
        return struct.pack("<BBHBBBBHHHBBBB", 18, 1, 0x0200, 0, 0, 0, 64, 0x2B04, self.product_id, 0x0250, 1, 2, 3, 1)

    def configuration_descriptor(self):
        interface = struct.pack("<BBBBBBBBB", 9, 4, 0, 0, 0, 0xFF, 0xFF, 0xFF, 4)
        header = struct.pack("<BBHBBBBB", 9, 2, 9 + len(interface), 1, 1, 0, 0x80, 50)
        return header + interface

    def string_descriptor(self, index):
        if index == 0:
            return bytes([4, 3, 0x09, 0x04])
        text = {1: "Particle", 2: self.product, 3: self.device_id, 4: f"{self.product} Control Interface"}.get(index)
        if text is None:
            raise Stall()
        data = text.encode("utf-16-le")
        return bytes([2 + len(data), 3]) + data

    def record(self):
        descriptors = (self.device_descriptor() + self.configuration_descriptor()).hex().upper()
        node = "bus/usb/%03d/%03d" % (self.busnum, self.devnum)
        lines = [
            f"P: /devices/pci0000:00/0000:00:14.0/usb1/{self.path}",
            f"N: {node}={descriptors}",
            f"E: DEVNAME=/dev/{node}", "E: DEVTYPE=usb_device", "E: DRIVER=usb", "E: SUBSYSTEM=usb",
            "E: BUSNUM=%03d" % self.busnum, "E: DEVNUM=%03d" % self.devnum,
            "E: ID_VENDOR_ID=2b04", "E: ID_MODEL_ID=%04x" % self.product_id, f"E: ID_SERIAL_SHORT={self.device_id}",
            "A: busnum=%d\\n" % self.busnum, "A: devnum=%d\\n" % self.devnum, "A: speed=12\\n",
            "A: bConfigurationValue=1\\n", "A: idVendor=2b04\\n", "A: idProduct=%04x\\n" % self.product_id,
            f"A: serial={self.device_id}\\n", f"A: product={self.product}\\n", "A: manufacturer=Particle\\n",
            f"H: descriptors={descriptors}",
        ]
        return "\n".join(lines) + "\n"

    def serial_records(self):
        """The CDC ACM interface and its tty under the usb_device, as the kernel shows a device in normal mode; the
        tty's DEVNAME is the simulated serial console's pty (no node in the testbed: the real pty is opened)."""
        if not self.tty:
            return []
        interface = f"/devices/pci0000:00/0000:00:14.0/usb1/{self.path}/{self.path}:1.0"
        return [
            "\n".join([f"P: {interface}", "E: DEVTYPE=usb_interface", "E: DRIVER=cdc_acm", "E: SUBSYSTEM=usb",
                       "A: bInterfaceClass=02\\n", "A: bInterfaceNumber=00\\n"]) + "\n",
            "\n".join([f"P: {interface}/tty/{self.tty_name}", f"E: DEVNAME={self.tty}", "E: SUBSYSTEM=tty",
                       "E: MAJOR=166", "E: MINOR=%d" % (self.devnum - 2), "E: ID_VENDOR_ID=2b04",
                       "E: ID_MODEL_ID=%04x" % self.product_id, f"E: ID_SERIAL_SHORT={self.device_id}",
                       "A: dev=166:%d\\n" % (self.devnum - 2)]) + "\n",
        ]

    def tell_console(self, line):
        """Tells the serial side of this device (`sim device --control`) what the USB side was asked."""
        if not self.control_path:
            return
        try:
            fd = os.open(self.control_path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as error:
            sys.stderr.write(f"umockdev-usb: cannot tell the console at {self.control_path} to {line}: {error}\n")
            return
        try:
            os.write(fd, (line + "\n").encode())
        finally:
            os.close(fd)

    @property
    def node(self):
        return "/dev/bus/usb/%03d/%03d" % (self.busnum, self.devnum)

    # -- one control transfer -----------------------------------------------------------------------------------
    def control(self, setup, data_out):
        """Answers one control transfer: returns the IN data (or b"" for OUT), raises Stall, or returns None to
        leave the transfer unanswered."""
        request_type, request, value, index, length = struct.unpack("<BBHHH", setup)
        self.transfers += 1
        if self.update_stats is not None:
            self.update_stats[4] = max(self.update_stats[4], len(self.active))
        if self.log:
            self.log.write(f"{self.path} {setup.hex()} {data_out.hex() if data_out else '-'}\n")
            self.log.flush()
        if request_type == 0x80 and request == 6:  # GET_DESCRIPTOR
            kind, which = value >> 8, value & 0xFF
            if kind == 1:
                answer = self.device_descriptor()
            elif kind == 2:
                answer = self.configuration_descriptor()
            elif kind == 3:
                answer = self.string_descriptor(which)
            else:
                raise Stall()
            return answer[:length]
        if request_type not in (0x40, 0xC0):
            raise Stall()
        if request == 0x50:
            return self.quick(request_type, index, length)
        if request in (1, 2, 5) and (request_type != 0xC0 or length != 64):
            raise Stall()
        if request == 1:
            return self.init(index, value)
        if request == 2:
            return self.check(index)
        if request == 3 and request_type == 0x40:
            return self.send(index, data_out)
        if request == 4 and request_type == 0xC0:
            return self.recv(index, length)
        if request == 5:
            return self.reset(index)
        raise Stall()

    def quick(self, request_type, index, length):
        if request_type == 0xC0:
            answers = {20: self.device_id.upper().encode(), 30: self.version.encode()}
            answer = answers.get(index)
            if answer is None or length < 1 or length > 64 or length < len(answer):
                raise Stall()
            return answer
        if index == 40:
            self.vanish_for(1.0)
            return b""
        if index == 302:
            self.cloud = 0
            return b""
        raise Stall()

    def init(self, type_, size):
        if type_ == self.unplug_type:
            self.unplug_type = None
            self.gone = True
            return None
        if type_ == 253 and self.drop_at_chunk is not None:
            self.drop_at_chunk -= 1
            if self.drop_at_chunk == 0:
                self.drop_at_chunk = None
                self.gone = True
                threading.Timer(1.5, self.come_back).start()
                return None
        if type_ == self.silent_type:
            self.silent_type = None
            return None
        if type_ == self.stall_type:
            raise Stall()
        if self.busy > 0 or len(self.active) >= 4:
            self.busy = max(0, self.busy - 1)
            return service_reply(BUSY)
        if self.nomem > 0:
            self.nomem -= 1
            return service_reply(NO_MEMORY)
        self.next_id = (self.next_id + 1) & 0xFFFF
        request = Request(type_, size)
        self.active[self.next_id] = request
        if request.state == "running":
            self.run(request)
        return service_reply(PENDING if request.state == "alloc" else OK, self.next_id)

    def check(self, request_id):
        request = self.active.get(request_id)
        if request is None:
            return service_reply(NOT_FOUND)
        if request.state == "alloc":
            request.state = "waiting"
            return service_reply(PENDING)
        if request.state == "waiting":
            return service_reply(OK)
        if request.state == "running":
            if request.pending_checks > 0 or request.type == self.hang_type:
                request.pending_checks -= 1
                return service_reply(PENDING)
            request.state = "done"
        size = len(request.reply) if request.reply else None
        if not request.reply:
            del self.active[request_id]
            self.after(request)
        return service_reply(OK, size=size, result=request.result)

    def send(self, request_id, data):
        request = self.active.get(request_id)
        if request is None or request.state != "waiting" or len(request.payload) + len(data) > request.size:
            raise Stall()
        request.payload += data
        if len(request.payload) == request.size:
            self.run(request)
        return b""

    def recv(self, request_id, length):
        request = self.active.get(request_id)
        if request is None or request.state != "done" or length == 0 or request.sent + length > len(request.reply):
            raise Stall()
        chunk = request.reply[request.sent:request.sent + length]
        request.sent += length
        if request.sent == len(request.reply):
            del self.active[request_id]
            self.after(request)
        return chunk

    def reset(self, request_id):
        if request_id == 0:
            self.active.clear()
            return service_reply(OK)
        if self.active.pop(request_id, None) is None:
            return service_reply(NOT_FOUND)
        return service_reply(OK)

    # -- request handlers (spec 2.1) ----------------------------------------------------------------------------
    def run(self, request):
        request.state = "running"
        request.pending_checks = self.pending
        try:
            request.result, request.reply = self.handle(request.type, bytes(request.payload))
        except ValueError:
            request.result, request.reply = -280, b""

    def handle(self, type_, payload):
        if self.protected and type_ not in PROTECTED_ALLOWED:
            return PROTECTED, b""
        if type_ == 1:
            return 0, payload
        if type_ == 20:
            return 0, pb_string(1, self.device_id)
        if type_ == 30:
            return 0, pb_string(1, self.version)
        if type_ in (40, 50, 60):
            return 0, b""
        if type_ == 70:
            self.listening = True
            self.tell_console("listen")
            return 0, b""
        if type_ == 71:
            self.listening = False
            self.tell_console("stop-listening")
            return 0, b""
        if type_ == 72:
            return 0, pb_uint(1, 1 if self.listening else 0)
        if type_ == 76:
            return 0, pb_uint(1, 1 if self.protected else 0)
        if type_ == 200:
            fields = pb_fields(payload)
            code = fields.get(1, [b""])[0]
            if not isinstance(code, bytes) or len(code) > 63:
                return -280, b""
            self.claim_code = code.decode()
            return 0, b""
        if type_ == 201:
            return 0, pb_uint(1, 1 if self.claimed else 0)
        if type_ == 300:
            if self.connect_after is not None:
                if self.connect_after <= 0:
                    self.cloud = 2
                else:
                    self.cloud = max(self.cloud, 1)
                self.connect_after -= 1
            return 0, pb_uint(1, self.cloud)
        if type_ == 90:
            return 0, b"".join(pb_string(2, self.module(*spec)) for spec in self.modules())
        if type_ == 400:
            return 0, b"".join(pb_string(1, pb_uint(1, index) + pb_string(2, name) + pb_uint(3, kind))
                               for index, name, kind in self.interfaces())
        if type_ == 401:
            wanted = pb_fields(payload).get(1, [0])[0]
            for index, name, kind in self.interfaces():
                if index == wanted:
                    interface = pb_uint(1, index) + pb_string(2, name) + pb_uint(3, kind)
                    if kind == 8:
                        interface += pb_string(8, self.mac())
                    return 0, pb_string(1, interface)
            return -170, b""
        if 250 <= type_ <= 253:
            return self.firmware(type_, payload)
        if 500 <= type_ <= 507:
            return self.wifi(type_, payload)
        if type_ == 554:
            if self.platform not in CELLULAR_PLATFORMS:
                return NOT_SUPPORTED, b""
            return 0, pb_string(1, self.iccid) + pb_string(2, self.imei)
        if type_ == 301:
            self.cloud = max(self.cloud, 1)
            return 0, b""
        if type_ == 302:
            self.cloud = 0
            return 0, b""
        return NOT_SUPPORTED, b""

    def firmware(self, type_, payload):
        """Local firmware update (spec 3.1): START erases and answers the chunk size, DATA appends at the running
        offset, FINISH checks the image (a Particle module ends with the big-endian CRC-32 of what precedes it)."""
        fields = pb_fields(payload)
        if type_ == 250:
            size = fields.get(1, [0])[0]
            if size == 0 or size > 1024 * 1024:
                return -1351, b""
            self.update, self.update_size = bytearray(), size
            self.update_stats = [time.monotonic(), self.transfers, 0, 0, 0]
            return 0, pb_uint(1, 1024)
        if type_ == 252:
            self.update = None
            return 0, b""
        if self.update is None:
            return -210, b""
        if type_ == 253:
            data = fields.get(1, [b""])[0]
            if not data or len(self.update) + len(data) > self.update_size:
                self.update = None
                return -290, b""
            self.update += data
            if self.update_stats is not None:
                self.update_stats[2] += 1
                self.update_stats[3] = max(self.update_stats[3], len(data))
            return 0, b""
        image, self.update = bytes(self.update), None
        if len(image) != self.update_size:
            return -210, b""
        if len(image) < 8 or struct.unpack(">I", image[-4:])[0] != zlib.crc32(image[:-4]):
            return -1330, b""
        self.applied = len(image)
        self.report_update(len(image))
        return 0, b""

    def report_update(self, size):
        stats, self.update_stats = self.update_stats, None
        if not self.timing or stats is None:
            return
        started, transfers, chunks, largest, in_flight = stats
        seconds = max(time.monotonic() - started, 1e-9)
        sys.stderr.write(f"umockdev-usb: {self.path} firmware update: {size} bytes in {seconds * 1000:.1f} ms "
                         f"({size / seconds:.0f} bytes/s), {chunks} DATA requests of up to {largest} bytes, "
                         f"at most {in_flight} in flight, {self.transfers - transfers} control transfers\n")
        sys.stderr.flush()

    def wifi(self, type_, payload):
        if self.platform not in WIFI_PLATFORMS:
            return NOT_SUPPORTED, b""
        fields = pb_fields(payload)
        ssid = fields.get(1, [b""])[0].decode() if fields.get(1) else ""
        if type_ in (500, 507):
            if type_ == 507 and self.version.split(".")[:2] in (["6", "0"], ["6", "1"]):
                return NOT_SUPPORTED, b""
            security = fields.get(3, [0])[0]
            credentials = pb_fields(fields[4][0]) if fields.get(4) else {}
            password = credentials.get(2, [b""])[0].decode() if credentials.get(2) else ""
            if not ssid:
                return -270, b""
            visible = {name: sec for name, _, sec, _, _ in self.scan}
            if type_ == 500 and fields.get(6, [0])[0] == 0 and ssid not in visible:
                return -170, b""  # not hidden and not seen: nothing to join
            if type_ == 500 and password == "wrong-password":
                return -160, b""  # the device could not connect with these credentials
            self.known = [entry for entry in self.known if entry[0] != ssid][:9] + [(ssid, security)]
            if type_ == 500:
                self.current = ssid
            return 0, b""
        if type_ == 502:
            return 0, b"".join(pb_string(1, pb_string(1, name) + pb_uint(2, sec) + pb_uint(3, 1 if sec else 0))
                               for name, sec in self.known)
        if type_ == 503:
            self.known = [entry for entry in self.known if entry[0] != ssid]
            return 0, b""
        if type_ == 504:
            self.known = []
            return 0, b""
        if type_ == 505:
            for name, bssid, _, channel, rssi in self.scan:
                if name == self.current:
                    return 0, pb_string(1, name) + pb_string(2, bssid) + pb_uint(3, channel) + pb_uint(4, rssi)
            return -170, b""
        if type_ == 506:
            return 0, b"".join(pb_string(1, pb_string(1, name) + pb_string(2, bssid) + pb_uint(3, sec) + pb_uint(4, channel)
                                         + pb_uint(5, rssi)) for name, bssid, sec, channel, rssi in self.scan)
        return NOT_SUPPORTED, b""

    def modules(self):
        """(type, index, version, store, size, checked, passed, dependencies) in cloud.FirmwareModule terms."""
        system = 6200 if self.version.startswith("6.2") else 6000
        return [(2, 0, 3000, 0, 49152, 0x1E, 0x1E, []),
                (4, 1, system, 0, 1048576, 0x1E, 0x1E, [(2, 0, 3000)]),
                (5, 1, self.user_version, 0, self.user_size, 0x1E, 0x1A if self.bad_user_part else 0x1E,
                 [(4, 1, system)])]

    @staticmethod
    def module(kind, index, version, store, size, checked, passed, dependencies):
        fixed = lambda field, value: varint(field << 3 | 5) + struct.pack("<I", value)
        body = pb_uint(1, kind) + pb_uint(2, index) + pb_uint(3, version) + pb_uint(4, store) + pb_uint(5, size)
        body += fixed(6, checked) + fixed(7, passed)
        body += b"".join(pb_string(9, pb_uint(1, t) + pb_uint(2, i) + pb_uint(3, v)) for t, i, v in dependencies)
        return body + pb_uint(11, size)

    def interfaces(self):
        found = [(1, "lo0", 1)]
        if self.platform in WIFI_PLATFORMS:
            found.append((4, "wl4", 8))
        if self.platform in CELLULAR_PLATFORMS:
            found.append((3, "pp3", 16))
        return found

    def mac(self):
        return bytes([0xA4, 0xCF, 0x12]) + bytes.fromhex(self.device_id[-6:])

    def after(self, request):
        """What a finished request does once its reply is collected (spec 1.9: 40/50/60 act 1 s later)."""
        if request.result != 0:
            return
        if request.type in (40, 60):
            self.vanish_for(1.0)
        elif request.type == 251:
            # FINISH answered: reset to apply the new user part (the bootloader copies it at boot).
            self.user_size, self.user_version = getattr(self, "applied", self.user_size), self.user_version + 1
            self.vanish_for(1.0)
        elif request.type == 50:
            threading.Timer(1.0, self.enter_dfu).start()

    def vanish_for(self, seconds):
        def vanish():
            with self.lock:
                self.gone = True
            threading.Timer(seconds, self.come_back).start()
        threading.Timer(1.0, vanish).start()

    def come_back(self):
        with self.lock:
            self.gone = False
            self.active.clear()
            self.next_id = 0
            self.listening = False
            self.update = None

    def enter_dfu(self):
        with self.lock:
            self.gone = True
        if TESTBED is not None:
            TESTBED.remove_device(f"/sys/devices/pci0000:00/0000:00:14.0/usb1/{self.path}")
            dfu = "\n".join([
                f"P: /devices/pci0000:00/0000:00:14.0/usb1/{self.path}", "E: DEVTYPE=usb_device", "E: DRIVER=usb",
                "E: SUBSYSTEM=usb", "E: ID_VENDOR_ID=2b04", "E: ID_MODEL_ID=%04x" % (0xD000 | self.platform),
                "A: idVendor=2b04", "A: idProduct=%04x" % (0xD000 | self.platform), f"A: serial={self.device_id}",
                f"E: ID_SERIAL_SHORT={self.device_id}"]) + "\n"
            TESTBED.add_from_string(dfu)


TESTBED = None


class UsbfsHandler:
    """Answers libusb's usbdevfs ioctls on one device node."""

    def __init__(self, device):
        self.device = device
        self.base = UMockdev.IoctlBase()
        self.base.connect("handle-ioctl", self.on_ioctl)

    def on_ioctl(self, _base, client):
        request = client.get_request()
        arg = client.get_arg()
        device = self.device
        with device.lock:
            try:
                if device.gone:
                    client.complete(-1, ENODEV)
                elif request == GET_CAPABILITIES:
                    arg.resolve(0, 4).update(0, struct.pack("<I", 0))
                    client.complete(0, 0)
                elif request == SUBMITURB:
                    self.submit(client, arg)
                elif request in (REAPURBNDELAY, REAPURB):
                    self.reap(client, arg)
                elif request == DISCARDURB:
                    self.discard(client, arg)
                elif request in (CLAIMINTERFACE, RELEASEINTERFACE, SETCONFIGURATION):
                    client.complete(0, 0)
                else:
                    client.complete(-1, ENOTTY)
            except Exception as error:  # a bug here must not hang the program under test
                sys.stderr.write(f"umockdev-usb: {error!r}\n")
                client.complete(-1, EINVAL)
        return True

    def submit(self, client, arg):
        urb = arg.resolve(0, URB_SIZE)
        raw = bytes(urb.retrieve())
        urb_type, endpoint = raw[0], raw[1]
        length = struct.unpack_from("<i", raw, 24)[0]
        if urb_type != 2 or endpoint not in (0, 0x80) or length < 8:
            client.complete(-1, EINVAL)
            return
        buffer = urb.resolve(16, length)
        data = bytes(buffer.retrieve())
        setup, data_out = data[:8], data[8:]
        if self.device.delay:
            time.sleep(self.device.delay)
        try:
            answer = self.device.control(setup, data_out if setup[0] & 0x80 == 0 else b"")
        except Stall:
            self.device.urbs.append([urb, -EPIPE, 0, False])
            client.complete(0, 0)
            return
        if answer is None:
            if self.device.gone:
                client.complete(-1, ENODEV)
                return
            self.device.urbs.append([urb, 0, 0, True])  # held: never completes unless discarded
            client.complete(0, 0)
            return
        if setup[0] & 0x80:
            answer = answer[:length - 8]
            buffer.update(8, answer)
            actual = len(answer)
        else:
            actual = len(data_out)
        self.device.urbs.append([urb, 0, actual, False])
        client.complete(0, 0)

    def reap(self, client, arg):
        for entry in self.device.urbs:
            urb, status, actual, held = entry
            if held:
                continue
            self.device.urbs.remove(entry)
            urb.update(4, struct.pack("<i", status))
            urb.update(28, struct.pack("<i", actual))
            arg.resolve(0, 8).set_ptr(0, urb)
            client.complete(0, 0)
            return
        client.complete(-1, EAGAIN)

    def discard(self, client, arg):
        address = struct.unpack("<Q", bytes(arg.retrieve())[:8])[0]
        for entry in self.device.urbs:
            if entry[0].client_addr == address and entry[3]:
                entry[1], entry[3] = -ENOENT, False
                client.complete(0, 0)
                return
        client.complete(-1, EINVAL)


def parse_spec(text):
    spec = {}
    for item in filter(None, text.split(",")):
        key, _, value = item.partition("=")
        spec[key.strip()] = value.strip()
    return spec


def main():
    global TESTBED
    if "umockdev-preload" not in os.environ.get("LD_PRELOAD", ""):
        os.execvp("umockdev-wrapper", ["umockdev-wrapper", sys.executable] + sys.argv)
    args = sys.argv[1:]
    if "--" not in args:
        sys.stderr.write(__doc__)
        return 2
    split = args.index("--")
    options, program = args[:split], args[split + 1:]
    specs, log_path = [], None
    while options:
        option = options.pop(0)
        if option == "--device" and options:
            specs.append(parse_spec(options.pop(0)))
        elif option == "--log" and options:
            log_path = options.pop(0)
        else:
            sys.stderr.write(f"umockdev-usb: unknown option {option}\n")
            return 2
    log = open(log_path, "a", buffering=1) if log_path else None
    TESTBED = UMockdev.Testbed.new()
    handlers = []
    for index, spec in enumerate(specs):
        device = SimulatedDevice(index, spec, log)
        TESTBED.add_from_string(device.record())
        for record in device.serial_records():
            TESTBED.add_from_string(record)
        handler = UsbfsHandler(device)
        TESTBED.attach_ioctl(device.node, handler.base)
        handlers.append((device, handler))
    env = dict(os.environ, LD_PRELOAD="libumockdev-preload.so.0", UMOCKDEV_DIR=TESTBED.get_root_dir())
    try:
        status = subprocess.call(program, env=env)
    finally:
        for device, handler in handlers:
            TESTBED.detach_ioctl(device.node)
    return status


if __name__ == "__main__":
    sys.exit(main())

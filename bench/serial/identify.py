#!/usr/bin/env python3
"""The identify round trip with Python's termios, for `make bench`: open raw at 9600, send `i`, read the reply line."""
import os, select, sys, termios, tty

def main():
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    tty.setraw(fd)
    attrs = termios.tcgetattr(fd)
    attrs[4] = attrs[5] = termios.B9600
    termios.tcsetattr(fd, termios.TCSANOW, attrs)
    termios.tcflush(fd, termios.TCIOFLUSH)
    os.write(fd, b"i")
    reply = b""
    while b"\n" not in reply:
        ready, _, _ = select.select([fd], [], [], 2.0)
        if not ready:
            sys.exit("timeout")
        reply += os.read(fd, 256)
    sys.stdout.write(reply.decode())
    os.close(fd)

if __name__ == "__main__":
    main()

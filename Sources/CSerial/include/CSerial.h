#ifndef CSERIAL_H
#define CSERIAL_H
/*
 * Small C helpers for what Swift cannot reach through Glibc:
 *  - termios2 / BOTHER, so a port can run at any integer speed (Linux has no B14400 or B28800);
 *  - TIOCEXCL / TIOCNXCL and the modem-line ioctls (DTR);
 *  - posix_openpt / grantpt / unlockpt / ptsname_r, for the simulated device's pseudo-terminal.
 *
 * The kernel header that defines TCSETS2 (<asm/termbits.h>) clashes with glibc's <termios.h>, so the termios2 code
 * lives alone in cserial_termios2.c and this header includes neither. Unless noted, a function returns 0 on success,
 * or -1 with errno set, like the system calls it wraps.
 */
#include <stddef.h>

/* Raw 8N1, no flow control, receiver on, modem lines ignored, any integer speed (BOTHER). */
int cserial_make_raw(int fd, unsigned int speed);
/* Changes only the line speed, keeping every other setting. */
int cserial_set_speed(int fd, unsigned int speed);
/* Reads the output line speed back. On a pty master this is the slave's setting. */
int cserial_get_speed(int fd, unsigned int *speed);
/* Discards input not yet read (TCIFLUSH) and output not yet sent (TCOFLUSH). */
int cserial_flush(int fd);
/* Exclusive mode: further open() calls of the tty fail with EBUSY (except for privileged processes). */
int cserial_set_exclusive(int fd, int exclusive);
/* Raises DTR (and RTS) through TIOCMBIS. */
int cserial_assert_dtr(int fd);

/* Opens a new pseudo-terminal master (O_RDWR | O_NOCTTY), grants and unlocks its slave and writes the slave's path.
 * Returns the master's file descriptor, or -1 with errno set. */
int cserial_open_pty(char *slave_path, size_t capacity);

#endif

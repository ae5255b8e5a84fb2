/* termios2 through the kernel's own definitions. Do not include <termios.h> here: it clashes with these. */
#include <asm/termbits.h>
#include <asm/ioctls.h>
#include <sys/ioctl.h>
#include "CSerial.h"

static int get2(int fd, struct termios2 *t) { return ioctl(fd, TCGETS2, t); }
static int set2(int fd, const struct termios2 *t) { return ioctl(fd, TCSETS2, t); }

static void put_speed(struct termios2 *t, unsigned int speed) {
    t->c_cflag &= ~(CBAUD | (CBAUD << IBSHIFT));
    t->c_cflag |= BOTHER | (BOTHER << IBSHIFT);
    t->c_ispeed = speed;
    t->c_ospeed = speed;
}

int cserial_make_raw(int fd, unsigned int speed) {
    struct termios2 t;
    if (get2(fd, &t) != 0) return -1;
    t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXOFF | IXANY | INPCK);
    t.c_oflag &= ~OPOST;
    t.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t.c_cflag &= ~(CSIZE | PARENB | CSTOPB | CRTSCTS);
    t.c_cflag |= CS8 | CREAD | CLOCAL;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    put_speed(&t, speed);
    return set2(fd, &t);
}

int cserial_set_speed(int fd, unsigned int speed) {
    struct termios2 t;
    if (get2(fd, &t) != 0) return -1;
    put_speed(&t, speed);
    return set2(fd, &t);
}

int cserial_get_speed(int fd, unsigned int *speed) {
    struct termios2 t;
    if (get2(fd, &t) != 0) return -1;
    *speed = t.c_ospeed;
    return 0;
}

int cserial_flush(int fd) { return ioctl(fd, TCFLSH, TCIOFLUSH); }

int cserial_set_exclusive(int fd, int exclusive) { return ioctl(fd, exclusive ? TIOCEXCL : TIOCNXCL); }

int cserial_assert_dtr(int fd) {
    int lines = TIOCM_DTR | TIOCM_RTS;
    return ioctl(fd, TIOCMBIS, &lines);
}

/* The identify round trip in plain C, as the baseline for `make bench`: open the port raw at 9600, send `i`, read
 * until the reply line ends (2 s deadline), print it. Usage: identify PORT */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s PORT\n", argv[0]); return 2; }
    int fd = open(argv[1], O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) { perror(argv[1]); return 6; }
    struct termios t;
    if (tcgetattr(fd, &t) != 0) { perror("tcgetattr"); return 6; }
    cfmakeraw(&t);
    t.c_cflag |= CLOCAL | CREAD;
    cfsetspeed(&t, B9600);
    tcsetattr(fd, TCSANOW, &t);
    tcflush(fd, TCIOFLUSH);
    if (write(fd, "i", 1) != 1) { perror("write"); return 6; }
    char reply[256];
    size_t used = 0;
    while (used < sizeof reply - 1) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, 2000) <= 0) { fprintf(stderr, "timeout\n"); return 4; }
        ssize_t n = read(fd, reply + used, sizeof reply - 1 - used);
        if (n <= 0) { perror("read"); return 6; }
        used += (size_t)n;
        reply[used] = 0;
        if (strchr(reply, '\n')) break;
    }
    printf("%s", reply);
    close(fd);
    return 0;
}

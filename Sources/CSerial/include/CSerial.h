#ifndef CSERIAL_H
#define CSERIAL_H
/* Small C helpers for what Swift cannot reach through Glibc. Filled in by the serial transport. */
int cserial_placeholder(void);
#endif

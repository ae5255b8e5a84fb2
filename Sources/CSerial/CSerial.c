#include "CSerial.h"
int cserial_placeholder(void) { return 0; }

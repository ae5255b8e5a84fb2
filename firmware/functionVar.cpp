// functionVar — particlectl's bundled test firmware.
//
// Cloud variable  "sensor"   (int): a simulated reading 0-4095, refreshed once a second.
// Cloud function  "setColor" ("R,G,B"): shows that colour on the RGB LED for 10 seconds, then gives the LED back to
//                                       the system. Returns 1 when the argument holds three integers, 0 otherwise.
// Everything it does is logged on USB serial (`particlectl serial monitor`).
#include "Particle.h"

#ifndef SYSTEM_VERSION_v620
SYSTEM_THREAD(ENABLED);   // default from Device OS 6.2.0 on
#endif

SerialLogHandler logHandler;

static const unsigned long kReadingPeriodMs = 1000;
static const unsigned long kColorHoldMs = 10000;

int sensor = 0;                    // published as the "sensor" variable
static unsigned long lastReadingMs = 0;
static unsigned long colorStartedMs = 0;
static bool colorHeld = false;

int setColor(String command);

void setup() {
    Particle.variable("sensor", sensor);
    Particle.function("setColor", setColor);
}

void loop() {
    unsigned long now = millis();
    if (now - lastReadingMs >= kReadingPeriodMs) {
        lastReadingMs = now;
        sensor = rand() % 4096;    // stands in for an analog reading
    }
    if (colorHeld && now - colorStartedMs >= kColorHoldMs) {
        RGB.control(false);
        colorHeld = false;
        Log.info("LED returned to the system");
    }
}

// "R,G,B" -> take over the LED with that colour for kColorHoldMs.
int setColor(String command) {
    Log.info("setColor %s", command.c_str());
    int red = 0, green = 0, blue = 0;
    if (sscanf(command.c_str(), "%d,%d,%d", &red, &green, &blue) != 3) {
        Log.info("setColor expects R,G,B");
        return 0;
    }
    RGB.control(true);
    RGB.color(red, green, blue);
    colorStartedMs = millis();
    colorHeld = true;
    Log.info("LED set to red=%d green=%d blue=%d", red, green, blue);
    return 1;
}

// functionVarPub — particlectl's bundled test firmware for products.
//
// Cloud variable  "sensor"       (int, calculated): a fresh simulated reading 0-4095 on every read.
// Cloud function  "setColor"     ("R,G,B"): colour on the RGB LED for 10 seconds; returns 1, or 0 on a bad argument.
// Cloud function  "publishEvent" (NAME): publishes an event called NAME (no data); returns 0.
// Subscription    "particlectl_subscribeTest": logs every event it receives.
// Everything it does is logged on USB serial (`particlectl serial monitor`).
#include "Particle.h"

#ifndef SYSTEM_VERSION_v400ALPHA1
PRODUCT_ID(PLATFORM_ID);   // wildcard product id, needed before Device OS 4.0
#endif
PRODUCT_VERSION(1);

#ifndef SYSTEM_VERSION_v620
SYSTEM_THREAD(ENABLED);    // default from Device OS 6.2.0 on
#endif

SerialLogHandler logHandler;

static const unsigned long kColorHoldMs = 10000;
static unsigned long colorStartedMs = 0;
static bool colorHeld = false;

int readSensor();
int setColor(String command);
int publishEvent(String name);
void onTestEvent(const char *name, const char *data);

void setup() {
    Particle.variable("sensor", readSensor);
    Particle.function("setColor", setColor);
    Particle.function("publishEvent", publishEvent);
    Particle.subscribe("particlectl_subscribeTest", onTestEvent);
}

void loop() {
    if (colorHeld && millis() - colorStartedMs >= kColorHoldMs) {
        RGB.control(false);
        colorHeld = false;
        Log.info("LED returned to the system");
    }
}

// Calculated variable: every read takes a new (simulated) reading.
int readSensor() {
    int reading = rand() % 4096;
    Log.info("sensor read: %d", reading);
    return reading;
}

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

// The argument is the event name; the event carries no data.
int publishEvent(String name) {
    Log.info("publishing event %s", name.c_str());
    Particle.publish(name);
    return 0;
}

void onTestEvent(const char *name, const char *data) {
    Log.info("received event name=%s data=%s", name, data ? data : "");
}

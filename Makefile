# particlectl — build, test, demo. Every target installs the Debian packages it needs first.
SWIFT      ?= swift
PREFIX     ?= /usr/local
BIN        := .build/debug
APT_PKGS   := pkg-config libudev-dev umockdev libumockdev-dev gir1.2-umockdev-1.0 python3-gi
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build test demo bench fuzz install install-udev-rules embed-firmware clean

all: build

# Installs the system packages the build and the tests need, only when one is missing.
deps:
	@missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

# The README's test command: every test suite (unit, end-to-end through the built executables, umockdev).
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip ListeningModeSession
	@# Timed bounds (16 concurrent dialogues, cancellation) run alone: the other suites' synchronous tests occupy the
	@# cooperative pool they measure.
	$(SWIFT) test --skip-build --filter ListeningModeSession

# The main job on the simulated world (no hardware, no account needed).
demo: build
	@bash scripts/demo.sh

bench: build
	@bash bench/provision/run.sh
	@bash bench/serial/run.sh
	@bash bench/softap/run.sh

fuzz: deps
	@bash fuzz/serial/run.sh $(FUZZ_SECONDS)
	@bash fuzz/cloud/run.sh $(FUZZ_SECONDS)
	@bash fuzz/softap/run.sh $(FUZZ_SECONDS)

install: deps
	$(SWIFT) build -c release
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 .build/release/particlectl .build/release/particlectl-net .build/release/particlectl-sim $(DESTDIR)$(PREFIX)/bin/

install-udev-rules:
	$(SUDO) install -m 0644 udev-rules/50-particle.rules /etc/udev/rules.d/50-particle.rules
	$(SUDO) udevadm control --reload-rules
	$(SUDO) udevadm trigger --subsystem-match=usb --subsystem-match=tty
	@echo "Installed. Unplug and replug your Particle devices."

# Re-embeds firmware/ into the binary after editing it (a test checks they agree).
embed-firmware:
	python3 scripts/embed-firmware.py

clean:
	rm -rf .build

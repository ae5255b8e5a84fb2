# particlectl — build, test, demo. Every target installs the Debian packages it needs first.
SWIFT      ?= swift
PREFIX     ?= /usr/local
BIN        := .build/debug
# What `make install` installs and `make bench` measures: release, the Swift runtime and Foundation linked statically
# (no dynamic loading of them at start-up), and linked at a fixed address (-no-pie): a position-independent
# executable of this size has ~77,000 relative relocations that the loader applies, page by page, before main —
# ~200 page faults and a third of `serial identify`'s start-up. The front's plain `serial identify`/`mac`/`version`
# then skip ArgumentParser altogether (`SerialQuickCommand`).
RELEASE    := -c release --static-swift-stdlib -Xlinker -no-pie
BINDIR      = $(PREFIX)/bin
MANDIR      = $(PREFIX)/share/man/man1
BASHDIR     = $(PREFIX)/share/bash-completion/completions
ZSHDIR      = $(PREFIX)/share/zsh/site-functions
FISHDIR     = $(PREFIX)/share/fish/vendor_completions.d
APT_PKGS   := pkg-config libsqlite3-dev libudev-dev libcurl4-openssl-dev libusb-1.0-0-dev umockdev libumockdev-dev gir1.2-umockdev-1.0 python3-gi chromium chromium-driver python3-selenium systemd binutils postgresql
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build release test demo demo-station bench fuzz deb deb-check install install-files install-udev-rules embed-firmware clean

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

release: deps
	$(SWIFT) build $(RELEASE)

# The README's test command: every test suite (unit, end-to-end through the built executables, umockdev).
# Tests that assert a time bound (a wait is the timeout and no more, cancellation is prompt, 16 dialogues overlap) or
# act inside a window of seconds (the database stopped while devices are mid-run), and those that stress one shared
# resource (six openers on one PostgreSQL server, umockdev's ioctl socket, a rate-limit window) run in a second pass,
# one at a time: in the first pass the other suites load both cores and the cooperative pool.
TIMED := aRequestThatNeverFinishesTimesOutAndIsReset|theServerStoppedForTenSecondsMidRunLosesNothingAndDoublesNothing|everyDeviceIsProvisionedConcurrentlyAndEveryStepIsRecorded|ListeningModeSession|onATerminalTheWaitShowsElapsedAndRemainingTimeInPlace|aMissedOnlineEventCostsAPollIntervalNotTheTimeout|aMissedOnlineEventIsNoticedByPollingWithinAboutAPollInterval|cancelledScanEndsPromptly|stalledBodyEndsAsTimedOutNamingTheRequest|aHealthyStreamClosedByTheCloudIsReopenedAtOnce|aDeviceSlowToAnswerWIsNeverTypedIntoAndTheWaitIsTheTimeout|subscribeRetriesOpeningWithinTimeout|aDeviceSlowToAnswerWTakesTheTimeoutOnceAndIsNotTypedInto|theSlotTakesTheNextDeviceWhenTheFirstIsSwappedForIt|openTogether|sixteenConcurrentCallersAreEachRefusedAtMostOnceInTheWindow|USBCommandsTests

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip '$(TIMED)'
	$(SWIFT) test --skip-build --no-parallel --filter '$(TIMED)'

# Regenerates Sources/ParticleUSB/Proto/*.pb.swift from proto/particle (the generated code is committed; neither
# `make build`, `make test` nor CI runs this). Builds protoc-gen-swift once into .build-proto/ unless PROTOC_GEN_SWIFT
# names one.
.PHONY: proto
proto:
	@bash scripts/generate-proto.sh

# The main job on the simulated world (no hardware, no account needed).
demo: build
	@bash scripts/demo.sh

# The factory station on 8 simulated devices (one faulty), then its report.
demo-station: build
	@bash scripts/demo-station.sh

# The serial bench measures the front exactly as `make install` installs it (installed into a scratch DESTDIR).
bench: build release
	@bash bench/provision/run.sh
	@rm -rf .build/bench-install && $(MAKE) -s install-files BUILD_DIR=.build/release DESTDIR=$(CURDIR)/.build/bench-install
	@bash bench/serial/run.sh .build/bench-install$(BINDIR)/particlectl
	@bash bench/softap/run.sh
	@bash bench/usb/run.sh
	@python3 bench/station/run.py .build/release
	@/usr/bin/python3 bench/dashboard/run.py .build/release

fuzz: deps
	@bash fuzz/serial/run.sh $(FUZZ_SECONDS)
	@bash fuzz/cloud/run.sh $(FUZZ_SECONDS)
	@bash fuzz/softap/run.sh $(FUZZ_SECONDS)

# A Debian package for station PCs without Swift: dist/particlectl_VERSION_ARCH.deb (release build, Swift runtime
# linked statically; executables, udev rules, completions, man page, the particlectl-station@ systemd unit).
deb: release
	@bash scripts/make-deb.sh .build/release dist

# The package on a machine without Swift: installs it here, hides the Swift toolchain, runs the installed particlectl
# (the factory-station demo from /usr/bin), purges it. Needs root or passwordless sudo. CI runs it after the tests.
deb-check: deb
	@bash scripts/deb-check.sh $$(ls -t dist/particlectl_*.deb | head -1)

install: release
	$(MAKE) install-files BUILD_DIR=.build/release

# The three executables from BUILD_DIR, then the shell completions and the man page, generated by the installed
# `particlectl` (whole command tree: serial, network and simulator commands). Respects DESTDIR and PREFIX.
install-files:
	@test -n "$(BUILD_DIR)" || { echo "install-files: set BUILD_DIR (make install does)"; exit 2; }
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(BASHDIR) $(DESTDIR)$(ZSHDIR) $(DESTDIR)$(FISHDIR)
	install -m 0755 $(BUILD_DIR)/particlectl $(BUILD_DIR)/particlectl-net $(BUILD_DIR)/particlectl-sim $(DESTDIR)$(BINDIR)/
	$(DESTDIR)$(BINDIR)/particlectl --generate-completion-script bash > $(DESTDIR)$(BASHDIR)/particlectl
	$(DESTDIR)$(BINDIR)/particlectl --generate-completion-script zsh > $(DESTDIR)$(ZSHDIR)/_particlectl
	$(DESTDIR)$(BINDIR)/particlectl --generate-completion-script fish > $(DESTDIR)$(FISHDIR)/particlectl.fish
	python3 scripts/manpage.py $(DESTDIR)$(BINDIR)/particlectl > $(DESTDIR)$(MANDIR)/particlectl.1
	chmod 0644 $(DESTDIR)$(BASHDIR)/particlectl $(DESTDIR)$(ZSHDIR)/_particlectl $(DESTDIR)$(FISHDIR)/particlectl.fish $(DESTDIR)$(MANDIR)/particlectl.1

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

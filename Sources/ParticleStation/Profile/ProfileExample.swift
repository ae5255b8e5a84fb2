extension StationProfile {
    /// The commented example `particlectl station init` writes; a test checks that it parses.
    public static let exampleYAML = """
        # particlectl station profile: what `particlectl station run --profile station.yaml` does to every device.
        # Every key is optional unless said otherwise; every key also has a flag, and flags override this file.
        # Secrets never live here: the Wi-Fi password comes from an environment variable, a 0600 file or
        # --password-stdin; the cloud token from the usual lookup (--token-stdin, PARTICLE_AUTH, `particlectl login`).
        # Reference of every key: docs/station-profile.md.

        # Product ID or slug; devices are imported into it first.                              (--product)
        # product: 12345

        # Who owns each device: user (the station's token), product, or customer.              (--owner)
        owner: user
        # With owner: customer, the customer's email and the product's OAuth client ID; the client secret comes from
        # PARTICLE_CLIENT_SECRET.                                                              (--customer, --client-id)
        # customer: ops@example.com
        # client_id: widget-client

        # The network every device joins.
        wifi:
          ssid: Line3                          # required in this section                      (--ssid)
          security: wpa2-aes                   # none, wep, wpa, wpa2, wpa3, wpa2_aes …; absent: the device decides (--security)
          password_env: LINE3_WIFI_PASSWORD    # the NAME of an environment variable holding the password (--password-env)
          # password_file: /etc/particlectl/line3.psk   # or a file of mode 0600 owned by you  (--password-file)

        # Device names: {seq} or {seq:0N}; the ledger hands out the sequence numbers.          (--name-template)
        name_template: "widget-{seq:05}"

        # Bundled firmware flashed at the end (functionVar, functionVarPub), verified by default.
        # firmware:
        #   name: functionVar                  #                                               (--firmware)
        #   target: 5.8.0                      # Device OS version to build against            (--firmware-target)
        #   verify: true                       #                                               (--no-verify)

        # Checks run after provisioning, in order: call a function and expect its return value, or read a variable
        # and expect a value (absent: it must exist).
        # acceptance:
        #   - function: digitalread
        #     argument: D7
        #     expect: 0
        #   - variable: version
        #     expect: "1.2.0"

        # Seconds.                       (--identify-timeout, --online-timeout, --flash-timeout, --hook-timeout)
        timeouts:
          identify: 5
          online: 90
          flash: 120
          hook: 10

        # Extra tries for each step that can be retried (0–10).                               (--retries)
        retries: 1

        # USB paths the station takes devices from (fnmatch globs); absent: every path.       (--usb-path, repeatable)
        # usb_paths: ["1-1.*", "1-2"]

        # Commands run through /bin/sh -c with the device's ledger record as JSON on stdin.   (--on-done, --on-failed)
        # hooks:
        #   on_done: "lp -d labels"
        #   on_failed: /opt/line3/red-light

        """
}

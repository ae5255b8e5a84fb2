/// The report as CSV (RFC 4180): a header row, then one row per device, lines ending in CRLF. What a factory
/// imports into its MES; the columns are stable (new ones are only ever appended).
public enum ReportCSV {
    public static let columns = [
        "device_id", "name", "status", "serial_number", "platform", "mac", "imei", "iccid", "device_os", "owner",
        "product", "firmware", "firmware_verified", "profile", "station", "slot", "operator", "lot", "first_seen",
        "finished_at", "attempts", "last_error",
    ]

    public static func render(_ report: LedgerReport) -> String {
        var lines = [columns.map(field).joined(separator: ",")]
        for entry in report.devices {
            let device = entry.device
            let cells: [String?] = [
                device.deviceID, device.name, device.status.rawValue, device.serialNumber, device.platform, device.mac,
                device.imei, device.iccid, device.deviceOS, device.owner, device.product, device.firmware,
                device.firmwareVerified.map { $0 ? "true" : "false" }, device.profile, device.station, device.slot,
                device.operatorName, device.lot, device.firstSeen, device.finishedAt, String(entry.attempts),
                device.lastError,
            ]
            lines.append(cells.map { field($0 ?? "") }.joined(separator: ","))
        }
        return lines.map { $0 + "\r\n" }.joined()
    }

    /// One field: quoted when it holds a comma, a double quote, CR or LF, with inner quotes doubled.
    public static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else {
            return text
        }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension JSONObjectWriter {
    /// `anomaly_counts` on `conn.close`: each reassembly anomaly code of the connection with
    /// how often it happened (the finding line appears once per connection and direction).
    /// Omitted when the connection had none.
    mutating func addAnomalyCounts(_ summary: ConnectionSummary) {
        let totals = summary.anomalyTotals
        guard !totals.isEmpty else { return }
        key("anomaly_counts")
        withOut { out in
            out.append(UInt8(ascii: "{"))
            for (index, entry) in totals.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.appendJSONString(entry.code.rawValue)
                out.append(UInt8(ascii: ":"))
                out.append(decimal: entry.count)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}

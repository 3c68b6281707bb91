/// The event tables of docs/postgres.sql with the columns switchpoint fills, in bind order.
/// Every table starts with the same key columns: `conn_uid` (the distribution key,
/// `<run_id>:<conn>`), `seq` (the row's number within the run), `sensor`, `run_id`, `conn`.
package enum ExportTable: String, Sendable, CaseIterable {
    case connections = "switchpoint_connections"
    case upgrades = "switchpoint_upgrades"
    case findings = "switchpoint_findings"
    case websockets = "switchpoint_websockets"
    case h2Streams = "switchpoint_h2_streams"
    case appEvents = "switchpoint_app_events"
    case auditFindings = "switchpoint_audit_findings"

    /// The columns every table starts with.
    static let keyColumns: [(name: String, type: String)] = [
        ("conn_uid", "text"), ("seq", "bigint"), ("sensor", "text"), ("run_id", "uuid"), ("conn", "bigint"),
    ]

    static let endpointColumns: [(name: String, type: String)] = [
        ("client_addr", "inet"), ("client_port", "integer"), ("server_addr", "inet"), ("server_port", "integer"),
    ]

    static let requestColumns: [(name: String, type: String)] = [
        ("method", "text"), ("path", "text"), ("host", "text"),
    ]

    /// Name and SQL type of each column, key columns first (the type casts each bind).
    package var columns: [(name: String, type: String)] {
        Self.keyColumns + ownColumns
    }

    private var ownColumns: [(name: String, type: String)] {
        switch self {
        case .connections:
            Self.endpointColumns + [
                ("opened_at", "timestamptz"), ("closed_at", "timestamptz"), ("close_reason", "text"),
                ("handshake", "text"),
                ("bytes_c2s", "bigint"), ("bytes_s2c", "bigint"), ("packets_c2s", "bigint"), ("packets_s2c", "bigint"),
                ("gaps", "integer"), ("gap_bytes", "bigint"),
            ]
        case .upgrades:
            [("ts", "timestamptz")] + Self.endpointColumns + [("tls", "boolean")] + Self.requestColumns + [
                ("offered", "text"), ("protocol", "text"), ("outcome", "text"), ("status", "integer"),
                ("cause", "text"), ("detail", "text"),
                ("c2s_offset", "bigint"), ("s2c_offset", "bigint"), ("latency_ms", "double precision"),
            ]
        case .findings:
            [("ts", "timestamptz")] + Self.endpointColumns + [
                ("code", "text"), ("severity", "text"), ("message", "text"), ("dir", "text"),
                ("stream_offset", "bigint"),
                ("h2_stream", "bigint"), ("tls", "boolean"),
            ] + Self.requestColumns
        case .websockets:
            [("ts", "timestamptz")] + Self.endpointColumns + [("h2_stream", "bigint")] + Self.requestColumns + [
                ("messages_c2s", "bigint"), ("messages_s2c", "bigint"), ("bytes_c2s", "bigint"),
                ("bytes_s2c", "bigint"),
                ("pings", "bigint"), ("close_code", "integer"), ("close_reason", "text"), ("closed_by", "text"),
                ("close_answered", "boolean"), ("close_frame_seen", "boolean"),
            ]
        case .h2Streams:
            [("ts", "timestamptz")] + Self.endpointColumns + [
                ("stream", "bigint"), ("method", "text"), ("scheme", "text"), ("authority", "text"), ("path", "text"),
                ("protocol", "text"), ("status", "integer"), ("bytes_c2s", "bigint"), ("bytes_s2c", "bigint"),
                ("reset_code", "bigint"), ("ttfb_ms", "double precision"), ("total_ms", "double precision"),
                ("unfinished", "boolean"), ("tls", "boolean"),
            ]
        case .appEvents:
            [("ts", "timestamptz")] + Self.endpointColumns + [
                ("h2_stream", "bigint"), ("tls", "boolean"), ("dir", "text"), ("packet", "bigint"),
                ("protocol", "text"), ("op", "text"), ("msg_id", "text"), ("summary", "text"), ("fields", "jsonb"),
                ("answers_op", "text"), ("answers_packet", "bigint"), ("latency_ms", "double precision"),
            ]
        case .auditFindings:
            [
                ("ts", "timestamptz"),
                ("code", "text"), ("severity", "text"), ("message", "text"), ("fix", "text"),
                ("front_conn", "text"), ("back_conn", "text"), ("proxy", "text"), ("proxy_addr", "inet"),
                ("proxy_port", "integer"),
                ("upstream", "text"), ("client_addr", "inet"), ("confidence", "text"),
            ] + Self.requestColumns
        }
    }
}

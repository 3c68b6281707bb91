/// Every finding switchpoint reports has a stable code (what scripts match on), a
/// severity and a one-line message with the evidence.
package enum FindingCode: String, Sendable, CaseIterable {
    // Upgrade outcomes and oddities (RFC 9110 §7.8, §15.2.2, §15.5.22)
    case upgradeRefused426 = "upgrade.refused_426"
    case upgradeRefused = "upgrade.refused"
    /// An optional upgrade (h2c, RFC 9113 §3.1 of RFC 7540) answered by a plain response:
    /// the server kept HTTP/1.1, as RFC 9110 §7.8 allows.
    case upgradeDeclined = "upgrade.declined"
    case upgradeConnectionHeaderMissing = "upgrade.connection_header_missing"
    case upgradeHeaderStripped = "upgrade.upgrade_header_missing"
    case upgradeWithoutUpgradeHeader = "upgrade.101_without_upgrade"
    case upgradeWithoutConnectionHeader = "upgrade.101_without_connection_upgrade"
    case upgradeProtocolNotOffered = "upgrade.protocol_not_offered"
    case upgradeUnsolicited101 = "upgrade.unsolicited_101"
    case upgradeClientDataBeforeVerdict = "upgrade.client_data_before_verdict"
    case upgradeHTTP10Request = "upgrade.http10_request"
    case upgradeNoVerdict = "upgrade.no_verdict"
    case connectRefused = "connect.refused"
    // WebSocket handshake (RFC 6455 §4)
    case websocketBadKey = "websocket.bad_key"
    case websocketBadVersion = "websocket.bad_version"
    case websocketAcceptMismatch = "websocket.accept_mismatch"
    case websocketAcceptMissing = "websocket.accept_missing"
    case websocketSubprotocolNotOffered = "websocket.subprotocol_not_offered"
    case websocketExtensionNotOffered = "websocket.extension_not_offered"
    // WebSocket frames and messages (RFC 6455 §5, §7, §8; RFC 7692)
    case websocketClientFrameUnmasked = "websocket.client_frame_unmasked"
    case websocketServerFrameMasked = "websocket.server_frame_masked"
    case websocketControlFrameTooLong = "websocket.control_frame_too_long"
    case websocketControlFrameFragmented = "websocket.control_frame_fragmented"
    case websocketRSVWithoutExtension = "websocket.rsv_without_extension"
    case websocketReservedOpcode = "websocket.reserved_opcode"
    case websocketUnexpectedContinuation = "websocket.unexpected_continuation"
    case websocketMessageInterrupted = "websocket.message_interrupted"
    case websocketInvalidUTF8 = "websocket.invalid_utf8"
    case websocketInvalidCloseCode = "websocket.invalid_close_code"
    case websocketClosePayloadOneByte = "websocket.close_payload_one_byte"
    case websocketDataAfterClose = "websocket.data_after_close"
    case websocketNonMinimalLength = "websocket.non_minimal_length"
    case websocketLengthTopBit = "websocket.length_top_bit"
    case websocketInflateFailed = "websocket.inflate_failed"
    case websocketInflateLimit = "websocket.inflate_limit"
    case websocketPayloadCap = "websocket.payload_cap"
    case websocketCompressionHistoryMissing = "websocket.compression_history_missing"
    case websocketGapInPayload = "websocket.gap_in_payload"
    case websocketGapInFrameHeader = "websocket.gap_in_frame_header"
    /// Frame boundaries found again (after a gap, or where the capture began mid-frame).
    case websocketResync = "websocket.resync"
    case http2Resync = "h2.resync"
    /// The protocol of a stream whose start was not captured, told by its content.
    case detectedByContent = "detect.by_content"
    /// Nothing recognized: the connection is shown raw, and the user told of --decode-as.
    case detectedNothing = "detect.unknown"
    case websocketMessageIncomplete = "websocket.message_incomplete"
    case websocketPingUnanswered = "websocket.ping_unanswered"
    case websocketClosedWithoutCloseFrame = "websocket.closed_without_close_frame"
    case websocketCloseNotAnswered = "websocket.close_not_answered"
    // HTTP/2 (RFC 9113, RFC 7541, RFC 8441)
    case http2PrefaceMissing = "h2.preface_missing"
    case http2FrameTooLarge = "h2.frame_too_large"
    case http2FrameOverBuffer = "h2.frame_not_buffered"
    case http2BadFrame = "h2.bad_frame"
    case http2HPACKFailed = "h2.hpack_failed"
    case http2HeaderBlockUnreliable = "h2.header_block_unreliable"
    case http2ContinuationUnexpected = "h2.continuation_unexpected"
    case http2HeaderBlockTooLarge = "h2.header_block_too_large"
    case http2StreamLimit = "h2.stream_limit"
    case http2GapInFrame = "h2.gap_in_frame"
    case http2ConnectProtocolNotEnabled = "h2.connect_protocol_not_enabled"
    case http2BadSettingsHeader = "h2.bad_http2_settings"
    case http2TableSizeOverflow = "h2.table_size_overflow"
    case http2HPACKHistoryMissing = "h2.hpack_history_missing"
    case http2UppercaseHeaderName = "h2.uppercase_header_name"
    // Protocols inside WebSocket: JSON-RPC 2.0 and GraphQL over WebSocket (their interpreters)
    /// A JSON-RPC response whose id no request seen had (or had already been answered).
    case jsonrpcResponseWithoutRequest = "jsonrpc.response_without_request"
    /// A JSON-RPC request never answered (reported when the WebSocket ended, or when too
    /// many were waiting).
    case jsonrpcRequestUnanswered = "jsonrpc.request_unanswered"
    /// A message on a JSON-RPC connection that is not a JSON-RPC 2.0 message.
    case jsonrpcMalformed = "jsonrpc.malformed"
    /// A subscribe/start before the server's connection_ack.
    case graphqlOperationBeforeAck = "graphql.operation_before_ack"
    /// A subscribe/start with the id of an operation still active.
    case graphqlIDReused = "graphql.id_reused"
    /// An operation answered with an error (an `error` message, or `errors` in a result).
    case graphqlErrorResult = "graphql.error_result"
    /// A subscription still open when the WebSocket ended.
    case graphqlSubscriptionOpenAtClose = "graphql.subscription_open_at_close"
    /// A message on a GraphQL connection that is not a graphql-ws message.
    case graphqlMalformed = "graphql.malformed"
    // HTTP/1.x parsing (RFC 9112)
    case httpObsFold = "http.obs_fold"
    case httpMalformedStartLine = "http.malformed_start_line"
    case httpMalformedHeader = "http.malformed_header"
    case httpLineTooLong = "http.line_too_long"
    case httpTooManyHeaders = "http.too_many_headers"
    case httpHeadersTooLarge = "http.headers_too_large"
    case httpBadContentLength = "http.bad_content_length"
    case httpBadChunk = "http.bad_chunk"
    case httpResponseWithoutRequest = "http.response_without_request"
    case httpGapInMessage = "http.gap_in_message"
    case httpTruncatedMessage = "http.truncated_message"
    case httpPipelineLimit = "http.pipeline_limit"
    // TLS (RFC 8446)
    case tlsMalformedHello = "tls.malformed_hello"
    case tlsHelloTooLarge = "tls.hello_too_large"
    // TLS decryption with a key log (RFC 8446, RFC 5246)
    case tlsNoKey = "tls.no_key"
    /// The capture's embedded secrets (pcapng) disagree with the key log file's for this
    /// connection; the file's are used.
    case tlsKeyLogConflict = "tls.keylog_conflict"
    case tlsDecryptFailed = "tls.decrypt_failed"
    case tlsCipherSuiteNotSupported = "tls.cipher_suite_not_supported"
    case tlsGapInRecord = "tls.gap_in_record"
    case tlsRecordBoundaryLost = "tls.record_boundary_lost"
    case tlsEarlyDataWithoutSecret = "tls.early_data_without_secret"
    case tlsBadRecord = "tls.bad_record"
    case tlsBadHandshake = "tls.bad_handshake"
    // Raw views
    case pendingBytesLimit = "analysis.pending_bytes_limit"
    // TCP reassembly anomalies (`ReassemblyAnomalyCode`, the same strings)
    case tcpOverlapConflict = "tcp.overlap_conflict"
    case tcpDataBeforeStreamStart = "tcp.data_before_stream_start"
    case tcpDataAfterFIN = "tcp.data_after_fin"
    case tcpDataAfterClose = "tcp.data_after_close"
    case tcpFINMoved = "tcp.fin_moved"
    case tcpPortReuseWhileOpen = "tcp.port_reuse_while_open"
    case tcpSnaplenTruncated = "tcp.snaplen_truncated"
    case reassemblyBufferLimit = "reassembly.buffer_limit"
    case reassemblySegmentLimit = "reassembly.segment_limit"
    case reassemblyMemoryLimit = "reassembly.memory_limit"
    case reassemblyConnectionLimit = "reassembly.connection_limit"
    // Engine.IO / Socket.IO inside WebSocket and HTTP long-polling (issue 25)
    case socketIOHeartbeatMissed = "socketio.heartbeat_missed"
    case socketIOAckMissing = "socketio.ack_missing"
    case socketIOUpgradeIncomplete = "socketio.upgrade_incomplete"
    case socketIONotSocketIO = "socketio.not_socketio"
    // MQTT 3.1.1 / 5.0 inside WebSocket (issue 25)
    case mqttMalformedLength = "mqtt.malformed_remaining_length"
    case mqttMalformedPacket = "mqtt.malformed_packet"
    case mqttPacketTooLarge = "mqtt.packet_too_large"
    case mqttFlowIncomplete = "mqtt.flow_incomplete"
    case mqttConnectRefused = "mqtt.connect_refused"
    case mqttSubscriptionRefused = "mqtt.subscription_refused"
    // STOMP 1.0-1.2 inside WebSocket (issue 25)
    case stompReceiptMissing = "stomp.receipt_missing"
    case stompMalformedFrame = "stomp.malformed_frame"
    case stompError = "stomp.error"
    // Kubernetes exec, attach and port-forward inside WebSocket (issue 25)
    /// The command run by exec exited with a non-zero code (the Status's ExitCode cause).
    case kubernetesNonZeroExit = "k8s.nonzero_exit"
    /// A Failure Status that is no exit code (the exec itself failed), error-channel text,
    /// or a port-forward error.
    case kubernetesFailure = "k8s.failure"
    /// A message on a channel exec and attach do not define.
    case kubernetesUnknownChannel = "k8s.unknown_channel"
    /// A message with no channel, bad base64, or a resize or close signal that is not one.
    case kubernetesMalformed = "k8s.malformed"
    /// An exec or attach stream that ended without its Status.
    case kubernetesNoStatus = "k8s.no_status"

    package var severity: Severity {
        switch self {
        case .jsonrpcResponseWithoutRequest, .jsonrpcRequestUnanswered, .jsonrpcMalformed,
            .graphqlOperationBeforeAck, .graphqlIDReused, .graphqlErrorResult, .graphqlMalformed:
            .warn
        case .graphqlSubscriptionOpenAtClose:
            .info
        case .upgradeWithoutUpgradeHeader, .upgradeProtocolNotOffered, .upgradeUnsolicited101,
            .websocketBadKey, .websocketBadVersion, .websocketAcceptMismatch, .websocketAcceptMissing,
            .websocketSubprotocolNotOffered, .websocketExtensionNotOffered,
            .httpMalformedStartLine, .httpHeadersTooLarge, .httpTooManyHeaders, .httpLineTooLong,
            .httpBadContentLength, .httpBadChunk, .tlsMalformedHello,
            .websocketClientFrameUnmasked, .websocketServerFrameMasked, .websocketControlFrameTooLong,
            .websocketControlFrameFragmented, .websocketRSVWithoutExtension, .websocketReservedOpcode,
            .websocketUnexpectedContinuation, .websocketMessageInterrupted, .websocketInvalidUTF8,
            .websocketInvalidCloseCode, .websocketClosePayloadOneByte, .websocketLengthTopBit, .websocketInflateFailed,
            .http2PrefaceMissing, .http2FrameTooLarge, .http2BadFrame, .http2HPACKFailed, .http2ContinuationUnexpected,
            .http2ConnectProtocolNotEnabled, .http2BadSettingsHeader, .http2TableSizeOverflow,
            .http2UppercaseHeaderName,
            .tlsDecryptFailed,
            .tlsBadRecord, .mqttMalformedLength, .mqttMalformedPacket, .stompMalformedFrame, .kubernetesMalformed:
            .error
        case .upgradeDeclined, .websocketPingUnanswered, .websocketResync, .http2Resync, .detectedByContent,
            .detectedNothing,
            .tcpDataBeforeStreamStart, .tcpPortReuseWhileOpen, .kubernetesNonZeroExit, .kubernetesNoStatus:
            .info
        case .upgradeRefused426, .upgradeRefused, .upgradeConnectionHeaderMissing, .upgradeHeaderStripped,
            .upgradeWithoutConnectionHeader,
            .upgradeClientDataBeforeVerdict, .upgradeHTTP10Request, .upgradeNoVerdict, .connectRefused,
            .httpObsFold, .httpMalformedHeader, .httpResponseWithoutRequest, .httpGapInMessage,
            .httpTruncatedMessage, .httpPipelineLimit, .tlsHelloTooLarge, .pendingBytesLimit,
            .websocketDataAfterClose, .websocketNonMinimalLength, .websocketInflateLimit, .websocketPayloadCap,
            .websocketCompressionHistoryMissing,
            .websocketGapInPayload, .websocketGapInFrameHeader, .websocketMessageIncomplete,
            .websocketClosedWithoutCloseFrame, .websocketCloseNotAnswered,
            .http2FrameOverBuffer, .http2HeaderBlockUnreliable, .http2HeaderBlockTooLarge, .http2StreamLimit,
            .http2GapInFrame, .http2HPACKHistoryMissing,
            .tlsNoKey, .tlsCipherSuiteNotSupported, .tlsGapInRecord, .tlsRecordBoundaryLost, .tlsEarlyDataWithoutSecret,
            .tlsBadHandshake, .tlsKeyLogConflict,
            .tcpOverlapConflict, .tcpFINMoved, .tcpDataAfterFIN, .tcpDataAfterClose, .tcpSnaplenTruncated,
            .reassemblyBufferLimit, .reassemblySegmentLimit, .reassemblyMemoryLimit, .reassemblyConnectionLimit,
            .socketIOHeartbeatMissed, .socketIOAckMissing, .socketIOUpgradeIncomplete, .socketIONotSocketIO,
            .mqttPacketTooLarge, .mqttFlowIncomplete, .mqttConnectRefused, .mqttSubscriptionRefused,
            .stompReceiptMissing, .stompError, .kubernetesFailure, .kubernetesUnknownChannel:
            .warn
        }
    }
}

/// A finding: a stable code with its evidence. Reassembly anomalies become findings too,
/// under their own `tcp.*` / `reassembly.*` codes.
package struct Finding: Sendable, Equatable {
    package var code: FindingCode
    package var severity: Severity
    package var message: String

    package init(_ code: FindingCode, _ message: String) {
        self.code = code
        severity = code.severity
        self.message = message
    }

    package init(anomaly: ReassemblyAnomaly) {
        code = FindingCode(anomaly.code)
        severity = code.severity
        message = anomaly.detail
    }
}

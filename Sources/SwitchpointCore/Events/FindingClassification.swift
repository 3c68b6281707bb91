/// The family of a code: the part before the dot. Exhaustive, so a new code has to say
/// where it belongs (the audit keeps `upgrade` and `websocket` findings per exchange).
package enum FindingFamily: String, Sendable {
    case upgrade, connect, websocket
    case http2 = "h2"
    case jsonrpc, graphql
    case detection = "detect"
    case http, tls, analysis, tcp, reassembly
    case socketIO = "socketio"
    case mqtt, stomp
    case kubernetes = "k8s"
}

/// What an upgrade finding says about the upgrade's outcome (the summary's `refused`
/// counts, the exports' `outcome`).
package enum UpgradeFindingOutcome: Sendable, Equatable {
    case refused426
    case refusedOtherStatus
    /// An optional upgrade the server did not take (HTTP/1.1 kept): not a failure.
    case declined
    case connectRefused
    case noVerdict
}

/// A configuration change that fixes what a single-leg finding shows (the proxy audit's
/// fix table).
package enum ProxyFix: Sendable {
    /// nginx forwarding the hop-by-hop Upgrade/Connection headers.
    case nginxUpgrade
    /// nginx speaking HTTP/1.1 upstream.
    case proxyHTTPVersion
}

extension FindingCode {
    /// `ReassemblyAnomalyCode` as a finding (the reassembly layer knows nothing of findings).
    package init(_ anomaly: ReassemblyAnomalyCode) {
        switch anomaly {
        case .overlapConflict: self = .tcpOverlapConflict
        case .dataBeforeStreamStart: self = .tcpDataBeforeStreamStart
        case .dataAfterFIN: self = .tcpDataAfterFIN
        case .dataAfterClose: self = .tcpDataAfterClose
        case .finMoved: self = .tcpFINMoved
        case .portReuseWhileOpen: self = .tcpPortReuseWhileOpen
        case .snaplenTruncated: self = .tcpSnaplenTruncated
        case .bufferLimit: self = .reassemblyBufferLimit
        case .segmentLimit: self = .reassemblySegmentLimit
        case .memoryLimit: self = .reassemblyMemoryLimit
        case .connectionLimit: self = .reassemblyConnectionLimit
        }
    }

    package var family: FindingFamily {
        switch self {
        case .jsonrpcResponseWithoutRequest, .jsonrpcRequestUnanswered, .jsonrpcMalformed:
            .jsonrpc
        case .graphqlOperationBeforeAck, .graphqlIDReused, .graphqlErrorResult, .graphqlSubscriptionOpenAtClose,
            .graphqlMalformed:
            .graphql
        case .upgradeRefused426, .upgradeRefused, .upgradeDeclined, .upgradeConnectionHeaderMissing,
            .upgradeHeaderStripped, .upgradeWithoutUpgradeHeader, .upgradeWithoutConnectionHeader,
            .upgradeProtocolNotOffered,
            .upgradeUnsolicited101, .upgradeClientDataBeforeVerdict, .upgradeHTTP10Request, .upgradeNoVerdict:
            .upgrade
        case .connectRefused:
            .connect
        case .websocketBadKey, .websocketBadVersion, .websocketAcceptMismatch, .websocketAcceptMissing,
            .websocketSubprotocolNotOffered, .websocketExtensionNotOffered, .websocketClientFrameUnmasked,
            .websocketServerFrameMasked, .websocketControlFrameTooLong, .websocketControlFrameFragmented,
            .websocketRSVWithoutExtension, .websocketReservedOpcode, .websocketUnexpectedContinuation,
            .websocketMessageInterrupted, .websocketInvalidUTF8, .websocketInvalidCloseCode,
            .websocketClosePayloadOneByte, .websocketDataAfterClose, .websocketNonMinimalLength,
            .websocketLengthTopBit, .websocketInflateFailed, .websocketInflateLimit, .websocketPayloadCap,
            .websocketCompressionHistoryMissing, .websocketGapInPayload, .websocketGapInFrameHeader,
            .websocketResync, .websocketMessageIncomplete, .websocketPingUnanswered,
            .websocketClosedWithoutCloseFrame, .websocketCloseNotAnswered:
            .websocket
        case .http2Resync, .http2PrefaceMissing, .http2FrameTooLarge, .http2FrameOverBuffer, .http2BadFrame,
            .http2HPACKFailed, .http2HeaderBlockUnreliable, .http2ContinuationUnexpected,
            .http2HeaderBlockTooLarge, .http2StreamLimit, .http2GapInFrame, .http2ConnectProtocolNotEnabled,
            .http2BadSettingsHeader, .http2TableSizeOverflow, .http2HPACKHistoryMissing, .http2UppercaseHeaderName:
            .http2
        case .detectedByContent, .detectedNothing:
            .detection
        case .httpObsFold, .httpMalformedStartLine, .httpMalformedHeader, .httpLineTooLong, .httpTooManyHeaders,
            .httpHeadersTooLarge, .httpBadContentLength, .httpBadChunk, .httpResponseWithoutRequest,
            .httpGapInMessage, .httpTruncatedMessage, .httpPipelineLimit:
            .http
        case .tlsMalformedHello, .tlsHelloTooLarge, .tlsNoKey, .tlsDecryptFailed, .tlsCipherSuiteNotSupported,
            .tlsGapInRecord, .tlsRecordBoundaryLost, .tlsEarlyDataWithoutSecret, .tlsBadRecord,
            .tlsBadHandshake, .tlsKeyLogConflict:
            .tls
        case .pendingBytesLimit:
            .analysis
        case .tcpOverlapConflict, .tcpDataBeforeStreamStart, .tcpDataAfterFIN, .tcpDataAfterClose, .tcpFINMoved,
            .tcpPortReuseWhileOpen, .tcpSnaplenTruncated:
            .tcp
        case .reassemblyBufferLimit, .reassemblySegmentLimit, .reassemblyMemoryLimit,
            .reassemblyConnectionLimit:
            .reassembly
        case .socketIOHeartbeatMissed, .socketIOAckMissing, .socketIOUpgradeIncomplete, .socketIONotSocketIO:
            .socketIO
        case .mqttMalformedLength, .mqttMalformedPacket, .mqttPacketTooLarge, .mqttFlowIncomplete,
            .mqttConnectRefused, .mqttSubscriptionRefused:
            .mqtt
        case .stompReceiptMissing, .stompMalformedFrame, .stompError:
            .stomp
        case .kubernetesNonZeroExit, .kubernetesFailure, .kubernetesUnknownChannel, .kubernetesMalformed,
            .kubernetesNoStatus:
            .kubernetes
        }
    }

    /// Nil for codes that are not an upgrade's outcome.
    package var upgradeOutcome: UpgradeFindingOutcome? {
        switch self {
        case .jsonrpcResponseWithoutRequest, .jsonrpcRequestUnanswered, .jsonrpcMalformed,
            .graphqlOperationBeforeAck, .graphqlIDReused, .graphqlErrorResult, .graphqlSubscriptionOpenAtClose,
            .graphqlMalformed:
            nil
        case .upgradeRefused426: .refused426
        case .upgradeRefused: .refusedOtherStatus
        case .upgradeDeclined: .declined
        case .connectRefused: .connectRefused
        case .upgradeNoVerdict: .noVerdict
        case .upgradeConnectionHeaderMissing, .upgradeHeaderStripped, .upgradeWithoutUpgradeHeader,
            .upgradeWithoutConnectionHeader, .upgradeProtocolNotOffered, .upgradeUnsolicited101,
            .upgradeClientDataBeforeVerdict, .upgradeHTTP10Request, .websocketBadKey, .websocketBadVersion,
            .websocketAcceptMismatch, .websocketAcceptMissing, .websocketSubprotocolNotOffered,
            .websocketExtensionNotOffered, .websocketClientFrameUnmasked, .websocketServerFrameMasked,
            .websocketControlFrameTooLong, .websocketControlFrameFragmented, .websocketRSVWithoutExtension,
            .websocketReservedOpcode, .websocketUnexpectedContinuation, .websocketMessageInterrupted,
            .websocketInvalidUTF8, .websocketInvalidCloseCode, .websocketClosePayloadOneByte,
            .websocketDataAfterClose, .websocketNonMinimalLength, .websocketLengthTopBit,
            .websocketInflateFailed, .websocketInflateLimit, .websocketPayloadCap,
            .websocketCompressionHistoryMissing, .websocketGapInPayload, .websocketGapInFrameHeader,
            .websocketResync, .http2Resync, .detectedByContent, .detectedNothing, .websocketMessageIncomplete,
            .websocketPingUnanswered, .websocketClosedWithoutCloseFrame, .websocketCloseNotAnswered,
            .http2PrefaceMissing, .http2FrameTooLarge, .http2FrameOverBuffer, .http2BadFrame,
            .http2HPACKFailed, .http2HeaderBlockUnreliable, .http2ContinuationUnexpected,
            .http2HeaderBlockTooLarge, .http2StreamLimit, .http2GapInFrame, .http2ConnectProtocolNotEnabled,
            .http2BadSettingsHeader, .http2TableSizeOverflow, .http2HPACKHistoryMissing, .http2UppercaseHeaderName,
            .httpObsFold,
            .httpMalformedStartLine,
            .httpMalformedHeader, .httpLineTooLong, .httpTooManyHeaders, .httpHeadersTooLarge,
            .httpBadContentLength, .httpBadChunk, .httpResponseWithoutRequest, .httpGapInMessage,
            .httpTruncatedMessage, .httpPipelineLimit, .tlsMalformedHello, .tlsHelloTooLarge, .tlsNoKey,
            .tlsDecryptFailed, .tlsCipherSuiteNotSupported, .tlsGapInRecord, .tlsRecordBoundaryLost,
            .tlsEarlyDataWithoutSecret, .tlsBadRecord, .tlsBadHandshake, .tlsKeyLogConflict, .pendingBytesLimit,
            .tcpOverlapConflict, .tcpDataBeforeStreamStart, .tcpDataAfterFIN, .tcpDataAfterClose, .tcpFINMoved,
            .tcpPortReuseWhileOpen, .tcpSnaplenTruncated, .reassemblyBufferLimit, .reassemblySegmentLimit,
            .reassemblyMemoryLimit, .reassemblyConnectionLimit,
            // Application protocols inside WebSocket (issue 25)
            .socketIOHeartbeatMissed, .socketIOAckMissing, .socketIOUpgradeIncomplete, .socketIONotSocketIO,
            .mqttMalformedLength, .mqttMalformedPacket, .mqttPacketTooLarge, .mqttFlowIncomplete,
            .mqttConnectRefused, .mqttSubscriptionRefused, .stompReceiptMissing, .stompMalformedFrame, .stompError,
            .kubernetesNonZeroExit, .kubernetesFailure, .kubernetesUnknownChannel, .kubernetesMalformed,
            .kubernetesNoStatus:
            nil
        }
    }

    /// The fix the proxy audit suggests when only one leg shows this finding.
    package var proxyFix: ProxyFix? {
        switch self {
        case .jsonrpcResponseWithoutRequest, .jsonrpcRequestUnanswered, .jsonrpcMalformed,
            .graphqlOperationBeforeAck, .graphqlIDReused, .graphqlErrorResult, .graphqlSubscriptionOpenAtClose,
            .graphqlMalformed:
            nil
        case .upgradeHeaderStripped, .upgradeConnectionHeaderMissing: .nginxUpgrade
        case .upgradeHTTP10Request: .proxyHTTPVersion
        case .upgradeRefused426, .upgradeRefused, .upgradeDeclined, .upgradeWithoutUpgradeHeader,
            .upgradeWithoutConnectionHeader, .upgradeProtocolNotOffered, .upgradeUnsolicited101,
            .upgradeClientDataBeforeVerdict,
            .upgradeNoVerdict, .connectRefused, .websocketBadKey, .websocketBadVersion,
            .websocketAcceptMismatch, .websocketAcceptMissing, .websocketSubprotocolNotOffered,
            .websocketExtensionNotOffered, .websocketClientFrameUnmasked, .websocketServerFrameMasked,
            .websocketControlFrameTooLong, .websocketControlFrameFragmented, .websocketRSVWithoutExtension,
            .websocketReservedOpcode, .websocketUnexpectedContinuation, .websocketMessageInterrupted,
            .websocketInvalidUTF8, .websocketInvalidCloseCode, .websocketClosePayloadOneByte,
            .websocketDataAfterClose, .websocketNonMinimalLength, .websocketLengthTopBit,
            .websocketInflateFailed, .websocketInflateLimit, .websocketPayloadCap,
            .websocketCompressionHistoryMissing, .websocketGapInPayload, .websocketGapInFrameHeader,
            .websocketResync, .http2Resync, .detectedByContent, .detectedNothing, .websocketMessageIncomplete,
            .websocketPingUnanswered, .websocketClosedWithoutCloseFrame, .websocketCloseNotAnswered,
            .http2PrefaceMissing, .http2FrameTooLarge, .http2FrameOverBuffer, .http2BadFrame,
            .http2HPACKFailed, .http2HeaderBlockUnreliable, .http2ContinuationUnexpected,
            .http2HeaderBlockTooLarge, .http2StreamLimit, .http2GapInFrame, .http2ConnectProtocolNotEnabled,
            .http2BadSettingsHeader, .http2TableSizeOverflow, .http2HPACKHistoryMissing, .http2UppercaseHeaderName,
            .httpObsFold,
            .httpMalformedStartLine,
            .httpMalformedHeader, .httpLineTooLong, .httpTooManyHeaders, .httpHeadersTooLarge,
            .httpBadContentLength, .httpBadChunk, .httpResponseWithoutRequest, .httpGapInMessage,
            .httpTruncatedMessage, .httpPipelineLimit, .tlsMalformedHello, .tlsHelloTooLarge, .tlsNoKey,
            .tlsDecryptFailed, .tlsCipherSuiteNotSupported, .tlsGapInRecord, .tlsRecordBoundaryLost,
            .tlsEarlyDataWithoutSecret, .tlsBadRecord, .tlsBadHandshake, .tlsKeyLogConflict, .pendingBytesLimit,
            .tcpOverlapConflict, .tcpDataBeforeStreamStart, .tcpDataAfterFIN, .tcpDataAfterClose, .tcpFINMoved,
            .tcpPortReuseWhileOpen, .tcpSnaplenTruncated, .reassemblyBufferLimit, .reassemblySegmentLimit,
            .reassemblyMemoryLimit, .reassemblyConnectionLimit,
            // Application protocols inside WebSocket (issue 25)
            .socketIOHeartbeatMissed, .socketIOAckMissing, .socketIOUpgradeIncomplete, .socketIONotSocketIO,
            .mqttMalformedLength, .mqttMalformedPacket, .mqttPacketTooLarge, .mqttFlowIncomplete,
            .mqttConnectRefused, .mqttSubscriptionRefused, .stompReceiptMissing, .stompMalformedFrame, .stompError,
            .kubernetesNonZeroExit, .kubernetesFailure, .kubernetesUnknownChannel, .kubernetesMalformed,
            .kubernetesNoStatus:
            nil
        }
    }
}

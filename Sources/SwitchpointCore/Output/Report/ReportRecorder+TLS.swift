extension ReportRecorder {
    func recordTLSClientHello(_ hello: TLSClientHello, _ event: TimelineEvent, _ id: ConnectionID) {
        guard let state = open[id] else { return }
        if state.record.protocolBefore == "TCP" { state.record.protocolBefore = "TLS" }
        if state.record.detailed {
            landmark(state, event, .tlsClientHello(serverName: hello.serverName, alpn: hello.alpn))
        }
    }

    func recordTLSServerHello(_ hello: TLSServerHello, _ event: TimelineEvent, _ id: ConnectionID) {
        guard let state = open[id], state.record.detailed else { return }
        landmark(state, event, .tlsServerHello(version: hello.version, alpn: hello.alpn))
    }
}

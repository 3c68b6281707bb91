extension JSONTimelinePrinter {
    static func tlsClientHelloFields(
        _ hello: TLSClientHello, _ event: TimelineEvent, _ line: inout JSONObjectWriter, includePayloads: Bool,
        out: OutputBuffer
    ) {
        line.add("version", hello.version)
        line.add("sni", hello.serverName)
        line.add("alpn", strings: hello.alpn)
    }

    static func tlsServerHelloFields(
        _ hello: TLSServerHello, _ event: TimelineEvent, _ line: inout JSONObjectWriter, includePayloads: Bool,
        out: OutputBuffer
    ) {
        line.add("version", hello.version)
        line.add("alpn", hello.alpn)
        line.add("selection_encrypted", hello.selectionEncrypted)
        line.add("cipher_suite", hello.cipherSuite)
    }

    static func tlsHelloRetryFields(
        _ retry: TLSHelloRetry, _ event: TimelineEvent, _ line: inout JSONObjectWriter, includePayloads: Bool,
        out: OutputBuffer
    ) {
        line.add("cipher_suite", retry.cipherSuite)
        line.add("group", retry.group)
    }

    static func tlsSessionFields(
        _ facts: TLSSessionFacts, _ event: TimelineEvent, _ line: inout JSONObjectWriter, includePayloads: Bool,
        out: OutputBuffer
    ) {
        line.add("version", facts.version)
        line.add("cipher_suite", facts.cipherSuite)
        line.add("sni", facts.serverName)
        line.add("alpn_offered", strings: facts.alpnOffered)
        line.add("alpn", facts.alpn)
        if facts.alpnEncrypted { line.add("alpn_encrypted", true) }
        if !facts.handshakeSeen { line.add("handshake_seen", false) }
        line.add("resumed", facts.resumed)
        line.add("decrypted", facts.decrypted)
        if let certificate = facts.certificate {
            line.add("cert_subject", certificate.subject)
            line.add("cert_issuer", certificate.issuer)
            line.add("cert_not_before", certificate.notBefore)
            line.add("cert_not_after", certificate.notAfter)
        }
    }

    static func tlsEncryptedFields(
        _ clientToServer: UInt64, _ serverToClient: UInt64, _ event: TimelineEvent, _ line: inout JSONObjectWriter,
        includePayloads: Bool, out: OutputBuffer
    ) {
        line.add("bytes_c2s", clientToServer)
        line.add("bytes_s2c", serverToClient)
    }
}

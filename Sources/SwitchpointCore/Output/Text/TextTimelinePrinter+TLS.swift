extension TextTimelinePrinter {
    func tlsClientHelloLine(_ hello: TLSClientHello, _ event: TimelineEvent, _ context: LineContext) {
        let out = context.out
        startLine(context)
        out.appendTerminalEscaped(hello.version)
        out.append(" client hello")
        if let name = hello.serverName {
            out.append(" sni=")
            out.appendTerminalEscaped(name)
        }
        if hello.alpn.isEmpty {
            out.append(" (no alpn)")
        } else {
            out.append(" alpn offered ")
            appendList(hello.alpn, separator: ",", into: out)
        }
        endLine(context)
    }

    func tlsServerHelloLine(_ hello: TLSServerHello, _ event: TimelineEvent, _ context: LineContext) {
        let out = context.out
        startLine(context)
        out.appendTerminalEscaped(hello.version)
        out.append(" server hello")
        if hello.selectionEncrypted {
            out.append(" (alpn selection encrypted)")
        } else if let alpn = hello.alpn {
            out.append(" alpn ")
            out.appendTerminalEscaped(alpn)
        } else {
            out.append(" (no alpn)")
        }
        if let suite = hello.cipherSuite {
            out.append("  ")
            out.appendTerminalEscaped(suite)
        }
        endLine(context)
    }

    func tlsHelloRetryLine(_ retry: TLSHelloRetry, _ event: TimelineEvent, _ context: LineContext) {
        let out = context.out
        startLine(context)
        out.append("TLS 1.3 hello retry request")
        if let group = retry.group {
            out.append(": the server asks for key share ")
            out.appendTerminalEscaped(group)
        }
        endLine(context)
    }

    func tlsSessionLine(_ facts: TLSSessionFacts, _ event: TimelineEvent, _ context: LineContext) {
        let out = context.out
        startLine(context)
        out.append(facts.decrypted ? "══ decrypted " : "══ not decrypted ")
        out.appendTerminalEscaped(facts.version)
        out.append(UInt8(ascii: " "))
        out.appendTerminalEscaped(facts.cipherSuite)
        if let name = facts.serverName {
            out.append("  sni=")
            out.appendTerminalEscaped(name)
        }
        out.append("  alpn ")
        if !facts.handshakeSeen {
            out.append("unknown (handshake not captured)")
        } else if let alpn = facts.alpn {
            out.appendTerminalEscaped(alpn)
        } else {
            out.append(facts.alpnEncrypted ? "encrypted" : "none")
        }
        if !facts.alpnOffered.isEmpty {
            out.append(" (offered ")
            appendList(facts.alpnOffered, separator: ",", into: out)
            out.append(")")
        }
        if facts.resumed { out.append("  resumed") }
        if let certificate = facts.certificate {
            out.append("  cert ")
            out.appendTerminalEscaped(certificate.subject)
            out.append(" issuer ")
            out.appendTerminalEscaped(certificate.issuer)
            out.append(" valid ")
            out.appendTerminalEscaped(certificate.notBefore)
            out.append(" to ")
            out.appendTerminalEscaped(certificate.notAfter)
        }
        out.append(" ══")
        endLine(context)
    }

    func tlsEncryptedLine(
        _ clientToServer: UInt64, _ serverToClient: UInt64, _ event: TimelineEvent, _ context: LineContext
    ) {
        let out = context.out
        startLine(context)
        out.append("encrypted: c2s ")
        out.append(decimal: clientToServer)
        out.append(" B, s2c ")
        out.append(decimal: serverToClient)
        out.append(" B")
        endLine(context)
    }
}

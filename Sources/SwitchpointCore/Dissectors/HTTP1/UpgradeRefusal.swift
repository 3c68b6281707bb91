/// How an upgrade (or CONNECT) that was not granted is explained: the finding for the
/// response that refused it, with the usual cause of that status.
enum UpgradeRefusal {
    /// The finding for a final response to a request that waited for a verdict or
    /// offered an upgrade.
    static func finding(_ head: HTTPResponseHead, request: HTTPRequestHead) -> Finding {
        let offered = request.offeredProtocols.joined(separator: ", ")
        if request.method == "CONNECT" {
            return Finding(.connectRefused, "CONNECT \(request.target) answered \(head.status) \(head.reason)")
        } else if head.status == 426 {
            let demanded =
                head.headers.combined("Upgrade").map { "the server demands Upgrade: \($0)" }
                ?? "the 426 names no Upgrade"
            return Finding(.upgradeRefused426, "upgrade to \(offered) refused with 426 Upgrade Required; \(demanded)")
        } else if (200...299).contains(head.status), !request.offeredProtocols.isEmpty,
            request.offeredProtocols.allSatisfy(ProtocolID.http2.matches(token:))
        {
            // h2c is offered beside a request the server may just answer (RFC 7540 §3.2):
            // a plain HTTP/1.1 server, or one without cleartext HTTP/2, declines this way.
            return Finding(
                .upgradeDeclined,
                "upgrade to \(offered) answered \(head.status) \(head.reason): the server kept HTTP/1.1 (it does not speak \(offered), or chose not to)"
            )
        } else {
            var message = "upgrade to \(offered) answered \(head.status) \(head.reason) instead of 101"
            if let cause = likelyCause(status: head.status, request: request) { message += ": " + cause }
            return Finding(.upgradeRefused, message)
        }
    }

    /// 426 Upgrade Required (RFC 9110 §15.5.22).
    static let upgradeRequiredStatus = 426

    /// A 426 to a request that offered nothing: the server wants an upgrade the client did
    /// not ask for (or whose Upgrade and Connection headers a proxy dropped on the way).
    static func upgradeRequired(_ head: HTTPResponseHead, request: HTTPRequestHead?) -> Finding {
        let demanded = head.headers.combined("Upgrade").map { "Upgrade: \($0)" } ?? "an upgrade (the 426 names none)"
        let target = request.map { " to \($0.method) \($0.target)" } ?? ""
        return Finding(
            .upgradeRefused426,
            "426 Upgrade Required\(target), which offered no upgrade: the server demands \(demanded); the client did not ask, or a proxy in between dropped its Upgrade and Connection headers (the body says which check failed)"
        )
    }

    /// What a refusal status usually means for an upgrade, for the finding's message.
    static func likelyCause(status: Int, request: HTTPRequestHead) -> String? {
        switch status {
        case 200...299:
            "the server (or a proxy) ignored the upgrade; a proxy that drops the hop-by-hop Upgrade/Connection headers causes exactly this"
        case 400:
            request.headers.listElements("Sec-WebSocket-Version") != ["13"]
                && request.offeredProtocols.contains(where: ProtocolID.websocket.matches(token:))
                ? "the server rejected the handshake; Sec-WebSocket-Version is not 13"
                : "the server rejected the handshake (a missing or invalid handshake header, or Upgrade/Connection lost on the way)"
        case 401, 407: "authentication is required before the upgrade"
        case 403: "forbidden: usually an Origin or authentication check"
        case 404: "nothing accepts upgrades at this path"
        case 502: "a proxy could not get an answer from its upstream"
        case 503: "the service (or a proxy's upstream) is unavailable"
        case 504: "a proxy timed out waiting for its upstream"
        case 505:
            "the server received HTTP/1.0: a proxy in between likely speaks HTTP/1.0 upstream and drops Upgrade (nginx: proxy_http_version 1.1 and forward Upgrade/Connection)"
        default: nil
        }
    }
}

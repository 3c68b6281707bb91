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
        } else {
            var message = "upgrade to \(offered) answered \(head.status) \(head.reason) instead of 101"
            if let cause = likelyCause(status: head.status, request: request) { message += ": " + cause }
            return Finding(.upgradeRefused, message)
        }
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

import NIOConcurrencyHelpers
import NIOCore

/// Keeps the metrics server's connections few and short: a connection over the cap is closed
/// at once, and one that sends no whole request within the idle time (a client that went
/// quiet, or sends its headers a byte at a time) is closed then, so idle or slow clients
/// can never use up the descriptors.
final class MetricsConnectionGuard: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    /// Named limit: connections open at once (the server's idle time closes the quiet ones;
    /// a scrape takes milliseconds).
    static let maxConnections = 64

    /// The server's open connections, shared by every connection's guard.
    final class Count: Sendable {
        private let open = NIOLockedValueBox(0)

        /// Takes a place; false when the cap is reached.
        func enter() -> Bool {
            open.withLockedValue { count in
                guard count < MetricsConnectionGuard.maxConnections else { return false }
                count += 1
                return true
            }
        }

        func leave() { open.withLockedValue { $0 -= 1 } }
        var value: Int { open.withLockedValue { $0 } }
    }

    private let count: Count

    init(count: Count) {
        self.count = count
    }

    func channelInactive(context: ChannelHandlerContext) {
        count.leave()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

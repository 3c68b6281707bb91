import NIOCore
import NIOHTTP1
import NIOPosix

/// Serves `GET /metrics` (Prometheus text format 0.0.4) on its own event loop thread, away
/// from capture and analysis. Any other path is a 404; every response closes its connection.
/// Connections are capped and timed out (`MetricsConnectionGuard`); when descriptors still
/// run out, NIO's accept back-off pauses accepting instead of spinning.
package final class MetricsHTTPServer: Sendable {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"
    static let metricsPath = "/metrics"
    /// Named limit: connections waiting to be accepted (scrapers arrive together).
    static let backlog: Int32 = 256
    /// The cap on connections open at once.
    package static var maxConnections: Int { MetricsConnectionGuard.maxConnections }
    /// Connections open now (for tests of the cap and the timeouts).
    package var openConnections: Int { count.value }
    private let count = MetricsConnectionGuard.Count()

    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    /// The address actually bound (port 0 picks a free one).
    package let boundPort: Int

    /// `idleSeconds`: how long a connection may stay without a whole request.
    package init(
        host: String, port: Int, sink: PrometheusMetricsSink, idleSeconds: Int64 = 10
    ) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let count = self.count
        do {
            channel = try ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: Self.backlog)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    guard count.enter() else {
                        // Over the cap: closed before a byte is read.
                        return channel.close()
                    }
                    return channel.eventLoop.makeCompletedFuture {
                        let idle = TimeAmount.seconds(idleSeconds)
                        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: idle))
                        try channel.pipeline.syncOperations.addHandler(MetricsConnectionGuard(count: count))
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(MetricsRequestHandler(sink: sink))
                    }
                }
                .bind(host: host, port: port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
        self.group = group
        boundPort = channel.localAddress?.port ?? port
    }

    package func stop() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}

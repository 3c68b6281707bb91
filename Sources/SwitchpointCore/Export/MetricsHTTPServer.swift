import NIOCore
import NIOHTTP1
import NIOPosix

/// Serves `GET /metrics` (Prometheus text format 0.0.4) on its own event loop thread, away
/// from capture and analysis. Any other path is a 404; every response closes its connection.
package final class MetricsHTTPServer: Sendable {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"
    static let metricsPath = "/metrics"

    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    /// The address actually bound (port 0 picks a free one).
    package let boundPort: Int

    package init(host: String, port: Int, sink: PrometheusMetricsSink) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            channel = try ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 16)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
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

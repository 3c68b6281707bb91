import NIOCore
import NIOHTTP1

/// Answers one request per connection: the scrape at `/metrics` (and `/`), 404 elsewhere.
final class MetricsRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let sink: PrometheusMetricsSink
    private var head: NIOHTTP1.HTTPRequestHead?

    init(sink: PrometheusMetricsSink) {
        self.sink = sink
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            head = request
        case .body:
            break
        case .end:
            guard let request = head else { return }
            head = nil
            let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
            let found = request.method == .GET && (path == MetricsHTTPServer.metricsPath || path == "/")
            let body = found ? sink.scrape() : Array("not found: metrics are at /metrics\n".utf8)
            var headers = NIOHTTP1.HTTPHeaders()
            headers.add(
                name: "Content-Type", value: found ? MetricsHTTPServer.contentType : "text/plain; charset=utf-8")
            headers.add(name: "Content-Length", value: String(body.count))
            headers.add(name: "Connection", value: "close")
            context.write(
                wrapOutboundOut(
                    .head(
                        NIOHTTP1.HTTPResponseHead(
                            version: request.version, status: found ? .ok : .notFound,
                            headers: headers))), promise: nil)
            var buffer = context.channel.allocator.buffer(capacity: body.count)
            buffer.writeBytes(body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            // The channel, not the context, crosses into the completion: a channel is Sendable.
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}

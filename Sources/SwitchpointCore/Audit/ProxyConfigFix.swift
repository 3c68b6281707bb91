/// A fix in one proxy's configuration language: the lines to add and where they go, so
/// it can be printed and also applied to a configuration (the tests load it with
/// `nginx -t` and `haproxy -c`).
package struct ProxyConfigFix: Sendable, Equatable {
    /// Where a snippet goes in the proxy's configuration.
    package enum Context: String, Sendable {
        case nginxHTTP = "nginx http {} block"
        case nginxLocation = "nginx location block"
        case haproxyDefaults = "HAProxy defaults section"
        case haproxyFrontend = "HAProxy frontend section"
        case haproxyBackend = "HAProxy backend section"
        case apacheVirtualHost = "Apache <VirtualHost> (or server config)"
        case envoyRoute = "Envoy route (envoy.config.route.v3.RouteAction)"
        case envoyConnectionManager = "Envoy HttpConnectionManager"
        case caddyReverseProxy = "Caddy reverse_proxy block"
        case traefikStatic = "Traefik static configuration (entryPoints)"
        case squidConf = "squid.conf"
    }

    package struct Snippet: Sendable, Equatable {
        package var context: Context
        package var lines: [String]
    }

    package var proxy: ProxyKind
    /// The proxy was not recognised: this is the nginx form, as the most common.
    package var assumed: Bool
    /// What to do, in one sentence.
    package var advice: String
    /// Lines to add, by where they go (empty when the fix is to remove something).
    package var snippets: [Snippet]

    /// One line for the report: the advice, then each snippet with its place.
    package var text: String {
        var text = advice
        if assumed { text += " (proxy not recognised: the nginx form; --proxy NAME gives another)" }
        for snippet in snippets {
            text +=
                "; in the \(snippet.context.rawValue): "
                + snippet.lines.map { String($0.drop(while: { $0 == " " })) }.joined(separator: " ")
        }
        return text
    }
}

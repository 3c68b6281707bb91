/// What a finding asks of the proxy, whatever the proxy: the catalog turns it into that
/// proxy's configuration.
package enum ProxyFixTopic: Sendable, Equatable {
    /// Pass `Upgrade` and `Connection: upgrade` upstream over HTTP/1.1. The path and
    /// upstream are the exchange's, for proxies whose fix names them.
    case forwardUpgrade(path: String, upstream: String)
    case upstreamHTTP11
    /// The proxy killed an idle tunnel after this many seconds.
    case tunnelTimeout(idleSeconds: Double)
    case stripH2CUpgrade
    case passUpstream101
    case forwardExtensions
}

/// Fixes by proxy. Each is complete as printed: the nginx one carries its `map` block,
/// the HAProxy one its section; the tests load the nginx and HAProxy forms into the
/// samples' own configurations with `nginx -t` and `haproxy -c`.
package enum ProxyFixCatalog {
    package static func fix(_ topic: ProxyFixTopic, for proxy: ProxyIdentity?) -> ProxyConfigFix {
        let kind = proxy?.kind ?? .nginx
        var fix: ProxyConfigFix
        switch kind {
        case .nginx: fix = nginx(topic)
        case .haproxy: fix = haproxy(topic)
        case .apache: fix = apache(topic)
        case .envoy: fix = envoy(topic)
        case .caddy: fix = caddy(topic)
        case .traefik: fix = traefik(topic)
        case .squid: fix = squid(topic)
        }
        fix.assumed = proxy == nil
        return fix
    }

    private static func seconds(_ idle: Double) -> String { JSONLine.fixed(idle, decimals: 1) }

    static let nginxUpgradeMap = [
        "map $http_upgrade $connection_upgrade {", "    default upgrade;", "    '' close;", "}",
    ]

    private static func nginx(_ topic: ProxyFixTopic) -> ProxyConfigFix {
        func make(_ advice: String, _ snippets: [ProxyConfigFix.Snippet]) -> ProxyConfigFix {
            ProxyConfigFix(proxy: .nginx, assumed: false, advice: advice, snippets: snippets)
        }
        switch topic {
        case .forwardUpgrade:
            return make(
                "forward the hop-by-hop upgrade headers over HTTP/1.1",
                [
                    .init(context: .nginxHTTP, lines: nginxUpgradeMap),
                    .init(
                        context: .nginxLocation,
                        lines: [
                            "proxy_http_version 1.1;", "proxy_set_header Upgrade $http_upgrade;",
                            "proxy_set_header Connection $connection_upgrade;",
                        ]),
                ])
        case .upstreamHTTP11:
            return make(
                "speak HTTP/1.1 upstream (nginx speaks 1.0 by default, where Upgrade is ignored)",
                [.init(context: .nginxLocation, lines: ["proxy_http_version 1.1;"])])
        case .tunnelTimeout(let idle):
            return make(
                "nginx closed the tunnel after \(seconds(idle)) s without data: raise proxy_read_timeout (and proxy_send_timeout) above the application's ping interval, or ping more often",
                [.init(context: .nginxLocation, lines: ["proxy_read_timeout 3600s;", "proxy_send_timeout 3600s;"])])
        case .stripH2CUpgrade:
            return make(
                "forward Upgrade only for websocket, never h2c",
                [
                    .init(
                        context: .nginxHTTP,
                        lines: [
                            "map $http_upgrade $upgrade_websocket_only {", "    default \"\";",
                            "    ~*^websocket$ websocket;", "}",
                        ]),
                    .init(context: .nginxLocation, lines: ["proxy_set_header Upgrade $upgrade_websocket_only;"]),
                ])
        case .passUpstream101:
            return make(
                "only pass the upstream's 101 through; do not answer 101 from nginx (return 101 / an njs handler)", [])
        case .forwardExtensions:
            return make(
                "forward Sec-WebSocket-Extensions unchanged (remove the proxy_set_header that clears or rewrites it)",
                [])
        }
    }

    private static func haproxy(_ topic: ProxyFixTopic) -> ProxyConfigFix {
        func make(_ advice: String, _ snippets: [ProxyConfigFix.Snippet]) -> ProxyConfigFix {
            ProxyConfigFix(proxy: .haproxy, assumed: false, advice: advice, snippets: snippets)
        }
        switch topic {
        case .forwardUpgrade:
            return make(
                "HAProxy forwards Upgrade by itself in mode http: remove the http-request del-header/set-header rules that drop Upgrade or Connection, and option httpclose, for this backend",
                [])
        case .upstreamHTTP11:
            return make(
                "HAProxy speaks HTTP/1.1 upstream by itself: remove the rule that rewrites the request version (http-request set-... HTTP/1.0)",
                [])
        case .tunnelTimeout(let idle):
            return make(
                "HAProxy closed the tunnel after \(seconds(idle)) s without data (timeout tunnel, else timeout client/server, applies once a connection switched; option http-server-close does not affect it): raise timeout tunnel above the application's ping interval",
                [.init(context: .haproxyBackend, lines: ["timeout tunnel 1h"])])
        case .stripH2CUpgrade:
            return make(
                "drop Upgrade: h2c at the frontend",
                [
                    .init(
                        context: .haproxyFrontend,
                        lines: ["http-request del-header Upgrade if { req.hdr(upgrade) -i h2c }"])
                ]
            )
        case .passUpstream101:
            return make("only pass the server's 101 through; do not answer 101 from a return/lua rule", [])
        case .forwardExtensions:
            return make("forward Sec-WebSocket-Extensions unchanged (remove the http-request rule that changes it)", [])
        }
    }

    private static func apache(_ topic: ProxyFixTopic) -> ProxyConfigFix {
        func make(_ advice: String, _ snippets: [ProxyConfigFix.Snippet]) -> ProxyConfigFix {
            ProxyConfigFix(proxy: .apache, assumed: false, advice: advice, snippets: snippets)
        }
        switch topic {
        case .forwardUpgrade(let path, let upstream):
            return make(
                "let mod_proxy_http (2.4.47 and later) tunnel the upgrade: add upgrade=websocket to this path's ProxyPass (replacing it); ProxyWebsocketFallbackToProxyHttp Off keeps mod_proxy_wstunnel's rules in charge if you use them instead",
                [
                    .init(
                        context: .apacheVirtualHost,
                        lines: ["ProxyPass \"\(path)\" \"http://\(upstream)\(path)\" upgrade=websocket"])
                ])
        case .upstreamHTTP11:
            return make(
                "remove SetEnv force-proxy-request-1.0 (and proxy-nokeepalive) for this path: Apache then speaks HTTP/1.1 upstream and can tunnel the upgrade",
                [])
        case .tunnelTimeout(let idle):
            return make(
                "Apache closed the tunnel after \(seconds(idle)) s without data: raise ProxyTimeout (or this ProxyPass's timeout=) above the application's ping interval",
                [.init(context: .apacheVirtualHost, lines: ["ProxyTimeout 3600"])])
        case .stripH2CUpgrade:
            return make(
                "drop Upgrade: h2c before proxying (mod_headers: a2enmod headers)",
                [
                    .init(
                        context: .apacheVirtualHost,
                        lines: ["RequestHeader unset Upgrade \"expr=%{req:Upgrade} =~ /h2c/i\""])
                ]
            )
        case .passUpstream101:
            return make("only pass the backend's 101 through", [])
        case .forwardExtensions:
            return make(
                "forward Sec-WebSocket-Extensions unchanged (remove the RequestHeader rule that changes it)", [])
        }
    }

    private static func envoy(_ topic: ProxyFixTopic) -> ProxyConfigFix {
        func make(_ advice: String, _ snippets: [ProxyConfigFix.Snippet]) -> ProxyConfigFix {
            ProxyConfigFix(proxy: .envoy, assumed: false, advice: advice, snippets: snippets)
        }
        switch topic {
        case .forwardUpgrade:
            return make(
                "enable WebSocket upgrades on the route",
                [.init(context: .envoyRoute, lines: ["upgrade_configs:", "- upgrade_type: websocket"])])
        case .upstreamHTTP11:
            return make("proxy with the HTTP/1.1 codec upstream (no http_protocol_options forcing HTTP/1.0)", [])
        case .tunnelTimeout(let idle):
            return make(
                "Envoy closed the stream after \(seconds(idle)) s without data: raise the route's idle_timeout (and the connection manager's stream_idle_timeout)",
                [.init(context: .envoyRoute, lines: ["idle_timeout: 3600s"])])
        case .stripH2CUpgrade:
            return make("do not list h2c in upgrade_configs", [])
        case .passUpstream101:
            return make("only pass the upstream's 101 through", [])
        case .forwardExtensions:
            return make("forward Sec-WebSocket-Extensions unchanged (request_headers_to_remove / _to_add)", [])
        }
    }

    private static func caddy(_ topic: ProxyFixTopic) -> ProxyConfigFix {
        func make(_ advice: String, _ snippets: [ProxyConfigFix.Snippet]) -> ProxyConfigFix {
            ProxyConfigFix(proxy: .caddy, assumed: false, advice: advice, snippets: snippets)
        }
        switch topic {
        case .forwardUpgrade:
            return make(
                "Caddy's reverse_proxy tunnels WebSocket by itself: remove header_up rules that delete Upgrade or Connection",
                [])
        case .upstreamHTTP11:
            return make(
                "use the http transport with HTTP/1.1 (versions 1.1)",
                [
                    .init(context: .caddyReverseProxy, lines: ["transport http {", "versions 1.1", "}"])
                ])
        case .tunnelTimeout(let idle):
            return make(
                "Caddy closed the tunnel after \(seconds(idle)) s without data: raise the transport's read_timeout",
                [.init(context: .caddyReverseProxy, lines: ["transport http {", "read_timeout 1h", "}"])])
        case .stripH2CUpgrade:
            return make("drop Upgrade: h2c (header_up -Upgrade on routes that are not WebSocket)", [])
        case .passUpstream101:
            return make("only pass the upstream's 101 through", [])
        case .forwardExtensions:
            return make("forward Sec-WebSocket-Extensions unchanged (remove the header_up that changes it)", [])
        }
    }

    private static func traefik(_ topic: ProxyFixTopic) -> ProxyConfigFix {
        func make(_ advice: String, _ snippets: [ProxyConfigFix.Snippet]) -> ProxyConfigFix {
            ProxyConfigFix(proxy: .traefik, assumed: false, advice: advice, snippets: snippets)
        }
        switch topic {
        case .forwardUpgrade:
            return make(
                "Traefik forwards WebSocket upgrades by itself: remove the headers middleware that drops Upgrade or Connection",
                [])
        case .upstreamHTTP11:
            return make("Traefik speaks HTTP/1.1 upstream by itself: check the service's serversTransport", [])
        case .tunnelTimeout(let idle):
            return make(
                "Traefik closed the connection after \(seconds(idle)) s without data: raise the entry point's idle timeout",
                [.init(context: .traefikStatic, lines: ["entryPoints.web.transport.respondingTimeouts.idleTimeout=1h"])]
            )
        case .stripH2CUpgrade:
            return make("drop Upgrade: h2c with a headers middleware", [])
        case .passUpstream101:
            return make("only pass the upstream's 101 through", [])
        case .forwardExtensions:
            return make(
                "forward Sec-WebSocket-Extensions unchanged (remove the headers middleware that changes it)", [])
        }
    }

    private static func squid(_ topic: ProxyFixTopic) -> ProxyConfigFix {
        func make(_ advice: String, _ snippets: [ProxyConfigFix.Snippet]) -> ProxyConfigFix {
            ProxyConfigFix(proxy: .squid, assumed: false, advice: advice, snippets: snippets)
        }
        switch topic {
        case .forwardUpgrade:
            return make(
                "Squid does not tunnel plain-HTTP upgrades: send WebSocket through a CONNECT tunnel (wss) instead", [])
        case .upstreamHTTP11:
            return make("Squid speaks HTTP/1.1 upstream by itself", [])
        case .tunnelTimeout(let idle):
            return make(
                "Squid closed the tunnel after \(seconds(idle)) s without data: raise read_timeout",
                [.init(context: .squidConf, lines: ["read_timeout 60 minutes"])])
        case .stripH2CUpgrade:
            return make("drop Upgrade: h2c (request_header_access Upgrade deny on those requests)", [])
        case .passUpstream101:
            return make("only pass the upstream's 101 through", [])
        case .forwardExtensions:
            return make("forward Sec-WebSocket-Extensions unchanged (request_header_replace)", [])
        }
    }
}

/// Kubernetes exec, attach and port-forward streams: chosen by the subprotocols below or by
/// a pod's `exec`, `attach` or `portforward` path; never by content (a channel byte and
/// data look like any binary message).
package struct KubernetesChannelInterpreterFactory: WebSocketInterpreterFactory {
    package init() {}

    package var name: String { KubernetesChannelInterpreter.protocolName }

    package var subprotocols: [String] {
        [
            "v5.channel.k8s.io", "v4.channel.k8s.io", "v4.base64.channel.k8s.io", "channel.k8s.io",
            "base64.channel.k8s.io", "portforward.k8s.io", "v4.portforward.k8s.io", "SPDY/3.1+portforward.k8s.io",
        ]
    }

    package func matches(target: String) -> Bool {
        KubernetesStreamRequest(target: target) != nil
    }

    package func recognizes(firstMessage: borrowing InterpretedMessage) -> Bool { false }

    package func makeInterpreter() -> any WebSocketMessageInterpreter { KubernetesChannelInterpreter() }

    package func makeInterpreter(handshake: WebSocketInterpreterHandshake) -> any WebSocketMessageInterpreter {
        KubernetesChannelInterpreter(handshake: handshake)
    }
}

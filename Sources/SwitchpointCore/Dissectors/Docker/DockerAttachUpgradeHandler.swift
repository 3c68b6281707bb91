/// `Upgrade: tcp` as Docker's daemon answers attach and exec requests
/// (`POST /containers/{id}/attach`, `POST /exec/{id}/start`): the stream goes to
/// `DockerAttachDissector`. Other `tcp` upgrades stay raw: the framing is Docker's, not
/// the token's.
package struct DockerAttachUpgradeHandler: UpgradeHandler {
    package init() {}

    package var protocolID: ProtocolID { .dockerAttach }

    package func makeDissector(_ context: UpgradeContext) -> (any UpgradedStreamDissector)? {
        guard let target = context.request?.target, Self.isDockerStream(target) else {
            return RawStreamDissector(protocolName: context.protocolName)
        }
        return DockerAttachDissector(context: context)
    }

    /// `/v1.41/containers/ID/attach?…` or `/exec/ID/start`, with or without the version.
    static func isDockerStream(_ target: String) -> Bool {
        let path = target.split(separator: "?", maxSplits: 1).first ?? ""
        let parts = path.split(separator: "/")
        guard parts.count >= 3 else { return false }
        let tail = parts.suffix(3)
        let kind = tail[tail.startIndex]
        let action = tail[tail.index(before: tail.endIndex)]
        return (kind == "containers" && action == "attach") || (kind == "exec" && action == "start")
    }
}

extension ProtocolID {
    /// `Upgrade: tcp`. Its frames are shown as raw chunks (so `--protocol raw` keeps its
    /// connections); it needs its handshake (no `--decode-as`) and has no `--protocol` name.
    package static let dockerAttach = ProtocolID(name: "docker-attach", upgradeTokens: ["tcp"], traits: .raw)
}

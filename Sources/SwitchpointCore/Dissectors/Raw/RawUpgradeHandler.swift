/// Any protocol without a handler of its own: its bytes shown raw, chunk by chunk.
public struct RawUpgradeHandler: UpgradeHandler {
    public init() {}

    public var protocolNames: [String] { [] }

    public func makeDissector(_ context: UpgradeContext) -> (any UpgradedStreamDissector)? {
        RawStreamDissector(protocolName: context.protocolName)
    }
}

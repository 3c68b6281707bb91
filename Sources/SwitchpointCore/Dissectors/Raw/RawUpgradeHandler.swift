/// Any protocol without a handler of its own: its bytes shown raw, chunk by chunk.
package struct RawUpgradeHandler: UpgradeHandler {
    package init() {}

    package var protocolNames: [String] { [] }

    package func makeDissector(_ context: UpgradeContext) -> (any UpgradedStreamDissector)? {
        RawStreamDissector(protocolName: context.protocolName)
    }
}

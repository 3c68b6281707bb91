/// Any protocol without a handler of its own: its bytes shown raw, chunk by chunk.
package struct RawUpgradeHandler: UpgradeHandler {
    package init() {}

    /// Reached for any token without a handler; `--decode-as raw` and `--protocol raw`.
    package var protocolID: ProtocolID { .raw }

    package func makeDissector(_ context: UpgradeContext) -> (any UpgradedStreamDissector)? {
        RawStreamDissector(protocolName: context.protocolName)
    }
}

/// What `--decode-as PROTOCOL=PORT` names: a protocol the registry can start at a
/// connection's first byte without its handshake (`ProtocolID.decodesFromFirstByte`),
/// resolved by `DissectorRegistry.decodeAsProtocol(named:)`. Registering a handler whose
/// `ProtocolID` has `decodeAsNames` makes it one.
package typealias DecodeAsProtocol = ProtocolID

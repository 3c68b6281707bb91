/// One value per direction of a connection, subscripted by `Direction` (after gopacket's
/// per-direction stream halves): two-sided state without `[0]`/`[1]` or `1 - side`.
///
/// The subscript yields the stored value in place (`_modify`), so mutating a field of one
/// side never copies the side (a copy would copy its buffers on the next write).
public struct PerDirection<Value> {
    public var clientToServer: Value
    public var serverToClient: Value

    @inline(__always)
    public init(clientToServer: Value, serverToClient: Value) {
        self.clientToServer = clientToServer
        self.serverToClient = serverToClient
    }

    /// The same starting value on both sides (a value type is copied; a class instance
    /// would be shared: give classes one instance each with the other initializer).
    @inline(__always)
    public init(repeating value: Value) {
        clientToServer = value
        serverToClient = value
    }

    @inline(__always)
    public subscript(direction: Direction) -> Value {
        _read {
            switch direction {
            case .clientToServer: yield clientToServer
            case .serverToClient: yield serverToClient
            }
        }
        _modify {
            switch direction {
            case .clientToServer: yield &clientToServer
            case .serverToClient: yield &serverToClient
            }
        }
    }
}

extension PerDirection: Sendable where Value: Sendable {}
extension PerDirection: Equatable where Value: Equatable {}

/// One value per direction of a connection, subscripted by `Direction` (after gopacket's
/// per-direction stream halves): two-sided state without `[0]`/`[1]` or `1 - side`.
///
/// Mutation yields the stored value in place (`_modify`), so changing a field of one side
/// never copies the side (a copy would copy its buffers on the next write).
package struct PerDirection<Value> {
    package var clientToServer: Value
    package var serverToClient: Value

    @inline(__always)
    package init(clientToServer: Value, serverToClient: Value) {
        self.clientToServer = clientToServer
        self.serverToClient = serverToClient
    }

    /// The same starting value on both sides (a value type is copied; a class instance
    /// would be shared: give classes one instance each with the other initializer).
    @inline(__always)
    package init(repeating value: Value) {
        clientToServer = value
        serverToClient = value
    }

    package subscript(direction: Direction) -> Value {
        // Coroutines, not get/set: a getter copies the whole side to read one field
        // (twice the time on the HTTP/2 DATA path, measured). They stay calls (a yield per
        // direction is not inlined), which costs a few per cent on the hottest paths.
        @inline(__always)
        _read {
            switch direction {
            case .clientToServer: yield clientToServer
            case .serverToClient: yield serverToClient
            }
        }
        @inline(__always)
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

@testable import SwitchpointCore

/// The WebSocket events of a collected timeline, with their direction.
extension CollectingEventSink {
    var messages: [(Direction, WebSocketMessage)] {
        events.compactMap {
            if case .wsMessage(let message) = $0.kind, let direction = $0.direction {
                (direction, message)
            } else {
                nil
            }
        }
    }

    var frames: [(Direction, WebSocketFrameHeader)] {
        events.compactMap {
            if case .wsFrame(let frame) = $0.kind, let direction = $0.direction { (direction, frame) } else { nil }
        }
    }

    var closeFrames: [(Direction, WebSocketClose)] {
        events.compactMap {
            if case .wsClose(let close) = $0.kind, let direction = $0.direction { (direction, close) } else { nil }
        }
    }
}

/// An `ApplicationEventSink` that keeps what it is given, in order (tests, fuzz harnesses).
package struct CollectedApplicationEvents: ApplicationEventSink {
    package enum Item: Sendable, Equatable {
        case application(ApplicationEvent)
        case finding(Finding)
    }

    package private(set) var items: [(item: Item, place: ApplicationPlace)] = []

    package init() {}

    package mutating func application(_ event: ApplicationEvent, at place: ApplicationPlace) {
        items.append((.application(event), place))
    }

    package mutating func finding(_ finding: Finding, at place: ApplicationPlace) {
        items.append((.finding(finding), place))
    }

    package var applicationEvents: [ApplicationEvent] {
        items.compactMap {
            if case .application(let event) = $0.item { return event }
            return nil
        }
    }

    package var findings: [Finding] {
        items.compactMap {
            if case .finding(let finding) = $0.item { return finding }
            return nil
        }
    }

    package mutating func removeAll() {
        items.removeAll(keepingCapacity: true)
    }
}

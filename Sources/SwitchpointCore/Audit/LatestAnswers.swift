/// For one target: the latest answer time among earlier requests, on the two servers
/// with the latest answers (so "latest on a server other than X" is O(1)).
struct LatestAnswers {
    private var best: (time: Timestamp, server: Endpoint)?
    private var second: (time: Timestamp, server: Endpoint)?

    mutating func insert(_ time: Timestamp, server: Endpoint) {
        guard let top = best else {
            best = (time, server)
            return
        }
        if top.server == server {
            if time > top.time { best = (time, server) }
        } else if time > top.time {
            second = top
            best = (time, server)
        } else if let runner = second, runner.server == server {
            if time > runner.time { second = (time, server) }
        } else if second == nil || time > (second?.time ?? .zero) {
            second = (time, server)
        }
    }

    func latest(excluding server: Endpoint) -> Timestamp? {
        if let top = best, top.server != server { return top.time }
        return second?.time
    }
}

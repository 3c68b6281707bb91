import Foundation
import NIOCore
import NIOPosix
import PostgresNIO

/// The writer thread behind `--pg`: takes batches from the bounded queue and stores them
/// with multi-row `INSERT … ON CONFLICT DO NOTHING` through postgres-nio; creates the schema
/// on every (re)connect; when the server goes away it reconnects with exponential backoff
/// and sends the interrupted batch again (the primary key makes that idempotent), while the
/// analysis goes on and the queue absorbs, then drops and counts, what does not fit.
final class PostgresEventWriter: @unchecked Sendable {
    struct Limits {
        /// Rows per INSERT (a statement takes at most 65535 parameters; the widest table has 25 columns).
        var batchRows = 1000
        /// How long the writer waits to fill a batch before sending what it has.
        var flushInterval: TimeInterval = 0.2
        var firstBackoff: TimeInterval = 0.1
        var maxBackoff: TimeInterval = 2
        /// A statement not answered in this time counts as a lost connection (a server that
        /// vanished without a FIN or RST leaves the socket open).
        var statementTimeout: Int64 = 30
    }

    enum WriterError: Error, CustomStringConvertible {
        case connectionClosed
        case statementTimeout

        var description: String {
            switch self {
            case .connectionClosed: "the server closed the connection"
            case .statementTimeout: "no answer from the server"
            }
        }
    }

    /// What the run stored and lost, for the closing report and switchpoint_runs.
    struct Report: Sendable {
        var written = 0
        var dropped = 0
        var reconnects = 0
        var connected = false
    }

    let target: PostgresTarget
    let run: ExportRun
    let queue: BoundedRowQueue
    let limits: Limits
    private let report: (String) -> Void
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private var logger = Logger(label: "switchpoint.postgres")

    // Guarded by `state`.
    private let state = NSCondition()
    private var stopping = false
    private var finished = false
    private var counters = Report()
    /// Connections whose close was never confirmed (only touched by the writer thread).
    private var unclosed: [PostgresConnection] = []

    init(
        target: PostgresTarget, run: ExportRun, queue: BoundedRowQueue, limits: Limits = Limits(),
        report: @escaping (String) -> Void
    ) {
        self.target = target
        self.run = run
        self.queue = queue
        self.limits = limits
        self.report = report
        // postgres-nio's own logging is left out: the writer reports what matters itself.
        logger.logLevel = .critical
    }

    func start() {
        let thread = Thread { [self] in
            loop()
            state.lock()
            finished = true
            state.broadcast()
            state.unlock()
        }
        thread.name = "switchpoint-postgres"
        thread.start()
    }

    /// Closes the queue and waits up to `seconds` for the rows left to be stored; after that
    /// they are dropped (and counted). Returns the totals.
    func finish(waitingAtMost seconds: TimeInterval) -> Report {
        queue.close()
        let deadline = Date().addingTimeInterval(seconds)
        state.lock()
        while !finished && state.wait(until: deadline) {}
        if !finished {
            stopping = true
            state.unlock()
            _ = queue.discardRemaining()
            state.lock()
            // The thread notices within one backoff step or query.
            while !finished && state.wait(until: Date().addingTimeInterval(10)) {}
        }
        var totals = counters
        state.unlock()
        totals.dropped = queue.dropped
        try? group.syncShutdownGracefully()
        return totals
    }

    private var isStopping: Bool {
        state.lock()
        defer { state.unlock() }
        return stopping
    }

    private func update(_ change: (inout Report) -> Void) {
        state.lock()
        change(&counters)
        state.unlock()
    }

    // MARK: The thread

    private func loop() {
        var connection: PostgresConnection?
        var batch: [ExportRow] = []
        var backoff = limits.firstBackoff
        var lost = false
        var failures = 0
        // At once, rows or not: an empty capture still tries the URL, and what no retry
        // mends is said now, not after the drain deadline.
        do {
            connection = try connect()
        } catch {
            if Self.isPermanent(error) { return giveUp(error) }
            report("postgres: cannot connect to \(target): \(Self.describe(error)); retrying with backoff")
            failures = 1
            lost = true
        }
        while !isStopping {
            if batch.isEmpty {
                batch = queue.popBatch(
                    limit: limits.batchRows, waitingUntil: Date().addingTimeInterval(limits.flushInterval))
                if batch.isEmpty {
                    if queue.isClosedAndEmpty { break }
                    continue
                }
            }
            if connection == nil {
                do {
                    connection = try connect()
                    backoff = limits.firstBackoff
                    if lost {
                        update { $0.reconnects += 1 }
                        report(
                            "postgres: reconnected to \(target) after \(failures) failed attempt\(failures == 1 ? "" : "s")"
                        )
                    }
                    lost = false
                    failures = 0
                } catch {
                    if !wasConnected && Self.isPermanent(error) { return giveUp(error) }
                    if failures == 0 {
                        report("postgres: cannot connect to \(target): \(Self.describe(error)); retrying with backoff")
                    }
                    failures += 1
                    lost = true
                    pause(&backoff)
                    continue
                }
            }
            guard let open = connection else { continue }
            do {
                try insert(batch, on: open)
                update { $0.written += batch.count }
                batch = []
            } catch {
                if Self.isRowProblem(error, connection: open) {
                    // One bad row must not cost the batch: store the rows one by one.
                    let stored = insertEach(batch, on: open)
                    update { $0.written += stored }
                    queue.countDropped(batch.count - stored)
                    report(
                        "postgres: the server rejected \(batch.count - stored) row\(batch.count - stored == 1 ? "" : "s"): \(Self.describe(error))"
                    )
                    batch = []
                } else {
                    report(
                        "postgres: connection lost (\(Self.describe(error))); reconnecting with backoff, analysis goes on"
                    )
                    close(open)
                    connection = nil
                    lost = true
                    failures = 1
                    pause(&backoff)
                }
            }
        }
        if !batch.isEmpty { queue.countDropped(batch.count) }
        if let connection {
            finishRun(on: connection)
            close(connection)
        }
    }

    private var wasConnected: Bool {
        state.lock()
        defer { state.unlock() }
        return counters.connected
    }

    /// A first connection that cannot succeed: said once, and every row is dropped (counted)
    /// from now on instead of queued for a server that will not come.
    private func giveUp(_ error: any Error) {
        report("postgres: cannot connect to \(target): \(Self.describe(error)); not retried, nothing is stored")
        _ = queue.discardRemaining()
    }

    /// An error no retry mends, before any connection succeeded: refused (nothing listens
    /// there), a name that does not resolve, authentication (SQLSTATE class 28), a database
    /// that does not exist (3D000), or a schema statement not permitted (class 42). Once
    /// connected, a refusal is a server restarting and is retried.
    static func isPermanent(_ error: any Error) -> Bool {
        if let error = error as? PSQLError {
            if error.code == .server {
                let state = error.serverInfo?[.sqlState] ?? ""
                return state.hasPrefix("28") || state == "3D000" || state.hasPrefix("42")
            }
            return error.underlying.map(isPermanent) ?? false
        }
        if let error = error as? NIOConnectionError {
            // No address at all: the name did not resolve.
            guard !error.connectionErrors.isEmpty else { return true }
            return error.connectionErrors.allSatisfy { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }
        }
        if let error = error as? IOError { return error.errnoCode == ECONNREFUSED }
        return error is SocketAddressError
    }

    /// Sleeps `backoff` (in steps, so a stop is noticed) and doubles it up to the limit.
    private func pause(_ backoff: inout TimeInterval) {
        let until = Date().addingTimeInterval(backoff)
        while Date() < until && !isStopping { Thread.sleep(forTimeInterval: 0.02) }
        backoff = min(backoff * 2, limits.maxBackoff)
    }

    private func connect() throws -> PostgresConnection {
        let connection = try PostgresConnection.connect(
            on: group.next(), configuration: try target.configuration(),
            id: 1, logger: logger
        ).wait()
        do {
            for statement in PostgresSchema.statements {
                do {
                    try execute(PostgresQuery(unsafeSQL: statement), on: connection)
                } catch let error as PSQLError where error.code == .server && !connection.isClosed {
                    // Two sensors creating the same table at once: one of them loses the race
                    // (unique_violation on the catalog); the table is there all the same.
                    try execute(PostgresQuery(unsafeSQL: statement), on: connection)
                }
            }
            var binds = PostgresBindings()
            binds.append(run.id.uuidString)
            binds.append(run.sensor)
            binds.append(run.command)
            binds.append(run.started)
            try execute(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO switchpoint_runs (run_id, sensor, command, started_at) VALUES ($1::uuid, $2, $3, $4)
                        ON CONFLICT (run_id) DO NOTHING
                        """, binds: binds), on: connection)
        } catch {
            close(connection)
            throw error
        }
        update { $0.connected = true }
        return connection
    }

    private func finishRun(on connection: PostgresConnection) {
        state.lock()
        let totals = counters
        state.unlock()
        var binds = PostgresBindings()
        binds.append(run.id.uuidString)
        binds.append(Date())
        binds.append(Int64(totals.written))
        binds.append(Int64(queue.dropped))
        binds.append(Int64(totals.reconnects))
        try? execute(
            PostgresQuery(
                unsafeSQL: """
                    UPDATE switchpoint_runs SET finished_at = $2, rows_written = $3, rows_dropped = $4, reconnects = $5::integer
                    WHERE run_id = $1::uuid
                    """, binds: binds), on: connection)
    }

    /// One multi-row INSERT per table present in the batch.
    private func insert(_ batch: [ExportRow], on connection: PostgresConnection) throws {
        var byTable: [ExportTable: [ExportRow]] = [:]
        for row in batch { byTable[row.table, default: []].append(row) }
        for table in ExportTable.allCases {
            guard let rows = byTable[table], !rows.isEmpty else { continue }
            try execute(Self.insertQuery(table, rows), on: connection)
        }
    }

    private func insertEach(_ batch: [ExportRow], on connection: PostgresConnection) -> Int {
        var stored = 0
        for row in batch where (try? execute(Self.insertQuery(row.table, [row]), on: connection)) != nil {
            stored += 1
        }
        return stored
    }

    /// Runs one statement and waits for its answer, at most `statementTimeout`. A query on a
    /// connection that is already closed would never be answered: it fails at once instead.
    private func execute(_ query: PostgresQuery, on connection: PostgresConnection) throws {
        guard !connection.isClosed else { throw WriterError.connectionClosed }
        let loop = connection.eventLoop
        let answered = loop.makePromise(of: Void.self)
        connection.query(query, logger: logger).map { _ in }.cascade(to: answered)
        let deadline = loop.scheduleTask(in: .seconds(limits.statementTimeout)) {
            answered.fail(WriterError.statementTimeout)
        }
        answered.futureResult.whenComplete { _ in deadline.cancel() }
        try answered.futureResult.wait()
    }

    /// Closes a connection and waits (at most `closeTimeout`) until its channel is closed: a
    /// connection must not be released open. One that does not close in time is kept.
    private func close(_ connection: PostgresConnection) {
        let loop = connection.eventLoop
        let closed = loop.makePromise(of: Void.self)
        connection.closeFuture.cascade(to: closed)
        let deadline = loop.scheduleTask(in: .seconds(Self.closeTimeout)) { closed.fail(WriterError.statementTimeout) }
        closed.futureResult.whenComplete { _ in deadline.cancel() }
        connection.close().whenComplete { _ in }
        if (try? closed.futureResult.wait()) == nil { unclosed.append(connection) }
    }

    static let closeTimeout: Int64 = 5

    static func insertQuery(_ table: ExportTable, _ rows: [ExportRow]) -> PostgresQuery {
        let columns = table.columns
        var sql = "INSERT INTO \(table.rawValue) (" + columns.map(\.name).joined(separator: ", ") + ") VALUES "
        var binds = PostgresBindings(capacity: rows.count * columns.count)
        var parameter = 0
        for (rowIndex, row) in rows.enumerated() {
            sql += rowIndex == 0 ? "(" : ", ("
            for (index, column) in columns.enumerated() {
                parameter += 1
                sql += (index == 0 ? "$" : ", $") + String(parameter) + "::" + column.type
                let value = index < row.values.count ? row.values[index] : .null
                switch value {
                case .text(let text): binds.append(storable(text))
                case .integer(let number): binds.append(number)
                case .real(let number): binds.append(number)
                case .boolean(let flag): binds.append(flag)
                case .time(let time): binds.append(Date(timeIntervalSince1970: Double(time.nanoseconds) / 1e9))
                case .null: binds.appendNull()
                }
            }
            sql += ")"
        }
        sql += " ON CONFLICT DO NOTHING"
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    /// PostgreSQL text cannot hold U+0000: wire text that has it gets U+FFFD there instead.
    static func storable(_ text: String) -> String {
        guard text.utf8.contains(0) else { return text }
        return String(text.unicodeScalars.map { $0.value == 0 ? "\u{FFFD}" : Character($0) })
    }

    /// A server error about the rows themselves (bad value), as opposed to the connection
    /// going away (class 08 connection exception, 57 operator intervention such as a shutdown).
    static func isRowProblem(_ error: any Error, connection: PostgresConnection) -> Bool {
        guard let error = error as? PSQLError, error.code == .server, !connection.isClosed else { return false }
        let state = error.serverInfo?[.sqlState] ?? ""
        return !(state.hasPrefix("08") || state.hasPrefix("57"))
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? WriterError { return error.description }
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            return error.underlying.map { "\($0)" } ?? "\(error.code)"
        }
        return "\(error)"
    }
}

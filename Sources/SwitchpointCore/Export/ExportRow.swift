/// A row for one of the export tables (docs/postgres.sql): values in `ExportTable.columns` order.
public struct ExportRow: Sendable {
    public var table: ExportTable
    public var values: [ExportValue]
}

/// A row for one of the export tables (docs/postgres.sql): values in `ExportTable.columns` order.
package struct ExportRow: Sendable {
    package var table: ExportTable
    package var values: [ExportValue]
}

import Pipeline
import Postgres

/// The report's way to the warehouse's figures: `SELECT`s on the `metrics` views, as the role
/// `etl_report`, which reads what analysts read and nothing else (the runs that did not
/// publish are read before, as the owner: `ReportData.NotPublishedRun`). The connection is the
/// warehouse owner's; the reader switches to the role before its first query and checks that
/// the role can read nothing outside `metrics`.
package struct MetricsReader {
    package static let role = "etl_report"

    let connection: Connection

    /// Switches `connection` to the reader role for good (the caller gives it up) and, with
    /// `run`, points the views at that kept run instead of the published one (`etl.run`,
    /// honoured by `warehouse.published_run`).
    package init(connection: Connection, run: RunID? = nil) throws {
        self.connection = connection
        let user = (try? connection.query("SELECT session_user").first?.string(0)) ?? "the warehouse user"
        do {
            try connection.execute("SET ROLE \(Self.role)", name: "report role")
        } catch let error as PostgresError {
            throw ReportError.readerRoleUnavailable(role: Self.role, user: user, message: error.message)
        }
        let readable = try connection.query("""
            SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT IN ('metrics', 'pg_catalog', 'information_schema')
              AND has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT')
            ORDER BY 1
            """, name: "what the report role can read").compactMap { $0.string(0) }
        guard readable.isEmpty else { throw ReportError.readerRoleTooWide(role: Self.role, readable: readable) }
        _ = try connection.execute("SELECT set_config('etl.run', $1, false)", [run?.description ?? ""], name: "report run")
    }

    /// Whether a view exists (the difference-in-differences views came later than the others).
    package func exists(_ view: String) throws -> Bool {
        try connection.query("SELECT to_regclass($1) IS NOT NULL", [view], name: "view exists").first?.bool(0) ?? false
    }

    /// The rows of a metrics view: `key` columns name each row, `columns` are its figures.
    /// `orderBy` nil: by the key; empty: the view's own order.
    package func rows(_ view: String, key: [String], columns: [String], orderBy: [String]? = nil) throws -> [ViewRow] {
        precondition(view.hasPrefix("metrics."), "the report reads the metrics views only")
        let names = (key + columns).map(Connection.quoteIdentifier).joined(separator: ", ")
        let order = (orderBy ?? key).joined(separator: ", ")
        let sql = "SELECT \(names) FROM \(view)" + (order.isEmpty ? "" : " ORDER BY \(order)")
        return try connection.query(sql, name: view).map { row in
            ViewRow(view: view, key: key.map { FigureSource.KeyValue(column: $0, value: row[$0]) },
                    values: Dictionary(uniqueKeysWithValues: columns.map { ($0, row[$0]) }))
        }
    }
}

/// One row of a metrics view: its key and its figures as text.
package struct ViewRow: Sendable {
    package var view: String
    package var key: [FigureSource.KeyValue]
    package var values: [String: String?]

    package func key(_ column: String) -> String? { key.first { $0.column == column }?.value ?? nil }

    /// A figure of this row. NULL is `suppressed` when the count it rests on (`basis`, one or
    /// more count columns of the row; default the column itself) is NULL too — counts are NULL
    /// only when the small-cell rule hid them — and `undefined` otherwise.
    package func figure(_ column: String, basis: [String]? = nil) -> Figure {
        let raw = values[column] ?? nil
        let source = FigureSource(view: view, key: key, column: column)
        guard raw == nil else { return Figure(source: source, raw: raw, state: .value) }
        let hidden = (basis ?? [column]).contains { (values[$0] ?? nil) == nil }
        return Figure(source: source, raw: nil, state: hidden ? .suppressed : .undefined)
    }
}

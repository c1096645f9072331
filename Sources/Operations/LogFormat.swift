import Foundation
import Logging

/// How `etl` writes its log lines (to standard error): for a person at a terminal, or one
/// JSON object a line for cron and log shippers. Neither ever holds a CPR number: stages
/// log counts and pseudonymised or masked values only.
package enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}

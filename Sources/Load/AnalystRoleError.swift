import Pipeline

/// Why `etl warehouse analyst` left a role alone.
package struct AnalystRoleError: StewardError, Sendable {
    package enum Problem: Sendable, Equatable {
        case notAnalyst(String)
        case badName(String)
        case groupMissing
    }

    package let role: String
    package let problem: Problem

    /// A missing group is the warehouse's setup; a name that cannot be an analyst role, the caller's.
    package var exitStatus: ExitStatus { problem == .groupMissing ? .failure : .usage }

    package var description: String {
        switch problem {
        case .notAnalyst(let why):
            "role \(role) is not an analyst role, so it is left as it is: \(why). Name a new role to create one"
        case .badName(let why):
            "\(role.isEmpty ? "an empty name" : "'\(role)'") cannot be an analyst role: \(why)"
        case .groupMissing:
            "the group role \(AnalystRole.group) is missing, so no analyst role can be made; run `etl migrate` as a role with CREATEROLE (or as the superuser)"
        }
    }
}

import ArgumentParser

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply the schema migrations of sql/ not yet applied.", discussion: exitStatusHelp)
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try withExitStatus {
            _ = try global.target(nil).connect(logger: global.logger())
            print("the warehouse is migrated")
        }
    }
}

import ArgumentParser
import Foundation
import Operations
import Pipeline
import SyntheticDrop

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a synthetic drop (exports and MANIFEST) with a known effect of the social workers.",
        discussion: exitStatusHelp)

    @Option(help: "The drop folder to write.") var out: String
    @Option(help: "Children in the municipality.") var children: Int
    @Option(help: "Institutions (default: children / 200, at least 10).") var institutions: Int?
    @Option(help: "Seed: the same seed gives the same bytes.") var seed: UInt64 = 1
    @Option(help: "The export date (yyyy-mm-dd); default: the --out folder's name when it is one, as in a trial inbox, else 2026-11-21.")
    var asOf: Day?
    @Option(help: "Start of the evaluation window the drop is made for.") var windowFrom = Day(year: 2012, month: 1, day: 1)!
    @Option(help: "Share of bad records to inject per file (0 to 0.5).") var dirty = 0.0
    @Option(help: "copenhagen (the contract) or other (another municipality's layout; pipelines/other.yaml).")
    var variant: DropGenerator.Variant = .copenhagen
    @Flag(help: "No effect: on covered days children fare exactly as without the social worker.") var noEffect = false
    @Option(help: "Children at institutions ever covered carry R times the baseline risk, before and after coverage (1: no selection).")
    var selection = DropGenerator.defaultSelection

    /// A drop is written into a new or empty folder: `--out ""` wrote into the working
    /// folder, and a folder holding a drop was overwritten without a word (a review).
    func validate() throws {
        try GlobalOptions.refuseBlank(out, "--out", "name the drop folder to write (yyyy-mm-dd in a trial inbox)")
        if let file = ExistingPart(of: out), !file.isFolder, file.path != URL(fileURLWithPath: out).standardizedFileURL.path {
            throw ValidationError("--out \(out) lies under \(file.path), a file, not a folder: name a new folder for the drop")
        }
        if let why = Self.othersMayChange(out, at: out) { throw ValidationError(why) }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: out, isDirectory: &isFolder) else { return }
        guard isFolder.boolValue else { throw ValidationError("--out \(out) is a file: name a new folder for the drop") }
        let names = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        guard names.isEmpty else {
            throw ValidationError("--out \(out) already holds \(names.prefix(3).joined(separator: ", "))\(names.count > 3 ? ", …" : ""): "
                                  + "a drop is written into a new or empty folder; name another, or remove that one first")
        }
    }

    /// Why another user could change the drop's folder `path` (`--out`, as given) or one above
    /// it, or nil: they could swap its files for links while they are written (a review wrote
    /// over the user's own file so). Sticky or not: others could add files to the drop.
    static func othersMayChange(_ out: String, at path: String) -> String? {
        if let (folder, writers) = OtherWriters.folderAbove(path, othersOwning: true) {
            return "--out \(out) is in \(folder), which \(writers) may change: name a folder of your own for the drop"
        }
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return nil }
        if ![0, geteuid()].contains(info.st_uid) {
            return "--out \(out) belongs to \(OtherWriters.owner(info.st_uid)): name a folder of your own for the drop"
        }
        return OtherWriters.of(info, path: path).map { "--out \(out) may be written by \($0): name a folder only you may write for the drop" }
    }

    /// The drop's folder, made by this command and checked again once there: another user made
    /// it (or one above) between `validate` and here, or a default access control list above
    /// gave it to them (a review). What `validate` says early, said where it can no longer change.
    static func makeOwnFolder(_ out: String) throws {
        // `..` after a link as the kernel takes it: the generator writes there (a review saw two folders).
        let url = OtherWriters.resolved(out)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if let acl = OtherWriters.accessControlList(url.deletingLastPathComponent().path), acl.hasPrefix("a default") {
            throw OperationsError.usage("--out \(out) would be made in \(url.deletingLastPathComponent().path), which has \(acl): "
                                        + "the drop would be open to the users it names; name a folder elsewhere")
        }
        guard mkdir(url.path, 0o700) == 0 || errno == EEXIST else {
            throw OperationsError.io(path: url.path, message: "cannot make the drop's folder: \(String(cString: strerror(errno)))")
        }
        if let why = othersMayChange(out, at: url.path) { throw OperationsError.usage(why) }
        var info = stat()
        guard lstat(url.path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == geteuid(), OtherWriters.accessControlList(url.path) == nil,
              (try? FileManager.default.contentsOfDirectory(atPath: url.path))?.isEmpty == true else {
            throw OperationsError.usage("--out \(out) is not an empty folder of your own that only you may change (another user may have "
                                        + "made it meanwhile): name a new folder for the drop")
        }
    }

    func run() throws {
        try withExitStatus {
            // The folder's day: `--out inbox/2026-11-22` wrote a drop of the 21st, which the run then took (a review).
            let asOf = asOf ?? AsOf.day(ofFolder: URL(fileURLWithPath: out).lastPathComponent) ?? Day(year: 2026, month: 11, day: 21)!
            let options = DropGenerator.Options(children: children, institutions: institutions, seed: seed, asOf: asOf,
                                                windowFrom: windowFrom, dirtyRate: dirty, variant: variant,
                                                effect: noEffect ? .none : .evaluation, selection: selection)
            try Self.makeOwnFolder(out)
            let summary = try DropGenerator(options).write(to: OtherWriters.resolved(out))
            print("wrote \(out), as of \(asOf.iso): \(summary.children) children, \(summary.institutions) institutions, "
                  + "\(summary.spells) spells, \(summary.events) case events")
            print(summary.injectedEffect)
        }
    }
}

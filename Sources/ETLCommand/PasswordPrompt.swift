import ArgumentParser
import Foundation
import Operations

/// The passwords of roles that log in over the network (analysts', the national feed's):
/// given one way (`--password`, `$variable` or `--prompt`), or generated.
enum PasswordPrompt {
    /// For `validate()`: refuses a password given more than one way, or with --new-password.
    static func checkOneWay(variable: String, password: String? = nil, prompt: Bool, newPassword: Bool) throws {
        let ways = [password != nil, fromEnvironment(variable) != nil, prompt, newPassword].filter { $0 }.count
        guard ways <= 1 else {
            throw ValidationError("give the password one way: " + (password == nil ? "" : "--password, ") + "--prompt, $\(variable) or --new-password")
        }
    }

    /// The password given (`password`, else `$variable`, else asked with `prompt`), checked;
    /// nil when none was: one is generated.
    static func given(for role: String, variable: String, password: String? = nil, prompt: Bool) throws -> String? {
        try checked(password ?? fromEnvironment(variable) ?? (prompt ? ask(for: role, variable: variable) : nil))
    }

    private static func fromEnvironment(_ variable: String) -> String? {
        ProcessInfo.processInfo.environment[variable].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// 24 characters from an alphabet without look-alikes (0/O, 1/l/I) and without any
    /// character a URL would have to escape: about 140 bits from the system's CSPRNG.
    static func generate(length: Int = 24) -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
        var random = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet.randomElement(using: &random)! })
    }

    /// The shortest password a role that logs in over TCP may be given.
    static let minimumLength = 12

    /// `password` when it is long enough (nil stays nil: one is generated).
    private static func checked(_ password: String?) throws -> String? {
        guard let password, password.count < minimumLength else { return password }
        throw OperationsError.usage("a password of fewer than \(minimumLength) characters, for a role that logs in over the network: "
            + "choose a longer one, or give none and one is generated; nothing was changed")
    }

    /// Asks twice on the controlling terminal with echo off; refuses an empty password or
    /// two that differ.
    private static func ask(for role: String, variable: String) throws -> String {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else {
            throw OperationsError.usage("--prompt needs a terminal; set $\(variable) instead, or let a password be generated")
        }
        defer { close(fd) }
        let first = try read(fd, "Password for \(role): ")
        let second = try read(fd, "Again: ")
        guard first == second else { throw OperationsError.usage("the two passwords differ; nothing was changed") }
        guard !first.isEmpty else { throw OperationsError.usage("an empty password; nothing was changed") }
        return first
    }

    private static func read(_ fd: Int32, _ prompt: String) throws -> String {
        _ = prompt.withCString { write(fd, $0, strlen($0)) }
        var saved = termios()
        let isTerminal = tcgetattr(fd, &saved) == 0
        if isTerminal {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(fd, TCSAFLUSH, &quiet)
        }
        defer {
            if isTerminal { tcsetattr(fd, TCSAFLUSH, &saved) }
            _ = "\n".withCString { write(fd, $0, 1) }
        }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while Foundation.read(fd, &byte, 1) == 1, byte != UInt8(ascii: "\n") { bytes.append(byte) }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
    }
}

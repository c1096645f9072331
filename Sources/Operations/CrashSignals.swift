import Foundation
import Glibc

/// A crash (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT: a trap, a `fatalError`) says one
/// line and ends by its signal, without Swift's crash report: that report's registers and
/// memory dumps held the records extract was reading, CPR numbers in clear, on standard error,
/// which the cron wrapper logs and mails (an adversarial review). `SWIFT_BACKTRACE` set by hand
/// keeps the report, for a developer on synthetic data. No core file is written either: it
/// would hold the drop's records.
package enum CrashSignals {
    static let signals = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT]

    /// Before any work, in place of the Swift runtime's handlers (installed before `main`).
    package static func install() {
        var none = rlimit(rlim_cur: 0, rlim_max: 0)
        setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &none)
        guard ProcessInfo.processInfo.environment["SWIFT_BACKTRACE"] == nil else { return }
        for number in signals {
            signal(number) { number in
                // A literal: a handler must not run a global's lazy initialisation.
                let line: StaticString = """
                    etl crashed (a fatal signal; Swift's crash report is not printed: its memory dumps can hold personal data). \
                    What it had not committed is rolled back; `etl runs` says where a run stopped, and a published run stays published. \
                    If it crashes again, report it with `etl --version`, and run it with SWIFT_BACKTRACE=enable=yes only on synthetic data \
                    (`etl generate`).

                    """
                line.withUTF8Buffer { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
                signal(number, SIG_DFL)
                raise(number)
            }
        }
    }
}

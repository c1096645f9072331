import ArgumentParser
import Operations
import Pipeline
import SyntheticDrop

// The values the options of the commands take, as written on the command line.

extension LogFormat: ExpressibleByArgument {}

extension Stage: ExpressibleByArgument {}

extension RunID: ExpressibleByArgument {
    package init?(argument: String) { self.init(argument) }
}

/// A run argument's help, which ArgumentParser also shows under a value it refuses.
let runIDHelp = ArgumentHelp("The run, by its id as `etl runs` lists it: 17 digits, yyyymmddhhmmssSSS (14 for runs of older versions).")

extension Day: ExpressibleByArgument {
    package init?(argument: String) { self.init(iso: argument) }
    /// A date in `--help`, not the day number it is stored as.
    package var defaultValueDescription: String { iso }
}

extension DropGenerator.Variant: ExpressibleByArgument {}

extension Benchmark.Scale: ExpressibleByArgument {}

extension ReportLanguage: ExpressibleByArgument {}

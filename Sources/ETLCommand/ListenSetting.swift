import ArgumentParser
import Foundation
import Postgres

/// `--listen HOST:PORT` or `--listen off`.
struct ListenSetting: ExpressibleByArgument, Equatable {
    var change: EmbeddedServer.ListenChange

    init?(argument: String) {
        if argument == "off" {
            change = .off
        } else if let address = TCPAddress(argument) {
            change = .on(address)
        } else {
            return nil
        }
    }
}

import Crypto
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Pipeline
import TestSupport
#if !EXTRACT_BENCH_IN_MODULE
@testable import Extract
#endif

/// The workloads behind docs/benchmarks.md: generated exports at Copenhagen's scale and
/// the readers timed on them. Shared by the (opt-in) benchmark test and by the scratch
/// package that times the CSV libraries on the same files (see docs/benchmarks.md).
package enum BenchmarkWorkloads {
    package struct Timing: CustomStringConvertible, Sendable {
        package var name: String
        package var bytes: Int64
        package var seconds: Double
        package var records: Int
        /// User and system CPU time of the process over the same span (every thread).
        package var cpu: Double = 0
        package var mbPerSecond: Double { Double(bytes) / 1e6 / seconds }
        package var description: String {
            "\(name): \(records) records, \(bytes / 1_000_000) MB in \(String(format: "%.2f", seconds)) s = \(String(format: "%.0f", mbPerSecond)) MB/s; CPU \(String(format: "%.2f", cpu)) s"
        }
    }

    /// Max resident set size of this process so far, in MB.
    package static var maxRSSMegabytes: Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss / 1024
    }

    static func time<T>(_ body: () throws -> T) rethrows -> (T, Double, Double) {
        func cpu() -> Double {
            var u = rusage()
            getrusage(RUSAGE_SELF.rawValue, &u)
            return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
        }
        let start = ContinuousClock.now, cpu0 = cpu()
        let value = try body()
        let d = ContinuousClock.now - start
        return (value, Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18, cpu() - cpu0)
    }

    /// A deterministic case-event export of about `megabytes`: ~100,000 children with a
    /// dozen events each, some quoted fields; synthetic CPR numbers only.
    /// `grouped`: each child's events are adjacent (as in an export sorted by case), rather
    /// than every row drawing its child at random.
    package static func writeCaseEventsCSV(to path: String, megabytes: Int, children: Int = 100_000, grouped: Bool = false) throws {
        let handle = try open(path)
        var out = Array("sagsnummer;cpr;haendelse;dato;paragraf;kilde;aarsag\n".utf8)
        let events = EventType.allCases.map(\.rawValue)
        var rng = SplitMix64(seed: 42)
        var written = 0
        var i = 0
        while written < megabytes * 1_000_000 {
            let child = grouped ? (i / 15) % children : Int(rng.next() % UInt64(children))
            let cpr = cprText(child)
            let event = events[Int(rng.next() % UInt64(events.count))]
            let day = 1 + Int(rng.next() % 28), month = 1 + Int(rng.next() % 12), year = 2013 + Int(rng.next() % 13)
            let source = event == "underretning" ? "daginstitution" : ""
            let reason = event == "sag_afsluttet" ? "\"bekymring_ophoert\"" : ""
            let line = "S-\(year)-\(String(format: "%06d", child));\(cpr);\(event);\(two(day))-\(two(month))-\(year);\(i % 3 == 0 ? "50" : "52.3.3");\(source);\(reason)\n"
            out.append(contentsOf: line.utf8)
            i += 1
            if out.count >= 1 << 20 { written += out.count; handle.write(Data(out)); out.removeAll(keepingCapacity: true) }
        }
        handle.write(Data(out))
        try handle.close()
    }

    /// The same events as XML in the contract's layout.
    package static func writeCaseEventsXML(to path: String, megabytes: Int) throws {
        let handle = try open(path)
        var out = Array("""
        <?xml version="1.0" encoding="UTF-8"?>
        <Sagshaendelser xmlns="urn:dk:kk:socialforvaltningen:sager:1" udtraeksdato="2026-11-21">\n
        """.utf8)
        let events = EventType.allCases.map(\.rawValue)
        var rng = SplitMix64(seed: 7)
        var written = 0
        while written < megabytes * 1_000_000 {
            let child = Int(rng.next() % 100_000)
            let event = events[Int(rng.next() % UInt64(events.count))]
            let day = 1 + Int(rng.next() % 28), month = 1 + Int(rng.next() % 12), year = 2013 + Int(rng.next() % 13)
            out.append(contentsOf: """
              <Haendelse sagsnummer="S-\(year)-\(String(format: "%06d", child))" type="\(event)">
                <Cpr>\(cprText(child))</Cpr>
                <Dato>\(year)-\(two(month))-\(two(day))</Dato>
                <Paragraf>50</Paragraf>
                <Kilde>\(event == "underretning" ? "daginstitution" : "")</Kilde>
                <Aarsag/>
              </Haendelse>\n
            """.utf8)
            if out.count >= 1 << 20 { written += out.count; handle.write(Data(out)); out.removeAll(keepingCapacity: true) }
        }
        out.append(contentsOf: "</Sagshaendelser>\n".utf8)
        handle.write(Data(out))
        try handle.close()
    }

    /// A drop whose case-event export is `megabytes` of CSV; the other files are small.
    package static func writeDrop(at drop: URL, megabytes: Int, children: Int = 100_000, grouped: Bool = false) throws {
        try FileManager.default.createDirectory(at: drop, withIntermediateDirectories: true)
        func put(_ text: String, _ name: String) {
            _ = FileManager.default.createFile(atPath: drop.appendingPathComponent(name).path, contents: Data(text.utf8))
        }
        put("""
        <?xml version="1.0" encoding="UTF-8"?>
        <Institutionsregister xmlns="urn:dk:kk:dagtilbud:institutioner:1" udtraeksdato="2026-11-21">
          <Institution nummer="101234"><Navn>Mælkebøtten</Navn><Type>integreret</Type><Bydel>Nørrebro</Bydel><Pladser>48</Pladser></Institution>
        </Institutionsregister>
        """, "institutioner.xml")
        put("medarbejder_id;institutionsnummer;fra;til\nM1;101234;01-01-2014;\n", "socialraadgivere.csv")
        put("cpr;institutionsnummer;indmeldt;udmeldt\n\(cprText(1));101234;01-08-2014;\n", "indmeldelser.csv")
        try writeCaseEventsCSV(to: drop.appendingPathComponent("sagshaendelser.csv").path, megabytes: megabytes, children: children, grouped: grouped)
    }

    /// Our CSV reader alone: split every record into fields.
    package static func csvReader(path: String) throws -> Timing {
        let (records, seconds, cpu) = try time { () throws -> Int in
            let reader = try CSVReader(path: path, delimiter: 0x3B, encoding: .utf8)
            var n = 0
            try reader.forEachRecord { r in n += r.fieldCount > 0 ? 1 : 0 }
            return n
        }
        return Timing(name: "CSVReader (fields only)", bytes: fileSize(path), seconds: seconds, records: records, cpu: cpu)
    }

    /// Read, split, validate and pseudonymise the case events, without writing anything:
    /// what the stage costs before its output.
    package static func validateOnly(config: PipelineConfig, path: String) throws -> Timing {
        let (records, seconds, cpu) = try time { () throws -> Int in
            let reader = try SourceReader(source: config.sources.caseEvents, path: path, pipeline: config.path, drop: nil)
            let key = SymmetricKey(data: Array(String(repeating: "k", count: 32).utf8))
            var validator = CaseEventValidator(formats: config.sources.caseEvents.dateFormats)
            var pseudonyms = Pseudonymiser(key: key)
            var accepted = 0
            try reader.forEachRecord { r in
                if r.problem == nil, (try? validator.validate(r, &pseudonyms)) != nil { accepted += 1 }
            }
            return accepted
        }
        return Timing(name: "validate and pseudonymise, no output", bytes: fileSize(path), seconds: seconds, records: records, cpu: cpu)
    }

    /// The whole stage on a drop: read, validate, pseudonymise, write.
    package static func stage(config: PipelineConfig, drop: URL, state: URL) throws -> Timing {
        let layout = StateLayout(root: state)
        let stage = ExtractStage(config: config, state: layout,
                                 environment: ["ETL_PSEUDONYM_KEY": String(repeating: "k", count: 32)])
        let (result, seconds, cpu) = try time { try stage.run(drop: drop, into: layout.run(RunID(rawValue: 20260101000000))) }
        let bytes = result.manifest.inputs.reduce(Int64(0)) { $0 + $1.bytes }
        let records = result.manifest.inputs.reduce(0) { $0 + $1.rowsRead }
        return Timing(name: "ExtractStage (validate, pseudonymise, write)", bytes: bytes, seconds: seconds, records: records, cpu: cpu)
    }

    /// The expat reader on the case-event XML.
    package static func expat(path: String) throws -> Timing {
        let names = ["sagsnummer", "Cpr", "type", "Dato", "Paragraf", "Kilde", "Aarsag"]
        let (records, seconds, cpu) = try time { () throws -> Int in
            let reader = try XMLRecordReader(path: path, recordElement: "Haendelse", names: names, encoding: nil)
            var n = 0
            try reader.forEachRecord { r in n += r.value(1) == nil ? 0 : 1 }
            return n
        }
        return Timing(name: "expat (XMLRecordReader)", bytes: fileSize(path), seconds: seconds, records: records, cpu: cpu)
    }

    #if canImport(FoundationXML)
    /// FoundationXML's XMLParser, streaming from an InputStream, collecting the same fields.
    package static func foundationXML(path: String) throws -> Timing {
        let (records, seconds, cpu) = time { () -> Int in
            let parser = XMLParser(stream: InputStream(fileAtPath: path)!)
            parser.shouldProcessNamespaces = true
            let delegate = RecordCollector(recordElement: "Haendelse")
            parser.delegate = delegate
            _ = parser.parse()
            return delegate.records
        }
        return Timing(name: "FoundationXML (XMLParser on an InputStream)", bytes: fileSize(path), seconds: seconds, records: records, cpu: cpu)
    }

    /// What FoundationXML's XMLParser does with a DTD: the error it reports (nil: none) and
    /// the text it produced for the record's attribute and child.
    package static func foundationXMLSafety(_ xml: String) -> (error: String?, texts: [String], declarationsSeen: Int) {
        let parser = XMLParser(data: Data(xml.utf8))
        let delegate = RecordCollector(recordElement: "Institution")
        parser.delegate = delegate
        let ok = parser.parse()
        return (ok ? nil : parser.parserError.map { "\($0)" } ?? "failed", delegate.texts, delegate.declarations)
    }

    final class RecordCollector: NSObject, XMLParserDelegate {
        let recordElement: String
        var records = 0
        var inRecord = false
        var fields: [String: String] = [:]
        var text = ""
        var texts: [String] = []
        var declarations = 0

        init(recordElement: String) { self.recordElement = recordElement }

        // The hooks a FoundationXML reader would have to refuse DTDs with.
        func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) { declarations += 1 }
        func parser(_ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?, systemID: String?) { declarations += 1 }

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if name == recordElement { inRecord = true; fields = attributes; texts.append(contentsOf: attributes.values) }
            text = ""
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { if inRecord { text += string } }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == recordElement { inRecord = false; records += 1 } else if inRecord { fields[name] = text; texts.append(text) }
        }
    }
    #endif

    // MARK: helpers

    /// A synthetic CPR number for child `n`: born 2013–2020, 7th digit 4 (so 2000+YY).
    static func cprText(_ n: Int) -> String {
        let day = 1 + n % 28, month = 1 + (n / 28) % 12, yy = 13 + (n / 336) % 8
        return "\(two(day))\(two(month))\(two(yy))4\(String(format: "%03d", n % 1000))"
    }

    static func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    static func fileSize(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.int64Value ?? 0
    }

    static func open(_ path: String) throws -> FileHandle {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }
}

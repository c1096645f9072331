import Foundation
import Pipeline

/// A field's value map (`values` in the pipeline file) ready to apply: exact values first,
/// then parts in the order written, then the default. Values are compared without
/// surrounding spaces and without regard to case; an empty value is left as it is.
struct ValueMapping {
    let field: Int
    let name: String
    private let exact: [String: [UInt8]?]
    private let contains: [(part: String, value: [UInt8]?)]
    private let fallback: PipelineConfig.ValueMap.Fallback
    /// The contract's own values of the field, if it has a closed vocabulary.
    private let contractValues: Set<String>

    init(field: Int, name: String, map: PipelineConfig.ValueMap) {
        self.field = field
        self.name = name
        contractValues = ContractVocabulary.values[name] ?? []
        var exact: [String: [UInt8]?] = [:]
        // `updateValue`: a rule to empty (`null`) assigned through the subscript would remove its key.
        for rule in map.exact { exact.updateValue(rule.value.map { Array($0.utf8) }, forKey: Self.fold(rule.match)) }
        self.exact = exact
        contains = map.contains.map { (Self.fold($0.match), $0.value.map { Array($0.utf8) }) }
        fallback = map.fallback
    }

    static func fold(_ s: String) -> String { String(s.trimmingSpaces).lowercased() }

    enum Outcome {
        /// Matched a rule: the new value (nil: empty).
        case mapped([UInt8]?)
        /// Matched no rule: the value the default gives (`.keep`: the value as it is).
        case unmatched(PipelineConfig.ValueMap.Fallback)
    }

    /// What becomes of a (trimmed, non-empty) value, given lowercased.
    func apply(folded: String) -> Outcome {
        if let hit = exact[folded] { return .mapped(hit) }
        for rule in contains where folded.contains(rule.part) { return .mapped(rule.value) }
        return .unmatched(fallback)
    }

    /// Applies the map to the record; returns the unmatched value, if the value matched no
    /// rule (a value of the contract's own matched none, but needs none).
    func apply(to r: inout EditedRecord) -> ArraySlice<UInt8>? {
        guard let v = r.value(field) else { return nil }
        let folded = String(decoding: v, as: UTF8.self).lowercased()
        switch apply(folded: folded) {
        case .mapped(let value):
            r.replace(field, with: value)
            return nil
        case .unmatched(let fallback):
            // A value of the contract's own needs no rule, and no default rewrites it; in another
            // case it is the contract's word, as rules compare (`Andre` was a category of its own).
            if contractValues.contains(folded) {
                if !v.elementsEqual(folded.utf8) { r.replace(field, with: Array(folded.utf8)) }
                return nil
            }
            switch fallback {
            case .keep: break
            case .empty: r.replace(field, with: nil)
            case .value(let text): r.replace(field, with: Array(text.utf8))
            }
            return v
        }
    }
}

/// A source's row filter ready to apply, its columns found after the contract's fields.
struct RowSelection {
    private let keep: [(column: Int, values: Set<String>)]
    private let skip: [(column: Int, values: Set<String>)]

    /// `first`: the index in `SourceRecord.columns` of the filter's first column.
    init?(_ filter: PipelineConfig.RowFilter?, first: Int) {
        guard let filter else { return nil }
        func conditions(_ list: [PipelineConfig.RowFilter.Condition], from: Int) -> [(Int, Set<String>)] {
            list.enumerated().map { (from + $0.offset, Set($0.element.values.map(ValueMapping.fold))) }
        }
        keep = conditions(filter.keep, from: first)
        skip = conditions(filter.skip, from: first + filter.keep.count)
    }

    func accepts(_ r: SourceRecord) -> Bool {
        func value(_ i: Int) -> String { r.value(i).map { String(decoding: $0, as: UTF8.self).lowercased() } ?? "" }
        return keep.allSatisfy { $0.values.contains(value($0.column)) } && !skip.contains { $0.values.contains(value($0.column)) }
    }
}

/// The fields of closed vocabulary (`ContractVocabulary`) that no value map rewrites: a value
/// outside the contract's is passed on as written, so it becomes a category of its own in
/// analysts' views (free text in `kilde`, a name, say). Each is noted for the steward's
/// warning. Every case event asks: the words lie in one buffer, compared by length, then bytes.
struct VocabularyCheck {
    /// Per field checked: its index and its words' range in `words`.
    private let checked: [(field: Int, words: Range<Int>)]
    /// Each word's place in `bytes`.
    private let words: [(offset: Int, count: Int)]
    private let bytes: [UInt8]

    init(fields: [String], mapped: Set<String>) {
        var checked: [(Int, Range<Int>)] = [], words: [(Int, Int)] = [], bytes: [UInt8] = []
        for (i, name) in fields.enumerated() {
            // An event type outside the contract's is rejected by its validator instead.
            guard name != "haendelse", !mapped.contains(name), let vocabulary = ContractVocabulary.values[name] else { continue }
            let first = words.count
            for word in vocabulary.sorted() {
                words.append((bytes.count, word.utf8.count))
                bytes += word.utf8
            }
            checked.append((i, first..<words.count))
        }
        self.checked = checked; self.words = words; self.bytes = bytes
    }

    @inline(__always)
    func check(_ r: SourceRecord, _ outside: (Int, ArraySlice<UInt8>) -> Void) {
        for k in checked.indices {
            let c = checked[k]
            guard let v = r.value(c.field), !contains(v, c.words) else { continue }
            outside(c.field, Array(v)[...])
        }
    }

    private func contains(_ v: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        bytes.withUnsafeBytes { b in
            for k in range where words[k].count == v.count {
                if memcmp(b.baseAddress! + words[k].offset, v.baseAddress!, v.count) == 0 { return true }
            }
            return false
        }
    }
}

import Datasets
import XCTest

/// Comparison answers checked by parsing every number of the question as an exact fraction.
final class MathComparisonTests: XCTestCase {
    let num = "(-?[0-9./]+)"

    func testPairAnswersCompareCorrectly() {
        let relations: [String: (Q, Q) -> Bool] = [
            "less than": { $0 < $1 }, "smaller than": { $0 < $1 }, "greater than": { $0 > $1 },
            "bigger than": { $0 > $1 }, "at least": { $0 >= $1 }, "at most": { $0 <= $1 },
        ]
        var kinds = Set<String>()
        checkEvery("comparison__pair") { p in
            let q = p.question
            if let c = captures("Which is (greater|bigger|smaller): \(num) or \(num)\\?", q) {
                let a = try parseNumber(c[1]), b = try parseNumber(c[2])
                try expect(a != b, "equal values in a which-is question")
                let want = (c[0] == "smaller") == (a < b) ? c[1] : c[2]
                try expect(p.answer == want, "expected \(want)")
            } else if let c = captures("Is \(num) (less than|smaller than|greater than|bigger than|at least|at most) \(num)\\?", q) {
                let truth = relations[c[1]]!(try parseNumber(c[0]), try parseNumber(c[2]))
                try expect(p.answer == (truth ? "True" : "False"), "expected \(truth)")
            } else if let c = captures("Are \(num) and \(num) equal\\?", q) {
                let truth = try parseNumber(c[0]) == parseNumber(c[1])
                try expect(p.answer == (truth ? "True" : "False"), "expected \(truth)")
            } else { throw CheckError("unknown form") }
            for part in q.split(separator: " ") where part.contains("/") { kinds.insert("fraction") }
            for part in q.split(separator: " ") where part.contains(".") && part.dropLast().contains(".") { kinds.insert("decimal") }
        }
        XCTAssertEqual(kinds, ["fraction", "decimal"], "pairs should mix fractions and decimals")
    }

    func testSortAnswersAreSortedPermutations() {
        checkEvery("comparison__sort") { p in
            guard let c = captures("(?:Sort|Put) (.+?)(?: in (ascending|descending|increasing|decreasing) order)?\\.", p.question) else {
                throw CheckError("unknown form")
            }
            let items = c[0].components(separatedBy: ", ")
            let descending = c[1] == "descending" || c[1] == "decreasing"
            let values = try items.map { ($0, try parseNumber($0)) }
            try expect(Set(values.map(\.1)).count == items.count, "values not distinct")
            let want = values.sorted { descending ? $0.1 > $1.1 : $0.1 < $1.1 }.map(\.0).joined(separator: ", ")
            try expect(p.answer == want, "expected \(want)")
        }
    }

    func testKthBiggestPicksTheRightRank() {
        let ordinals = ["second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
                        "ninth": 9, "tenth": 10]
        checkEvery("comparison__kth_biggest") { p in
            guard let c = captures("(?:What|Which) is the (?:(\\w+) )?(biggest|smallest) value in (.+)\\?", p.question) else {
                throw CheckError("unknown form")
            }
            let k = c[0].isEmpty ? 1 : ordinals[c[0]]!
            let items = try c[2].components(separatedBy: ", ").map { ($0, try parseNumber($0)) }
            try expect(k <= items.count, "rank beyond the list")
            let ranked = items.sorted { c[1] == "biggest" ? $0.1 > $1.1 : $0.1 < $1.1 }
            try expect(p.answer == ranked[k - 1].0, "expected \(ranked[k - 1].0)")
        }
    }
}

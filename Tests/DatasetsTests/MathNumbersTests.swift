import Datasets
import Foundation
import XCTest

/// Number-theory answers checked by the tests' own Euclid, trial division, digit reading,
/// rounding bounds and base parsing.
final class MathNumbersTests: XCTestCase {
    func euclid(_ a: Int, _ b: Int) -> Int { b == 0 ? abs(a) : euclid(b, a % b) }

    func testGCDMatchesEuclid() {
        checkEvery("numbers__gcd") { p in
            guard let c = captures(".* of (\\d+) and (\\d+)[.?]", p.question) else { throw CheckError("unknown form") }
            try expect(p.answer == "\(euclid(Int(c[0])!, Int(c[1])!))", "Euclid disagrees")
        }
    }

    func testLCMIsTheLeastCommonMultiple() {
        checkEvery("numbers__lcm") { p in
            let a: Int, b: Int
            if let c = captures(".* common multiple of (\\d+) and (\\d+)[.?]", p.question) {
                (a, b) = (Int(c[0])!, Int(c[1])!)
            } else if let c = captures(".* common denominator of (-?\\d+)/(\\d+) and (-?\\d+)/(\\d+)[.?]", p.question) {
                try expect(euclid(Int(c[0])!, Int(c[1])!) == 1 && euclid(Int(c[2])!, Int(c[3])!) == 1, "fractions not in lowest terms")
                (a, b) = (Int(c[1])!, Int(c[3])!)
            } else { throw CheckError("unknown form") }
            let l = Int(p.answer)!
            try expect(l % a == 0 && l % b == 0, "not a common multiple")
            try expect(l == a / euclid(a, b) * b, "not the least")
        }
    }

    func testDivRemainderByDivisionIdentity() {
        checkEvery("numbers__div_remainder") { p in
            guard let c = captures(".* remainder when (\\d+) is divided by (\\d+)[.?]", p.question) else { throw CheckError("unknown form") }
            let a = Int(c[0])!, b = Int(c[1])!, r = Int(p.answer)!
            try expect(r >= 0 && r < b && (a - r) % b == 0, "not the remainder")
        }
    }

    func trialDivisionIsPrime(_ n: Int) -> Bool {
        guard n >= 2 else { return false }
        var f = 2
        while f * f <= n { if n % f == 0 { return false }; f += 1 }
        return true
    }

    func testIsPrimeMatchesTrialDivision() {
        var primes = 0, total = 0
        checkEvery("numbers__is_prime") { p in
            guard let c = captures("Is (\\d+) (a prime number|prime|composite|a composite number)\\?", p.question) else { throw CheckError("unknown form") }
            let n = Int(c[0])!, prime = trialDivisionIsPrime(n)
            let truth = c[1].contains("composite") ? (!prime && n > 1) : prime
            try expect(p.answer == (truth ? "True" : "False"), "trial division says \(truth)")
            total += 1; if prime { primes += 1 }
        }
        XCTAssertGreaterThan(primes, total / 4, "about half the questions should be about primes")
    }

    func testIsFactorByDivisibility() {
        checkEvery("numbers__is_factor") { p in
            let a: Int, b: Int
            if let c = captures("Is (\\d+) a factor of (\\d+)\\?", p.question) ?? captures("Does (\\d+) divide (\\d+)\\?", p.question) {
                (a, b) = (Int(c[0])!, Int(c[1])!)
            } else if let c = captures("Is (\\d+) a multiple of (\\d+)\\?", p.question) {
                (a, b) = (Int(c[1])!, Int(c[0])!)
            } else { throw CheckError("unknown form") }
            try expect(p.answer == (b % a == 0 ? "True" : "False"), "divisibility")
        }
    }

    func testPlaceValueReadsTheDigitFromTheText() {
        let places = ["units", "tens", "hundreds", "thousands", "ten thousands", "hundred thousands", "millions",
                      "ten millions", "hundred millions"]
        checkEvery("numbers__place_value") { p in
            guard let c = captures("What is the (.+) digit of (\\d+)\\?", p.question), let k = places.firstIndex(of: c[0]) else {
                throw CheckError("unknown form")
            }
            let digits = Array(c[1].reversed())
            try expect(k < digits.count, "place beyond the number")
            try expect(p.answer == String(digits[k]), "digit \(digits[k])")
        }
    }

    func testRoundNumberIsTheNearestMultiple() {
        let powers = ["integer": 0, "ten": 1, "one hundred": 2, "one thousand": 3, "ten thousand": 4,
                      "one hundred thousand": 5, "one million": 6, "ten million": 7]
        let words = ["zero", "one", "two", "three", "four", "five", "six", "seven"]
        checkEvery("numbers__round_number") { p in
            let x: Q, unit: Q
            if let c = captures("(?:Round|What is) (-?[0-9.]+) (?:rounded )?to the nearest (.+)[.?]", p.question), let k = powers[c[1]] ?? (Int(c[1]).map { String($0).count - 1 }) {
                x = try parseNumber(c[0]); unit = try Q(Int(pow(10, Double(k))))
            } else if let c = captures("(?:Round|What is) (-?[0-9.]+) (?:rounded )?to (\\w+) (?:decimal places?|dps?)[.?]", p.question) {
                guard let k = Int(c[1]) ?? words.firstIndex(of: c[1]) else { throw CheckError("bad count \(c[1])") }
                x = try parseNumber(c[0]); unit = try Q(1, Int(pow(10, Double(k))))
            } else { throw CheckError("unknown form") }
            let a = try parseNumber(p.answer)
            try expect(try (a / unit).isInteger, "not a multiple of \(unit)")
            let gap = try a - x, half = try unit / Q(2)
            try expect(try gap < half && Q(0) - gap < half, "not the nearest multiple")
            try checkDecimalFormat(p.answer)
        }
    }

    func parse(_ text: String, base: Int) throws -> Int {
        let negative = text.hasPrefix("-")
        var v = 0
        for ch in text.dropFirst(negative ? 1 : 0) {
            guard let d = "0123456789abcdefghijklmnopqrstuvwxyz".firstIndex(of: ch).map({
                "0123456789abcdefghijklmnopqrstuvwxyz".distance(from: "0123456789abcdefghijklmnopqrstuvwxyz".startIndex, to: $0)
            }), d < base else { throw CheckError("digit \(ch) not in base \(base)") }
            v = v * base + d
        }
        return negative ? -v : v
    }

    func testBaseConversionKeepsTheValue() {
        checkEvery("numbers__base_conversion") { p in
            guard let c = captures("(?:What is |Convert )?(-?[0-9a-z]+) \\(base (\\d+)\\) (?:in|to) base (\\d+)[.?]?", p.question) else {
                throw CheckError("unknown form")
            }
            let from = Int(c[1])!, to = Int(c[2])!
            try expect(from != to, "same base")
            try expect(try parse(c[0], base: from) == parse(p.answer, base: to), "values differ")
            let digits = p.answer.hasPrefix("-") ? String(p.answer.dropFirst()) : p.answer
            try expect(digits == "0" || !digits.hasPrefix("0"), "leading zero")
        }
    }
}

import Foundation
import Tokenizers
import XCTest

/// Byte-level BPE: the byte alphabet, training on hand-worked corpora, encoding, round trips.
final class ByteBPETests: XCTestCase {
    func testByteLevelAlphabetMatchesGPT2() {
        // Values from GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest in
        // byte order from U+0100: 0x00 → Ā (U+0100), '\t' → ĉ (U+0109), '\n' → Ċ (U+010A),
        // ' ' → Ġ (U+0120), 0x7F → ġ (U+0121), 0xAD → Ń (U+0143).
        let t = ByteLevelAlphabet.scalarForByte
        XCTAssertEqual(t[0x00], 0x100); XCTAssertEqual(t[0x09], 0x109); XCTAssertEqual(t[0x0A], 0x10A)
        XCTAssertEqual(t[0x20], 0x120); XCTAssertEqual(t[0x7F], 0x121); XCTAssertEqual(t[0xAD], 0x143)
        XCTAssertEqual(t[0x41], 0x41); XCTAssertEqual(t[0xFF], 0xFF); XCTAssertEqual(t[0xA0], 0x142)
        XCTAssertEqual(Set(t).count, 256)
        XCTAssertEqual(ByteLevelAlphabet.string(for: Array(" the\n".utf8)), "ĠtheĊ")
        let all = (0..<256).map { UInt8($0) }
        XCTAssertEqual(ByteLevelAlphabet.bytes(of: ByteLevelAlphabet.string(for: all)), all)
        XCTAssertNil(ByteLevelAlphabet.bytes(of: "€"))
    }

    func testTrainingMergesMostFrequentPairFirstWithTiesToSmallerIds() throws {
        // One piece "aaabdaaabac": pairs aa ×4 → merge (a,a) = 256; then "aa a b d aa a b a c"
        // has (aa,a) ×2 and (a,b) ×2: the tie goes to the smaller key (a,b) = 257; then
        // (aa,ab) ×2 = 258 "aaab".
        let bpe = ByteBPE.train(on: Array("aaabdaaabac".utf8), vocabSize: 259)
        let a = 97, b = 98
        XCTAssertEqual(bpe.merges, [
            .init(left: a, right: a, merged: 256),
            .init(left: a, right: b, merged: 257),
            .init(left: 256, right: 257, merged: 258),
        ])
        XCTAssertEqual(bpe.tokenBytes[258], Array("aaab".utf8))
        XCTAssertEqual(bpe.encode("aaabdaaabac"), [258, Int(UInt8(ascii: "d")), 258, a, Int(UInt8(ascii: "c"))])
    }

    func testTrainingCountsPiecesNotCrossingWordBoundaries() {
        // " ab ab ab" pieces are " ab" ×3: the pair (' ', a) and (a, b) each occur 3 times,
        // (b, ' ') never does because pieces split before the space.
        let counts = ByteBPE.countPieces(Array(" ab ab ab".utf8))
        XCTAssertEqual(counts, [Array(" ab".utf8): 3])
        let bpe = ByteBPE.train(on: Array(" ab ab ab".utf8), vocabSize: 1000)
        XCTAssertEqual(bpe.vocabSize, 258, "only two merges are possible")
        XCTAssertEqual(bpe.tokenBytes[257], Array(" ab".utf8))
    }

    func testEncodingAppliesMergesInRankOrder() throws {
        // Hand-built: merge 0 is (b,c) and merge 1 is (a,b). "abc" → a + bc, because (b,c) ranks first,
        // even though (a,b) comes earlier in the text.
        var tokens = (0..<256).map { [UInt8($0)] }
        tokens.append(Array("bc".utf8)); tokens.append(Array("ab".utf8))
        let bpe = try ByteBPE(tokenBytes: tokens, byteTokens: Array(0..<256), merges: [
            .init(left: 98, right: 99, merged: 256), .init(left: 97, right: 98, merged: 257),
        ])
        XCTAssertEqual(bpe.encode("abc"), [97, 256])
        XCTAssertEqual(bpe.encode("abab"), [257, 257])
        XCTAssertEqual(bpe.encode("abc abc"), [97, 256, 32, 97, 256])
    }

    func testInconsistentTablesAreRejected() {
        var tokens = (0..<256).map { [UInt8($0)] }
        tokens.append(Array("xy".utf8))
        XCTAssertThrowsError(try ByteBPE(tokenBytes: tokens, byteTokens: Array(0..<256),
                                         merges: [.init(left: 97, right: 98, merged: 256)])) { e in
            XCTAssertTrue("\(e)".contains("merge 0"), "\(e)")
        }
    }

    func testAnyByteStringRoundTripsIncludingInvalidUTF8() throws {
        let bpe = ByteBPE.train(on: try sampleBytes(), vocabSize: 400)
        var generator = LCG(seed: 7)
        for length in [0, 1, 2, 3, 17, 300, 4096] {
            for _ in 0..<5 {
                let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next() >> 33) }
                XCTAssertEqual(bpe.decode(bpe.encode(bytes: bytes)), bytes)
            }
        }
        let tricky: [[UInt8]] = [
            [0xFF, 0xFE, 0x20, 0x61], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
            [0xC0, 0xAF], [0x27, 0x73, 0xC3, 0xA9], Array("don't stop\r\n\t ".utf8) + [0x80, 0x20, 0x20],
        ]
        for bytes in tricky { XCTAssertEqual(bpe.decode(bpe.encode(bytes: bytes)), bytes, "\(bytes)") }
        let text = String(decoding: try sampleBytes(), as: UTF8.self)
        XCTAssertEqual(bpe.decodeText(bpe.encode(text)), text)
    }

    func testEncodingCompressesTheTrainingText() throws {
        let sample = try sampleBytes()
        let bpe = ByteBPE.train(on: sample, vocabSize: 512)
        let ids = bpe.encode(bytes: sample)
        XCTAssertLessThan(Double(ids.count), Double(sample.count) / 2.0, "256 merges should halve a 5 KB English text")
        XCTAssertTrue(ids.allSatisfy { (0..<512).contains($0) })
    }

    func testTrainingTheSampleReproducesTheCommittedTokenizerFile() throws {
        let bpe = ByteBPE.train(on: try sampleBytes(), vocabSize: 512)
        let committed = try String(contentsOf: samplesDir.appendingPathComponent("sample-bpe512.tokenizer.json"), encoding: .utf8)
        XCTAssertEqual(bpe.huggingFaceJSON(), committed)
    }

    func testSaveAndLoadGiveTheSameTokenizer() throws {
        let bpe = ByteBPE.train(on: try sampleBytes(), vocabSize: 450)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bpe-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try bpe.save(to: url)
        let loaded = try ByteBPE.load(from: url)
        XCTAssertEqual(loaded.tokenBytes, bpe.tokenBytes)
        XCTAssertEqual(loaded.merges, bpe.merges)
        let text = "It is a truth universally acknowledged, that a \"single\" man\\woman…"
        XCTAssertEqual(loaded.encode(text), bpe.encode(text))
    }

    func testLoadErrorsNameTheFileAndTheProblem() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bpe-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(String, String)] = [
            ("not json", "not a JSON object"),
            (#"{"model": {"type": "WordPiece"}}"#, "expected BPE"),
            (#"{"pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}}"#,
             "lacks the single-byte token"),
        ]
        for (i, (json, expected)) in cases.enumerated() {
            let url = dir.appendingPathComponent("bad\(i).json")
            try Data(json.utf8).write(to: url)
            XCTAssertThrowsError(try ByteBPE.load(from: url)) { e in
                XCTAssertTrue("\(e)".contains("bad\(i).json") && "\(e)".contains(expected), "\(e)")
            }
        }
    }
}

/// A tiny linear congruential generator so the test's random bytes are the same on every run.
struct LCG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state }
}

let samplesDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("datasets/samples/text")

func sampleBytes() throws -> [UInt8] {
    [UInt8](try Data(contentsOf: samplesDir.appendingPathComponent("english-sample.txt")))
}

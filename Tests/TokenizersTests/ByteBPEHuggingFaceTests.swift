import Foundation
import Tokenizers
import XCTest

/// Parity with Python's `tokenizers`: the fixture `datasets/samples/text/hf-parity.json` holds the
/// pieces and ids that `tokenizers` gives with `sample-bpe512.tokenizer.json` (written by our
/// trainer); regenerate it with `tools/text/hf_fixture.py`.
final class ByteBPEHuggingFaceTests: XCTestCase {
    struct Fixture: Decodable {
        struct Case: Decodable { var text: String; var pieces: [String]; var ids: [Int] }
        var tokenizer: String
        var cases: [Case]
    }

    private func fixture() throws -> Fixture {
        try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: samplesDir.appendingPathComponent("hf-parity.json")))
    }

    func testPreTokenizerPiecesMatchHuggingFace() throws {
        let f = try fixture()
        XCTAssertGreaterThan(f.cases.count, 10)
        for c in f.cases {
            let ours = GPT2PreTokenizer.pieces(of: Array(c.text.utf8)).map(ByteLevelAlphabet.string(for:))
            XCTAssertEqual(ours, c.pieces, "text: \(c.text.debugDescription)")
        }
    }

    func testIdsMatchHuggingFaceTokenizers() throws {
        let f = try fixture()
        let bpe = try ByteBPE.load(from: samplesDir.appendingPathComponent(f.tokenizer))
        XCTAssertEqual(bpe.vocabSize, 512)
        for c in f.cases {
            XCTAssertEqual(bpe.encode(c.text), c.ids, "text: \(c.text.debugDescription)")
            XCTAssertEqual(bpe.decodeText(c.ids), c.text)
        }
    }
}

import XCTest
import Datasets
import RunFiles
import Tokenizers
import Training
import WorkbenchCore

/// `data.blank_share`: the share of pair training records whose first part the trainer blanks.
final class PairBlankingTests: XCTestCase {
    /// `n` records of a 2×2 pair tokenizer (12 image values, 4 caption bytes), both orders, none blanked.
    func pairSplit(_ n: Int, storedBlank: Double = 0) -> (TokenSplit, ShardManifest, PairTokenizer) {
        let tok = PairTokenizer(resolution: 2, captionLength: 4)
        var rng = SeededRNG(seed: 3)
        var toks: [UInt16] = [], mask: [UInt8] = []
        for i in 0..<n {
            var img = RGBImage(width: 2, height: 2, fill: (UInt8(i % 200), 8, 16))
            img.pixels[0] = UInt8(i % 7)
            let r = tok.record(caption: "c\(i % 10)", image: img, order: i % 2 == 0 ? .captionFirst : .imageFirst,
                               counted: .both, blankFirst: rng.nextDouble() < storedBlank)
            toks += r.tokens; mask += r.mask
        }
        let m = ShardManifest(name: "pairs", modality: "pair", tokenizer: tok.name, vocabSize: PairTokenizer.vocabSize, layout: .records,
                              recordLength: tok.recordLength, splits: [:], source: "test",
                              extra: ["caption_length": "4", "blank_fraction_train": "\(storedBlank)"])
        return (TokenSplit(tokens: toks, mask: mask), m, tok)
    }

    func testShareOfBlankedRecordsAndTheirTokensAndWeights() throws {
        let (split, m, tok) = pairSplit(2_000)
        let T = tok.recordLength - 1
        var s = try BatchSampler(split: split, nCtx: T, layout: .records, seed: 1)
        s.blanking = try PairBlanking(manifest: m, share: 0.5, seed: 11)
        let b = s.next(batchSize: 2_000)
        var blanked = 0
        for r in 0..<2_000 {
            let row = Array(b.inputs[(r * T)..<((r + 1) * T)]), t = Array(b.targets[(r * T)..<((r + 1) * T)])
            let w = Array(b.weights[(r * T)..<((r + 1) * T)])
            let first = row[0] == Int32(PairTokenizer.captionFirstStart) ? tok.captionLength : tok.imageTokens
            if row[1] == Int32(PairTokenizer.blank) {
                blanked += 1
                XCTAssertTrue(row[1...first].allSatisfy { $0 == Int32(PairTokenizer.blank) })
                XCTAssertTrue(t[0..<first].allSatisfy { $0 == Int32(PairTokenizer.blank) })
                XCTAssertTrue(w[0..<first].allSatisfy { $0 == 0 }, "a blanked part never counts")
                XCTAssertTrue(w[first...].allSatisfy { $0 == 1 }, "the second part still counts")
                XCTAssertFalse(row[(first + 1)...].contains(Int32(PairTokenizer.blank)))
            } else {
                XCTAssertTrue(w.allSatisfy { $0 == 1 })
            }
        }
        // 2000 records at 1/2: 4 standard deviations are ±89.
        XCTAssertEqual(Double(blanked), 1_000, accuracy: 90)
        // Each record's choice depends on (seed, epoch, record) only: the same after a seek.
        var again = try BatchSampler(split: split, nCtx: T, layout: .records, seed: 1)
        again.blanking = s.blanking
        again.seek(epoch: 0, index: 1_000)
        var whole = try BatchSampler(split: split, nCtx: T, layout: .records, seed: 1)
        whole.blanking = s.blanking
        _ = whole.next(batchSize: 1_000)
        XCTAssertEqual(again.next(batchSize: 50).inputs, whole.next(batchSize: 50).inputs)
    }

    func testRecordsStoredBlankCountTowardTheShare() throws {
        let (split, m, tok) = pairSplit(3_000, storedBlank: 0.1)
        let T = tok.recordLength - 1
        let b0 = try XCTUnwrap(PairBlanking(manifest: m, share: 0.5, seed: 2))
        XCTAssertEqual(b0.probability, 0.4 / 0.9, accuracy: 1e-12)
        var s = try BatchSampler(split: split, nCtx: T, layout: .records, seed: 1)
        s.blanking = b0
        let b = s.next(batchSize: 3_000)
        let blanked = (0..<3_000).filter { b.inputs[$0 * T + 1] == Int32(PairTokenizer.blank) }.count
        XCTAssertEqual(Double(blanked) / 3_000, 0.5, accuracy: 4 * (0.25 / 3_000).squareRoot())
        // A share below what the dataset stores cannot be had: a clear error.
        XCTAssertThrowsError(try PairBlanking(manifest: m, share: 0.05, seed: 2)) { XCTAssertTrue("\($0)".contains("data.blank_share"), "\($0)") }
    }

    func testOtherDatasetsRefuseAShareButIgnoreTheDefault() throws {
        let m = ShardManifest(name: "img", modality: "image", tokenizer: "image-rgb-8", vocabSize: 257, layout: .records,
                              recordLength: 193, splits: [:], source: "test")
        XCTAssertNil(try PairBlanking(manifest: m, share: TrainConfig.DataSection.defaultBlankShare, seed: 1))
        XCTAssertThrowsError(try PairBlanking(manifest: m, share: 0.2, seed: 1)) { XCTAssertTrue("\($0)".contains("image–caption"), "\($0)") }
        var c = TrainConfig()
        c.data.blankShare = 1.5
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("data.blank_share"), "\($0)") }
        // Written to config.toml only when it differs from the default (older configs keep their hash).
        XCTAssertNil(TrainConfig().savedConfig().value("data.blank_share"))
        c.data.blankShare = 0.25
        XCTAssertEqual(c.savedConfig().value("data.blank_share"), "0.25")
    }
}

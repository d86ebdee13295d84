import Datasets
import Foundation
import Tokenizers
import XCTest
import WorkbenchCore

final class PaletteShardsTests: XCTestCase {
    func testWritesPaletteBesideShardsAndTokensDecodeToPaletteColours() throws {
        let src = try SyntheticImageSource(resolution: 8, grid: 2, shapes: [.square, .circle, .triangle], noiseProbabilities: [1])
        var rng = SeededRNG(seed: 3)
        let images = (0..<30).map { _ in src.render(src.sampleScene(&rng)) }
        let dir = ImageSampleFiles.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let m = try PaletteShards.write(name: "p", train: Array(images[5...]), test: Array(images[..<5]), resolution: 8,
                                        colours: 16, seed: 1, source: "test", to: dir)
        XCTAssertEqual(m.tokenizerFile, "palette.json")
        XCTAssertEqual(m.vocabSize, 17)
        XCTAssertEqual(m.recordLength, 65)
        let tok = try PaletteTokenizer.load(from: dir.appendingPathComponent("palette.json"))
        let ds = try TokenDataset.load(from: dir)
        // The images hold at most 8 colours, so a 16-colour palette reproduces them exactly.
        for i in 0..<5 {
            let rec = Array(ds.splits["test"]!.tokens[(65 * i)..<(65 * (i + 1))])
            XCTAssertEqual(rec[0], 16)
            XCTAssertEqual(try tok.decode(rec), images[i])
        }
    }
}

import XCTest
import Datasets
import Tokenizers
import RunFiles
import Training
import Transformer

final class ImageSamplingTests: XCTestCase {
    /// A random image model for 4×4 RGB images (48 tokens after the start token).
    func model(vocab: Int = ImageTokenizer.vocabSize, nCtx: Int = 48) -> GPT {
        GPT(config: GPTConfig(nLayer: 1, dModel: 16, nHead: 2, nCtx: nCtx, vocabSize: vocab, mlpWidth: 16, attnWidth: 8), seed: 5)
    }

    func testCompletionKeepsTheGivenTopHalfExactly() throws {
        let format = ImageRecordFormat(kind: .rgb(ImageTokenizer(resolution: 4)))
        let s = try ImageSampling(model: model(), format: format)
        var img = RGBImage(width: 4, height: 4, fill: (10, 200, 30))
        img[1, 1] = (7, 8, 9); img[3, 0] = (250, 0, 1)
        let tokens = ImageTokenizer(resolution: 4).encode(img).map(Int32.init)
        var sampler = Sampler(temperature: 1, seed: 3)
        let done = try s.completions(prefix: format.prefix(caption: nil), image: tokens, count: 3, sampler: &sampler)
        XCTAssertEqual(done.count, 3)
        for c in done {
            XCTAssertEqual(c.width, 4); XCTAssertEqual(c.height, 4)
            XCTAssertEqual(Array(c.pixels.prefix(24)), Array(img.pixels.prefix(24)))   // rows 0 and 1, exactly
        }
        // Drawn bottoms differ between completions (a random model at temperature 1).
        XCTAssertNotEqual(done[0].pixels.suffix(24), done[1].pixels.suffix(24))
        XCTAssertEqual(s.topHalf(img).pixels.suffix(24), ArraySlice(repeating: 128, count: 24))
    }

    func testPaletteCompletionsDrawPaletteIndicesOnly() throws {
        let palette = PaletteTokenizer(colours: [0, 0, 0, 255, 0, 0, 0, 255, 0, 255, 255, 255], resolution: 4)
        let format = ImageRecordFormat(kind: .palette(palette))
        XCTAssertEqual(format.imageTokens, 16); XCTAssertEqual(format.allowedTokens, 4); XCTAssertEqual(format.prefix(caption: nil), [4])
        let s = try ImageSampling(model: model(vocab: 5, nCtx: 16), format: format)
        let given: [Int32] = [1, 2, 3, 0, 0, 1, 2, 3] + [Int32](repeating: 0, count: 8)
        var sampler = Sampler(temperature: 1, seed: 4)
        for c in try s.completions(prefix: [4], image: given, count: 4, sampler: &sampler) {
            XCTAssertEqual(Array(c.pixels.prefix(24)), try palette.decode(given.map { UInt16($0) }).pixels.prefix(24).map { $0 })
            let colours = Set((0..<4).map { Array(palette.colours[(3 * $0)..<(3 * $0 + 3)]) })
            for p in 0..<16 { XCTAssertTrue(colours.contains(Array(c.pixels[(3 * p)..<(3 * p + 3)]))) }
        }
    }

    func testSamplesMatchDrawingWithoutTheSharedPrefixCache() throws {
        // Each sample rewinds the cache to the prefix: the same draws as generating from scratch.
        let gpt = model(), format = ImageRecordFormat(kind: .rgb(ImageTokenizer(resolution: 4)))
        var a = Sampler(temperature: 1, seed: 11), b = Sampler(temperature: 1, seed: 11)
        let drawn = try ImageSampling(model: gpt, format: format).samples(count: 2, caption: nil, sampler: &a)
        for img in drawn {
            let tokens = try b.generate(model: gpt, prompt: [256], count: 48, allowed: 256)
            XCTAssertEqual(img.pixels.map(Int32.init), tokens)
        }
    }

    func testFormatsFromManifestsAndTestImages() throws {
        let tok = PairTokenizer(resolution: 2, captionLength: 4)
        let img = RGBImage(width: 2, height: 2, fill: (1, 2, 3))
        let ds = PairShards.dataset(name: "p", tokenizer: tok, train: [.init(caption: "ab", image: img)],
                                    test: [.init(caption: "cd", image: img), .init(caption: "ef", image: img)], seed: 1, source: "test")
        let format = try ImageRecordFormat(dataset: ds, folder: nil)
        XCTAssertTrue(format.hasCaption)
        XCTAssertEqual(format.resolution, 2); XCTAssertEqual(format.imageTokens, 12); XCTAssertEqual(format.allowedTokens, 256)
        XCTAssertEqual(format.prefix(caption: "hi"), [512, 256 + 104, 256 + 105, 515, 515])
        XCTAssertEqual(format.prefix(caption: nil), [512, 514, 514, 514, 514])
        let tests = try format.testImages(ds, count: 5)
        XCTAssertEqual(tests.count, 2)
        XCTAssertEqual(tests[0].prefix, [512, 256 + 99, 256 + 100, 515, 515])
        XCTAssertEqual(try format.image(tests[1].image), img)
        // A caption-first model draws from a caption; the model must cover the whole record.
        XCTAssertThrowsError(try ImageSampling(model: model(vocab: 516, nCtx: 10), format: format))
        var sampler = Sampler(temperature: 1, seed: 2)
        let fromCaption = try ImageSampling(model: model(vocab: 516, nCtx: 16), format: format).samples(count: 2, caption: "x", sampler: &sampler)
        XCTAssertEqual(fromCaption.map(\.width), [2, 2])
        let rgb = ImageShards.dataset(name: "i", tokenizer: ImageTokenizer(resolution: 8), train: [], test: [], source: "t")
        XCTAssertEqual(try ImageRecordFormat(dataset: rgb, folder: nil).prefix(caption: nil), [256])
        let text = TokenDataset.bytes(name: "t", train: [1], test: [1], source: "t")
        XCTAssertThrowsError(try ImageRecordFormat(dataset: text, folder: nil))
    }

    /// `fashion-mnist-gray`'s records: start token, then one gray value per pixel.
    func testGrayRecordsDecodeToGrayImages() throws {
        let manifest = ShardManifest(name: "g", modality: "image", tokenizer: "image-gray-2", vocabSize: 257, layout: .records,
                                     recordLength: 5, splits: ["test": .init(tokens: 10, sequences: 2)], source: "t")
        let ds = TokenDataset(manifest: manifest, splits: ["test": TokenSplit(tokens: [256, 0, 255, 10, 20, 256, 1, 2, 3, 4])])
        let format = try ImageRecordFormat(dataset: ds, folder: nil)
        XCTAssertEqual([format.resolution, format.tokensPerRow, format.imageTokens, format.allowedTokens], [2, 2, 4, 256])
        XCTAssertEqual(format.prefix(caption: nil), [256])
        let tests = try format.testImages(ds, count: 2)
        XCTAssertEqual(tests.map(\.image), [[0, 255, 10, 20], [1, 2, 3, 4]])
        XCTAssertEqual(try format.image(tests[0].image), RGBImage(width: 2, height: 2, pixels: [0, 0, 0, 255, 255, 255, 10, 10, 10, 20, 20, 20]))
        XCTAssertThrowsError(try format.image([1, 2, 3]))
    }
}

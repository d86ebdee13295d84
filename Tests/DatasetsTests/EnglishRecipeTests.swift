import Datasets
import Foundation
import Tokenizers
import XCTest
import WorkbenchCore
import RunFiles

/// Cleaning of the English sources and the BPE shard writing, on the tiny committed sample.
final class EnglishRecipeTests: XCTestCase {
    private let samplesDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("datasets/samples/text")

    func testGutenbergBoilerplateIsStripped() {
        let text = """
        The Project Gutenberg EBook of Hamlet
        *** START OF THIS PROJECT GUTENBERG EBOOK HAMLET ***

        To be, or not to be.
        *** END OF THIS PROJECT GUTENBERG EBOOK HAMLET ***
        License text
        """
        XCTAssertEqual(EnglishTextCleaning.stripGutenbergBoilerplate(text), "To be, or not to be.\n")
        XCTAssertEqual(EnglishTextCleaning.stripGutenbergBoilerplate("No markers here.\n"), "No markers here.\n")
    }

    func testOSISMarkupBecomesPlainText() {
        let osis = #"<w lemma="strong:H0430">God</w><note placement="foot"><reference type="annotateRef">1:1 </reference>The Hebrew word.</note><w lemma="x">created</w> the <w>earth</w><note>n</note>. He said, &quot;Go&quot; <div eID="gen25" type="x-p"/>"#
        XCTAssertEqual(EnglishTextCleaning.plainTextFromOSIS(osis), "God created the earth. He said, \"Go\"")
    }

    func testHeldOutBooksFormTheTestSplit() {
        let books = [EnglishBook(source: "austen", title: "emma", text: "Emma Woodhouse.\n\n\n"),
                     EnglishBook(source: "austen", title: "persuasion", text: "Sir Walter Elliot."),
                     EnglishBook(source: "kjv", title: "John", text: "In the beginning was the Word.\n")]
        let c = EnglishRecipe.split(books, provenance: ["p"])
        XCTAssertEqual(String(decoding: c.train, as: UTF8.self), "Emma Woodhouse.\n\n")
        XCTAssertEqual(String(decoding: c.test, as: UTF8.self), "Sir Walter Elliot.\n\nIn the beginning was the Word.\n\n")
        XCTAssertEqual(c.testBooks, ["austen/persuasion", "kjv/John"])
    }

    func testBPEShardsDecodeToTheCorpusAndCarryTheTokenizer() throws {
        let text = try String(contentsOf: samplesDir.appendingPathComponent("english-sample.txt"), encoding: .utf8)
        let cut = text.index(text.startIndex, offsetBy: 4000)
        let corpus = EnglishRecipe.Corpus(train: Array(text[..<cut].utf8), test: Array(text[cut...].utf8),
                                          provenance: ["sample"], testBooks: ["sample/tail"])
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("english-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let opts = PrepareOptions(dataDir: root, cacheDir: root.appendingPathComponent(".cache"), log: { _ in })
        let m = try EnglishRecipe.prepareBPE(name: "en", corpus: corpus, vocabSize: 400, opts: opts)
        XCTAssertEqual(m.tokenizer, "byte-bpe")
        XCTAssertEqual(m.tokenizerFile, "tokenizer.json")
        XCTAssertEqual(m.vocabSize, 400)
        XCTAssertEqual(m.layout, ShardManifest.Layout.stream)
        let dir = root.appendingPathComponent("en")
        let ds = try TokenDataset.load(from: dir)
        let bpe = try ByteBPE.load(from: dir.appendingPathComponent("tokenizer.json"))
        XCTAssertEqual(bpe.decode(ds.splits["train"]!.tokens.map(Int.init)), corpus.train)
        XCTAssertEqual(bpe.decode(ds.splits["test"]!.tokens.map(Int.init)), corpus.test)
        XCTAssertEqual(bpe.huggingFaceJSON(), ByteBPE.train(on: corpus.train, vocabSize: 400).huggingFaceJSON(),
                       "the tokenizer is trained on the train split only")
        let again = try EnglishRecipe.prepareBPE(name: "en", corpus: corpus, vocabSize: 400, opts: opts)
        XCTAssertEqual(again, m, "preparing again gives the same files")
    }

    func testCatalogListsTheTextDatasets() {
        for name in ["english", "english-bytes", "english-large", "markov-text", "hmm-text", "hmm-text-large", "zipf-memory"] { XCTAssertNotNil(DatasetCatalog.recipe(named: name), name) }
    }
}

/// Failures of the preparation commands say which command failed and why.
final class ExternalCommandTests: XCTestCase {
    func testFailureNamesTheCommandAndQuotesItsErrorOutput() {
        XCTAssertEqual(String(decoding: try ExternalCommand.run("sh", ["-c", "printf ok"]), as: UTF8.self), "ok")
        XCTAssertThrowsError(try ExternalCommand.run("sh", ["-c", "echo broken package >&2; exit 3"])) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("sh -c") && text.contains("exit status 3") && text.contains("broken package"), text)
        }
        XCTAssertThrowsError(try ExternalCommand.run("no-such-program-xyz", [])) { e in
            XCTAssertTrue("\(e)".contains("not installed"), "\(e)")
        }
    }
}

import Datasets
import Foundation
import Tokenizers
import XCTest

/// The readers behind `english-large`, on fixtures synthesised here: GCIDE entries with a dictd
/// index, SWORD zlib blocks with their indexes, WordNet data lines, fortunes, Wikipedia leads;
/// and the recipe's deduplication, document split and convergence rule.
final class ProseFormatsTests: XCTestCase {
    // MARK: GCIDE

    func testDictdBase64NumbersDecode() {
        XCTAssertEqual(GCIDEEntries.decodeNumber("A"), 0)
        XCTAssertEqual(GCIDEEntries.decodeNumber("z"), 51)
        XCTAssertEqual(GCIDEEntries.decodeNumber("BA"), 64)
        XCTAssertEqual(GCIDEEntries.decodeNumber("I79"), 8 * 4096 + 59 * 64 + 61)
        XCTAssertNil(GCIDEEntries.decodeNumber("a-b"))
    }

    /// A dictd index and body holding a database entry, two entries and a second headword that
    /// points at the first entry again.
    func testGCIDEEntriesAreReadOnceEachAndCleaned() throws {
        let header = "00-database-short\n   GCIDE\n\n"
        let allheal = """
        Allheal \\All"heal\\, n.
           A name popularly given to the officinal valerian, and to some
           other plants. See {Valerian}.
           [1913 Webster]

        """
        let alley = """
        Alleyed \\Al"leyed\\, a.
           Furnished with alleys; forming an alley. "An alleyed walk."
           --Sir W. Scott.
           [1913 Webster]

                 The first of April, some do say,
                 Is set apart for All Fools' Day.         --Poor Robin's
           [1913 Webster]

        """
        let body = Array((header + allheal + alley).utf8)
        func b64(_ n: Int) -> String {
            let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
            var n = n, s = ""
            repeat { s = String(alphabet[n % 64]) + s; n /= 64 } while n > 0
            return s
        }
        let h = header.utf8.count, a = allheal.utf8.count, l = alley.utf8.count
        let index = """
        00-database-short\t\(b64(0))\t\(b64(h))
        Allheal\t\(b64(h))\t\(b64(a))
        Alleyed\t\(b64(h + a))\t\(b64(l))
        All-heal\t\(b64(h))\t\(b64(a))

        """
        let entries = try GCIDEEntries.entries(indexText: index, body: body, name: "fixture.index")
        XCTAssertEqual(entries.map(\.headword), ["Allheal", "Alleyed"])
        XCTAssertEqual(GCIDEEntries.plainText(entries[0].text),
                       "Allheal, n. A name popularly given to the officinal valerian, and to some other plants. See Valerian.")
        XCTAssertEqual(GCIDEEntries.plainText(entries[1].text),
                       "Alleyed, a. Furnished with alleys; forming an alley. \"An alleyed walk.\" --Sir W. Scott.\n"
                       + "The first of April, some do say, Is set apart for All Fools' Day. --Poor Robin's")
    }

    func testGCIDEEntitiesDecodeAndBadIndexLinesAreNamed() {
        XCTAssertEqual(GCIDEEntries.plainText("Allhallow eve \\All`hal\"low eve`\\ ([=e]v`).\n   [ae]on [imac]d"),
                       "Allhallow eve (ēv`). æon īd")
        XCTAssertThrowsError(try GCIDEEntries.entries(indexText: "word\tB\tZZZZ\n", body: Array("short".utf8), name: "x.index")) {
            XCTAssertTrue("\($0)".contains("line 1"), "\($0)")
        }
    }

    // MARK: SWORD

    /// A two-block zCom testament: block 0 holds two notes, block 1 one; slot 2 repeats slot 1's
    /// note (a passage note), slot 3 is empty.
    private func swordFixture(fourByte: Bool) throws -> (blockIndex: [UInt8], verseIndex: [UInt8], data: [UInt8]) {
        let block0 = Array("<title>Genesis</title><div sID=\"a\" type=\"x-p\"/>In the beginning.<note>n</note><div eID=\"a\" type=\"x-p\"/>".utf8)
        let note2 = Array("Second <hi type=\"italic\">note</hi> &amp; more.".utf8)
        let block0All = block0 + note2
        let block1 = Array("Psalm 1 OVERVIEW".utf8)
        let z0 = try Zlib.deflate(block0All), z1 = try Zlib.deflate(block1)
        func le(_ v: Int, _ bytes: Int) -> [UInt8] { (0..<bytes).map { UInt8((v >> (8 * $0)) & 0xff) } }
        let blockIndex = le(0, 4) + le(z0.count, 4) + le(block0All.count, 4) + le(z0.count, 4) + le(z1.count, 4) + le(block1.count, 4)
        let sizeBytes = fourByte ? 4 : 2
        let slots: [(Int, Int, Int)] = [(0, 0, block0.count), (0, block0.count, note2.count), (0, block0.count, note2.count),
                                        (0, 0, 0), (1, 0, block1.count)]
        let verseIndex = slots.flatMap { le($0.0, 4) + le($0.1, 4) + le($0.2, sizeBytes) }
        return (blockIndex, verseIndex, z0 + z1)
    }

    func testSwordBlocksInflateIntoEntriesOnceEach() throws {
        for fourByte in [false, true] {
            let f = try swordFixture(fourByte: fourByte)
            // The hint is wrong on purpose for 10-byte entries: the index length decides.
            let entries = try SwordZCom.entries(blockIndex: f.blockIndex, verseIndex: f.verseIndex, data: f.data,
                                                fourByteSizes: true, name: "ot.bzv")
            XCTAssertEqual(entries.map(\.slot), [0, 1, 4], "fourByte \(fourByte)")
            XCTAssertEqual(entries.map(\.block), [0, 0, 1])
            XCTAssertEqual(entries.map { SwordZCom.plainText($0.osis) },
                           ["Genesis\nIn the beginning.", "Second note & more.", "Psalm 1 OVERVIEW"])
        }
    }

    func testTruncatedSwordDataIsNamed() throws {
        let f = try swordFixture(fourByte: false)
        XCTAssertThrowsError(try SwordZCom.entries(blockIndex: f.blockIndex, verseIndex: f.verseIndex,
                                                   data: Array(f.data.dropLast(5)), fourByteSizes: false, name: "ot.bzv")) {
            XCTAssertTrue("\($0)".contains("ot.bzv") && "\($0)".contains("truncated"), "\($0)")
        }
    }

    func testZlibRoundTripsAndRejectsGarbage() throws {
        let text = Array(String(repeating: "Blessed is the man. ", count: 200).utf8)
        XCTAssertEqual(try Zlib.inflate(try Zlib.deflate(text), uncompressedSize: 10, name: "x"), text)
        XCTAssertThrowsError(try Zlib.inflate([1, 2, 3, 4], uncompressedSize: 10, name: "block 7")) {
            XCTAssertTrue("\($0)".contains("block 7"), "\($0)")
        }
    }

    // MARK: WordNet, fortunes, Wikipedia

    func testWordNetLinesBecomeGlossDocuments() {
        XCTAssertNil(WordNetGlosses.document(fromLine: "  1 This software and database is being provided"))
        XCTAssertEqual(WordNetGlosses.document(fromLine: "00976953 04 n 03 foray 0 raid 0 maraud 0 006 @ 00975452 n 0000 | a sudden short attack  "),
                       "foray, raid, maraud: a sudden short attack")
        XCTAssertEqual(WordNetGlosses.document(fromLine: "00001740 00 a 02 able(a) 0 physical_entity 0 000 | (usually followed by `to') having the necessary means; \"able to swim\"  "),
                       "able, physical entity: (usually followed by `to') having the necessary means; \"able to swim\"")
    }

    func testFortunesSplitAtPercentLines() {
        XCTAssertEqual(FortuneFiles.fortunes(in: "A clash of doctrine.\n%\nAvoid running.\n\t-- S. Paige   \n%\n%\n"),
                       ["A clash of doctrine.", "Avoid running.\n    -- S. Paige"])
    }

    func testWikipediaSummariesAreTitleAndExtract() throws {
        let json = Data(#"{"Zebra": {"title": "Zebra", "extract": "Zebras are African equines.", "topic": "Biology"}, "Apple": {"title": "Apple", "extract": "An apple is a fruit."}, "Empty": {"title": "Empty", "extract": ""}}"#.utf8)
        let docs = try WikiSummaries.articles(json: json, name: "s.json")
        XCTAssertEqual(docs.map(\.title), ["Apple", "Zebra"])
        XCTAssertEqual(docs[0].text, "Apple\nAn apple is a fruit.")
        XCTAssertThrowsError(try WikiSummaries.articles(json: Data("[1]".utf8), name: "s.json")) {
            XCTAssertTrue("\($0)".contains("s.json"), "\($0)")
        }
    }

    // MARK: The recipe's split

    func testDuplicatesAreDroppedAndDocumentsStayWhole() {
        var docs = (0..<400).map { ProseDocument(id: "d\($0)", text: "Document number \($0) has its own words.") }
        docs.append(ProseDocument(id: "dup", text: "DOCUMENT number 3   has its own\nwords."))
        let parts = ProseRecipe.split([("a", "pd", docs, "fixture a"), ("b", "pd", [ProseDocument(id: "x", text: "Document number 7 has its own words.")], "fixture b")], seed: 5)
        XCTAssertEqual(parts[0].documents, 400)
        XCTAssertEqual(parts[0].duplicates, 1)
        XCTAssertEqual(parts[1].documents, 0)
        XCTAssertEqual(parts[1].duplicates, 1)
        let train = String(decoding: parts[0].train, as: UTF8.self), test = String(decoding: parts[0].test, as: UTF8.self)
        let trainDocs = train.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        let testDocs = test.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        XCTAssertEqual(trainDocs.count + testDocs.count, 400)
        XCTAssertEqual(testDocs.count, parts[0].testDocuments)
        XCTAssertTrue((2...20).contains(testDocs.count), "about 2 % of 400 documents, got \(testDocs.count)")
        XCTAssertTrue(Set(trainDocs).isDisjoint(with: testDocs))
        // The choice depends on the seed and the text only.
        let again = ProseRecipe.split([("a", "pd", docs.reversed(), "fixture a")], seed: 5)
        XCTAssertEqual(Set(String(decoding: again[0].test, as: UTF8.self).components(separatedBy: "\n\n")),
                       Set(test.components(separatedBy: "\n\n")))
    }

    func testKaplanRuleGivesTheLargestConvergedSize() {
        // D = 5e3 · N^0.74  ⇔  N = (D / 5e3)^(1/0.74); N = 1e5 needs D = 5e3 · 1e5^0.74 ≈ 2.49e7.
        let d = 5e3 * pow(1e5, 0.74)
        XCTAssertEqual(ProseRecipe.largestConvergedParams(tokens: Int(d.rounded())), 1e5, accuracy: 1)
        XCTAssertEqual(ProseRecipe.largestConvergedParams(tokens: 3_700_000), 7_539, accuracy: 5)
    }
    /// The recipe's writer on two tiny sources: BPE shards that decode to the split texts, one
    /// `source.NAME` line each, built in a staging folder that is renamed into place and leaves nothing beside it.
    func testEnglishLargeWriterStagesShardsWithProvenance() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("prose-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let docs = (0..<300).map { ProseDocument(id: "\($0)", text: "The \($0 % 7 == 0 ? "whale" : "ship") number \($0) sailed on.") }
        let parts = ProseRecipe.split([("sea", "public domain", docs, "fixture sea"),
                                       ("fort", "BSD", [ProseDocument(id: "f", text: "A fortune.")], "fixture fort")], seed: 3)
        let opts = PrepareOptions(dataDir: dir, cacheDir: dir.appendingPathComponent("cache"), seed: 3, log: { _ in })
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("prose"), withIntermediateDirectories: true)
        try Data("old".utf8).write(to: dir.appendingPathComponent("prose/stale.bin"))
        let m = try ProseRecipe.write(name: "prose", parts: parts, vocabSize: 300, opts: opts)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["prose"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("prose").path).sorted(),
                       ["manifest.json", "test.bin", "tokenizer.json", "train.bin"])
        let ds = try TokenDataset.load(from: dir.appendingPathComponent("prose"))
        let bpe = try ByteBPE.load(from: dir.appendingPathComponent("prose/tokenizer.json"))
        XCTAssertEqual(bpe.decode(ds.splits["train"]!.tokens.map(Int.init)), parts.flatMap(\.train))
        XCTAssertEqual(bpe.decode(ds.splits["test"]!.tokens.map(Int.init)), parts.flatMap(\.test))
        XCTAssertEqual(m.vocabSize, 300)
        let sea = try XCTUnwrap(m.extra?["source.sea"])
        XCTAssertTrue(sea.contains("300 documents (\(parts[0].testDocuments) to test)") && sea.contains("fixture sea"), sea)
        XCTAssertTrue(m.extra?["source.fort"]?.contains("licence: BSD") == true)
        XCTAssertNotNil(m.extra?["largest_converged_params"])
    }
}

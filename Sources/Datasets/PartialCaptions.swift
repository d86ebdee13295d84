import Foundation
import WorkbenchCore
import Tokenizers

/// Captioned synthetic scenes whose captions carry only part of what the image shows, with the
/// mutual information and infogain known exactly.
///
/// Each of the three attributes the caption can name — shape colour, shape kind, cell — goes
/// through its own channel: left out with probability `dropProbability`; otherwise named, but
/// with probability `wrongWordProbability` as one of the other values (uniform), and in either
/// case by one of that value's synonyms (uniform). A caption ends with a serial number of
/// `serialDigits` uniform digits that says nothing about the image; the train and test splits
/// use disjoint serials (`isTestSerial`), so no caption is on both sides, while the digits of
/// either side look alike to a model. Images are `SyntheticImageSource`'s, noise included.
///
/// The attributes are independent and uniform (the shape colour is uniform over all K colours
/// once the background is averaged out), the image determines them (see
/// `SyntheticImageSource`), and the caption is an injective function of the channels' outputs
/// and the serial. Hence, exactly:
/// I(image; caption) = Σ_a I(A_a; O_a) and H(caption) = Σ_a H(O_a) + serialDigits · log 10,
/// each term a sum over a few channel outputs (`channels`). Infogain = I / H(caption).
/// `PartialCaptionsTests` checks both against brute-force enumeration of every (scene, caption).
///
///     let cap = try PartialCaptions(source: try SyntheticImageSource(resolution: 8, grid: 2), dropProbability: 0.3)
///     cap.mutualInformationNats    // < cap.captionEntropyNats
///     let (train, test) = cap.splitPairs(train: 1000, test: 100, seed: 1)
public struct PartialCaptions: Sendable {
    /// One attribute's channel: for each value (uniform), its outputs with their probabilities;
    /// output nil is "left out".
    public struct Channel: Sendable {
        public let name: String
        /// `outputs[v]`: (text or nil, probability), probabilities summing to 1.
        public let outputs: [[(text: String?, probability: Double)]]

        /// I(A; O) in nats for A uniform over the values.
        public var mutualInformationNats: Double { outputEntropyNats - conditionalEntropyNats }
        /// H(O) in nats.
        public var outputEntropyNats: Double {
            var marginal: [String: Double] = [:]
            let n = Double(outputs.count)
            for o in outputs { for (t, p) in o { marginal[t ?? "\u{0}", default: 0] += p / n } }
            return -marginal.values.reduce(0) { $0 + ($1 > 0 ? $1 * log($1) : 0) }
        }
        /// H(O | A) in nats.
        public var conditionalEntropyNats: Double {
            outputs.reduce(0) { acc, o in acc - o.reduce(0) { $0 + ($1.probability > 0 ? $1.probability * log($1.probability) : 0) } } / Double(outputs.count)
        }

        /// One output for `value`, drawn from `rng`.
        public func sample(_ value: Int, _ rng: inout SeededRNG) -> String? {
            let u = rng.nextDouble()
            var acc = 0.0
            for (t, p) in outputs[value] {
                acc += p
                if u < acc { return t }
            }
            return outputs[value].last!.text
        }

        /// Left out with `drop`; else the value itself with 1 − `wrong`, another (uniform) with
        /// `wrong`; the word uniform over the named value's synonyms.
        init(name: String, synonyms: [[String]], drop: Double, wrong: Double) {
            let n = synonyms.count
            self.name = name
            outputs = (0..<n).map { v in
                var o: [(String?, Double)] = drop > 0 ? [(nil, drop)] : []
                for w in 0..<n {
                    let pw = n == 1 ? 1 : (w == v ? 1 - wrong : wrong / Double(n - 1))
                    guard pw > 0 else { continue }
                    for s in synonyms[w] { o.append((s, (1 - drop) * pw / Double(synonyms[w].count))) }
                }
                return o
            }
        }
    }

    public let source: SyntheticImageSource
    public let dropProbability: Double, wrongWordProbability: Double
    public let serialDigits: Int
    /// Share of the serial numbers reserved for the test split.
    public let testSerialShare: Double
    /// Colour, shape, cell, in the caption's order.
    public let channels: [Channel]

    public init(source: SyntheticImageSource, dropProbability: Double, wrongWordProbability: Double = 0,
                serialDigits: Int = 0, testSerialShare: Double = 0.1) throws {
        func bad(_ why: String) -> WorkbenchIOError { .corrupt(path: "partial captions config", reason: why) }
        guard (0..<1).contains(dropProbability) else { throw bad("drop probability \(dropProbability) must be in [0, 1)") }
        guard (0...1).contains(wrongWordProbability) else { throw bad("wrong-word probability \(wrongWordProbability) must be in [0, 1]") }
        guard (0...6).contains(serialDigits) else { throw bad("serial digits \(serialDigits) must be 0…6") }
        guard serialDigits == 0 || (0 < testSerialShare && testSerialShare < 1) else { throw bad("test serial share \(testSerialShare) must be in (0, 1)") }
        self.source = source; self.dropProbability = dropProbability; self.wrongWordProbability = wrongWordProbability
        self.serialDigits = serialDigits; self.testSerialShare = testSerialShare
        let colours = source.palette.map { Self.colourSynonyms[$0.name] ?? [$0.name] }
        let shapes = source.shapes.map { Self.shapeSynonyms[$0] ?? [$0.rawValue] }
        let g = source.grid
        let cells = (0..<(g * g)).map { Self.positionSynonyms(cellX: $0 % g, cellY: $0 / g, grid: g) }
        channels = [Channel(name: "colour", synonyms: colours, drop: dropProbability, wrong: wrongWordProbability),
                    Channel(name: "shape", synonyms: shapes, drop: dropProbability, wrong: wrongWordProbability),
                    Channel(name: "cell", synonyms: cells, drop: dropProbability, wrong: wrongWordProbability)]
        let words = (colours + shapes).flatMap { $0 }
        guard Set(words).count == words.count, !words.contains("shape") else { throw bad("colour and shape words must all differ and not be \"shape\"") }
    }

    static let colourSynonyms: [String: [String]] = [
        "black": ["black", "dark"], "white": ["white", "pale"], "red": ["red", "scarlet"], "green": ["green", "leafy"],
        "blue": ["blue", "azure"], "yellow": ["yellow", "golden"], "purple": ["purple", "violet"], "orange": ["orange", "amber"],
    ]
    static let shapeSynonyms: [SyntheticShape: [String]] = [
        .square: ["square", "box"], .circle: ["circle", "disc", "ring"], .cross: ["cross", "plus"], .triangle: ["triangle", "wedge"],
    ]
    static func positionSynonyms(cellX: Int, cellY: Int, grid: Int) -> [String] {
        if grid == 2 {
            let v = [["top", "upper"], ["bottom", "lower"]][cellY], h = ["left", "right"][cellX]
            return v.map { "the \($0) \(h)" } + ["the \(h) \(v[0]) corner"]
        }
        return ["row \(cellY + 1), column \(cellX + 1)", "column \(cellX + 1), row \(cellY + 1)"]
    }

    /// The caption of the channels' outputs (colour, shape, cell; nil = left out) and a serial.
    public func caption(colour: String?, shape: String?, cell: String?, serial: Int?) -> String {
        var s = "a " + (colour.map { $0 + " " } ?? "") + (shape ?? "shape")
        if let cell { s += " in " + cell }
        if let serial, serialDigits > 0 { s += ", no. " + String(format: "%0\(serialDigits)d", serial) }
        return s
    }

    /// Exact I(image; caption), nats per pair.
    public var mutualInformationNats: Double { channels.reduce(0) { $0 + $1.mutualInformationNats } }
    /// Exact H(caption), nats per caption.
    public var captionEntropyNats: Double { channels.reduce(0) { $0 + $1.outputEntropyNats } + Double(serialDigits) * log(10) }
    /// Exact infogain I / H(caption): the share of the caption's information the image holds.
    public var infogain: Double { mutualInformationNats / captionEntropyNats }

    /// Every caption of an attribute triple (colour, shape, cell index) with its probability,
    /// serial left out (for exact checks on small configurations).
    public func captionDistribution(colour: Int, shape: Int, cell: Int) -> [(caption: String, probability: Double)] {
        var out: [(String, Double)] = []
        for (c, pc) in channels[0].outputs[colour] { for (s, ps) in channels[1].outputs[shape] { for (p, pp) in channels[2].outputs[cell] {
            out.append((caption(colour: c, shape: s, cell: p, serial: nil), pc * ps * pp))
        } } }
        return out
    }

    /// Whether a serial number belongs to the test split (a seeded hash; about `testSerialShare` of them).
    public func isTestSerial(_ serial: Int) -> Bool {
        var rng = SeededRNG(seed: 0x5E41_A100 ^ UInt64(serial))
        return rng.nextDouble() < testSerialShare
    }

    /// One pair: a scene, its noisy image, its caption with a serial drawn from `serials`.
    func pair(_ rng: inout SeededRNG, serials: [Int]) -> PairShards.Pair {
        let s = source.sampleScene(&rng)
        let image = source.render(s, noise: &rng)
        let cell = s.cellY * source.grid + s.cellX
        let c = channels[0].sample(s.colour, &rng), k = channels[1].sample(s.shape, &rng), p = channels[2].sample(cell, &rng)
        let serial = serials.isEmpty ? nil : serials[rng.nextInt(below: serials.count)]
        return PairShards.Pair(caption: caption(colour: c, shape: k, cell: p, serial: serial), image: image)
    }

    /// Train and test pairs with no caption and no image on both sides: serials split by
    /// `isTestSerial`, and a test pair whose image (or, without serials, whose caption) also
    /// occurs in train is drawn again. Without serials the captions repeat, so then the test
    /// keeps only images unseen in training. Throws when unseen images are too rare to find
    /// (a noiseless source whose every scene is in train).
    public func splitPairs(train nTrain: Int, test nTest: Int, seed: UInt64) throws -> (train: [PairShards.Pair], test: [PairShards.Pair], redrawn: Int) {
        let all = serialDigits > 0 ? Array(0..<Int(pow(10, Double(serialDigits)))) : []
        let testSerials = all.filter(isTestSerial), trainSerials = all.filter { !isTestSerial($0) }
        var rng = SeededRNG(seed: seed)
        let train = (0..<nTrain).map { _ in pair(&rng, serials: trainSerials) }
        let trainImages = Set(train.map(\.image.pixels))
        var test: [PairShards.Pair] = [], redrawn = 0
        var rngTest = SeededRNG(seed: seed ^ 0x7E57_7E57)
        while test.count < nTest {
            let p = pair(&rngTest, serials: testSerials)
            if trainImages.contains(p.image.pixels) {
                redrawn += 1
                if redrawn > 100 * (nTest + 10) {
                    throw WorkbenchIOError.corrupt(path: "partial captions", reason: "after \(redrawn) draws only \(test.count) of \(nTest) test images are unseen in training; add image noise or fewer training pairs")
                }
                continue
            }
            test.append(p)
        }
        return (train, test, redrawn)
    }
}

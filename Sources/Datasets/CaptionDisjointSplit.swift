import Foundation
import WorkbenchCore
import Tokenizers

/// A train/test split of caption–image pairs in which no caption and no image (identical pixels)
/// is on both sides, and no pair is lost.
///
/// Captions that share an image are joined (transitively) into groups; a group and all its pairs
/// go to one side. Groups are visited in a seeded random order and held out for test while they
/// fit in `testFraction` of the pairs (a group larger than the room left stays in training), so
/// the test side is about `testFraction` of the pairs and never more. Captions in large groups
/// (many objects drawn with one sprite) are therefore rarer in test than in training. Both sides
/// are returned in a seeded random order.
///
///     let split = CaptionDisjointSplit(pairs, testFraction: 0.1, seed: 1234)
///     split.train.count + split.test.count == pairs.count
public struct CaptionDisjointSplit: Sendable {
    public var train: [PairShards.Pair]
    public var test: [PairShards.Pair]
    /// Groups of captions joined by shared images, and the pairs of the largest.
    public var groups: Int
    public var largestGroupPairs: Int
    public var testCaptions: Int
    public var trainCaptions: Int

    public init(_ pairs: [PairShards.Pair], testFraction: Double, seed: UInt64) {
        precondition(testFraction > 0 && testFraction < 1, "test fraction in (0, 1)")
        let captions = Array(Set(pairs.map(\.caption))).sorted()
        let index = Dictionary(uniqueKeysWithValues: captions.enumerated().map { ($1, $0) })
        var parent = Array(captions.indices)
        func root(_ x: Int) -> Int {
            var x = x
            while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
            return x
        }
        var captionOfImage: [[UInt8]: Int] = [:]
        for p in pairs {
            let c = index[p.caption]!
            if let other = captionOfImage[p.image.pixels] {
                let a = root(c), b = root(other)
                if a != b { parent[max(a, b)] = min(a, b) }
            } else {
                captionOfImage[p.image.pixels] = c
            }
        }
        let group = pairs.map { root(index[$0.caption]!) }
        var size: [Int: Int] = [:]
        for g in group { size[g, default: 0] += 1 }
        let roots = size.keys.sorted()
        let room = Int((Double(pairs.count) * testFraction).rounded())
        var rng = SeededRNG(seed: seed)
        var heldOut = Set<Int>(), taken = 0
        for k in rng.permutation(roots.count) where taken + size[roots[k]]! <= room {
            heldOut.insert(roots[k]); taken += size[roots[k]]!
        }
        let test = pairs.indices.filter { heldOut.contains(group[$0]) }.map { pairs[$0] }
        let train = pairs.indices.filter { !heldOut.contains(group[$0]) }.map { pairs[$0] }
        self.train = rng.permutation(train.count).map { train[$0] }
        self.test = rng.permutation(test.count).map { test[$0] }
        groups = roots.count
        largestGroupPairs = size.values.max() ?? 0
        testCaptions = Set(test.map(\.caption)).count
        trainCaptions = Set(train.map(\.caption)).count
    }
}

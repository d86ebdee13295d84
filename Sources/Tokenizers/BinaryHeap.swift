/// A binary heap that pops its smallest element first (by `<`); the BPE's merge queues. An
/// element type orders itself so that "smaller" means "comes out first": merge candidates by
/// (rank, position) when encoding long pieces, pair counts largest first when training.
///
///     var heap = BinaryHeap<UInt64>()
///     heap.push(3); heap.push(1)
///     heap.pop()   // 1
struct BinaryHeap<Element: Comparable> {
    private var items: [Element] = []

    mutating func push(_ x: Element) {
        items.append(x)
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if !(items[i] < items[p]) { break }
            items.swapAt(i, p); i = p
        }
    }

    mutating func pop() -> Element? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count && items[l] < items[m] { m = l }
                if r < items.count && items[r] < items[m] { m = r }
                if m == i { break }
                items.swapAt(i, m); i = m
            }
        }
        return first
    }
}

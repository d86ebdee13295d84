/// A flat, 64-byte aligned, zero-initialised block of `Float`s that owns its memory.
///
/// The transformer keeps parameters, gradients, optimiser moments and activations in a few
/// of these and carves named views out of them by offset (as llm.c does), so a whole model
/// state is one allocation and the optimiser is one loop.
///
///     let b = FloatBuffer(count: 1024)
///     b[3] = 1.5
///     b.pointer(at: 512)   // raw pointer to element 512, for kernels
public final class FloatBuffer: @unchecked Sendable {
    public let count: Int
    public let base: UnsafeMutablePointer<Float>

    public init(count: Int) {
        precondition(count >= 0, "FloatBuffer count must be non-negative")
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride,
                                                   alignment: 64)
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        base.initialize(repeating: 0, count: max(count, 1))
    }

    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { src in
            if let s = src.baseAddress { base.update(from: s, count: values.count) }
        }
    }

    deinit { base.deallocate() }

    @inlinable public subscript(i: Int) -> Float {
        get { base[i] }
        set { base[i] = newValue }
    }

    @inlinable public func pointer(at offset: Int = 0) -> UnsafeMutablePointer<Float> { base + offset }

    public func zero() { base.update(repeating: 0, count: count) }

    public func copy(from other: FloatBuffer) {
        precondition(other.count == count, "FloatBuffer.copy: count \(other.count) != \(count)")
        base.update(from: other.base, count: count)
    }

    public var array: [Float] { Array(UnsafeBufferPointer(start: base, count: count)) }

    public func array(offset: Int, count n: Int) -> [Float] {
        Array(UnsafeBufferPointer(start: base + offset, count: n))
    }
}

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a whole file with read(2) until end of file. /proc and /sys files report a size of 0, so
/// Foundation's whole-file readers (which trust the size) return nothing for them.
public func readWholeFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    return readWholeFile(descriptor: fd)
}

/// Reads an open file from its first byte to its end, whatever was read through the descriptor before
/// (pread(2): a descriptor kept open can be read again, and cgroupfs writes its text afresh at offset 0).
/// Nil when a read fails.
func readWholeFile(descriptor fd: Int32) -> String? {
    var result: [UInt8] = []
    var failed = false
    // On the stack: cgroup files are read after every sandbox, and most are a few bytes.
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { buffer in
        while true {
            let count = pread(fd, buffer.baseAddress, buffer.count, off_t(result.count))
            if count < 0, errno == EINTR { continue }
            failed = count < 0
            guard count > 0 else { break }
            result.append(contentsOf: buffer[..<count])
        }
    }
    return failed ? nil : String(decoding: result, as: UTF8.self)
}

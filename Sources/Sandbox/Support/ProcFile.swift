#if canImport(Glibc)
    import Glibc
#endif

/// Reads a whole file with read(2) until end of file. /proc and /sys files report a size of 0, so
/// Foundation's whole-file readers (which trust the size) return nothing for them.
public func readWholeFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var result: [UInt8] = []
    // On the stack: cgroup files are read after every sandbox, and most are a few bytes.
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { buffer in
        while true {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            result.append(contentsOf: buffer[..<count])
        }
    }
    return String(decoding: result, as: UTF8.self)
}

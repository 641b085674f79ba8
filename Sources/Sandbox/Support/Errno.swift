#if canImport(Glibc)
    import Glibc
#endif

/// The symbolic name of an errno value ("EPERM"), for messages an operator can search for.
func errnoName(_ code: Int32) -> String {
    let names: [Int32: String] = [
        EPERM: "EPERM", ENOENT: "ENOENT", ESRCH: "ESRCH", EINTR: "EINTR", EIO: "EIO", E2BIG: "E2BIG",
        ENOEXEC: "ENOEXEC", EBADF: "EBADF", ECHILD: "ECHILD", EAGAIN: "EAGAIN", ENOMEM: "ENOMEM",
        EACCES: "EACCES", EFAULT: "EFAULT", EBUSY: "EBUSY", EEXIST: "EEXIST", ENOTDIR: "ENOTDIR",
        EISDIR: "EISDIR", EINVAL: "EINVAL", ENFILE: "ENFILE", EMFILE: "EMFILE", EFBIG: "EFBIG",
        ENOSPC: "ENOSPC", EROFS: "EROFS", EPIPE: "EPIPE", ENAMETOOLONG: "ENAMETOOLONG", ENOSYS: "ENOSYS",
        EOVERFLOW: "EOVERFLOW", EUSERS: "EUSERS", ENOTSUP: "ENOTSUP", ENETUNREACH: "ENETUNREACH",
        ECONNREFUSED: "ECONNREFUSED", EDQUOT: "EDQUOT", ENOTTY: "ENOTTY", EXDEV: "EXDEV", ETIMEDOUT: "ETIMEDOUT",
        EADDRNOTAVAIL: "EADDRNOTAVAIL", EHOSTUNREACH: "EHOSTUNREACH", ENOTEMPTY: "ENOTEMPTY", ELOOP: "ELOOP",
    ]
    return names[code] ?? "errno \(code)"
}

/// The C library's text for an errno value.
func errnoText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "unknown error" }
    return String(cString: text)
}

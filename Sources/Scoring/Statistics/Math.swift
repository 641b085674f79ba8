// The C maths library, imported per platform so the module needs neither Foundation nor a package:
// scoring only needs a natural logarithm and a power of two.
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#elseif canImport(ucrt)
    import ucrt
#endif

/// Natural logarithm; the one place the module reaches for libm's `log`.
func naturalLog(_ x: Double) -> Double {
    log(x)
}

/// 2 raised to `x`; used by the half-life quality curve.
func powerOfTwo(_ x: Double) -> Double {
    exp2(x)
}

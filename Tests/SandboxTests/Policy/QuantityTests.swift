import Testing

@testable import Sandbox

@Suite struct QuantityTests {
    @Test(
        arguments: [
            ("4096", 4096), ("1k", 1024), ("64MiB", 64 << 20), ("1G", 1 << 30), ("512kb", 512 << 10), ("2gib", 2 << 30),
            ("1.5M", 1_572_864), ("10B", 10),
        ] as [(String, UInt64)])
    func parsesSizes(text: String, bytes: UInt64) {
        #expect(Quantity.parseSize(text) == bytes)
    }

    @Test(arguments: ["12Q", "", "M", "-5M", "1e9", "ten", "5 M B", "1..2K"])
    func refusesBadSizes(text: String) {
        #expect(Quantity.parseSize(text) == nil)
    }

    @Test(
        arguments: [("10s", 10.0), ("500ms", 0.5), ("2m", 120.0), ("1.5", 1.5), ("1h", 3600.0)] as [(String, Double)])
    func parsesDurations(text: String, seconds: Double) {
        #expect(Quantity.parseDuration(text) == seconds)
    }

    @Test(arguments: ["10x", "", "s", "-1s", "fast"])
    func refusesBadDurations(text: String) {
        #expect(Quantity.parseDuration(text) == nil)
    }

    @Test func formatsRoundTrip() {
        for bytes: UInt64 in [1 << 20, 64 << 20, 1 << 30, 1500, 3 << 10] {
            #expect(Quantity.parseSize(Quantity.formatSize(bytes)) == bytes)
        }
        #expect(Quantity.formatDuration(0.25) == "250ms")
        #expect(Quantity.formatDuration(10) == "10s")
    }
}

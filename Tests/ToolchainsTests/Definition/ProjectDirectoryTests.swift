import Testing

@testable import Toolchains

@Suite("Where the project's folders are looked for")
struct ProjectDirectoryTests {
    @Test func aBinaryNearTheRootListsEachPlaceOnce() {
        let places = ProjectDirectory.candidates(
            named: "toolchains", configured: nil, currentDirectory: "/", executable: "/usr/bin/crucible")
        #expect(places == ["/toolchains", "/usr/toolchains", "/usr/share/crucible/toolchains"])
    }

    @Test func theConfiguredPlaceComesFirstThenTheWorkingFolderThenTheBinarysAncestors() {
        let places = ProjectDirectory.candidates(
            named: "toolchains", configured: "/srv/tc", currentDirectory: "/home/op",
            executable: "/home/op/crucible/.build/release/crucible")
        #expect(
            places == [
                "/srv/tc", "/home/op/toolchains", "/home/op/crucible/.build/toolchains", "/home/op/crucible/toolchains",
                "/home/toolchains", "/usr/share/crucible/toolchains",
            ])
    }
}

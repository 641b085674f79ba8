import Testing

@testable import Sandbox

@Suite struct CgroupLayoutTests {
    @Test func readsAHybridV1Host() {
        let mountinfo = """
            32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
            33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
            35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
            39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """
        let membership = "8:pids:/\n6:freezer:/\n4:memory:/agent/x\n2:cpuacct:/\n1:cpu:/\n0::/\n"
        let layout = CgroupLayout.parse(mountinfo: mountinfo, membership: membership)
        #expect(layout.v1["memory"] == CgroupHierarchy(mountPoint: "/sys/fs/cgroup/memory", ownPath: "/agent/x"))
        #expect(layout.v1["memory"]?.ownDirectory == "/sys/fs/cgroup/memory/agent/x")
        #expect(layout.v1["pids"]?.ownDirectory == "/sys/fs/cgroup/pids")
        #expect(layout.unified?.mountPoint == "/sys/fs/cgroup/unified")
    }

    @Test func readsACoMountedCpuHierarchy() {
        let mountinfo = "30 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
        let layout = CgroupLayout.parse(mountinfo: mountinfo, membership: "3:cpu,cpuacct:/svc\n")
        #expect(layout.v1["cpu"]?.mountPoint == "/sys/fs/cgroup/cpu,cpuacct")
        #expect(layout.v1["cpuacct"]?.ownPath == "/svc")
    }

    @Test func readsAPureV2Host() {
        let mountinfo = "25 20 0:22 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"
        let layout = CgroupLayout.parse(mountinfo: mountinfo, membership: "0::/system.slice/crucible-agent.service\n")
        #expect(layout.unified?.ownDirectory == "/sys/fs/cgroup/system.slice/crucible-agent.service")
        #expect(layout.v1.isEmpty)
    }

    @Test func ignoresBindMountsOfSubtrees() {
        // A cgroup mount whose root is not "/" shows only part of the tree: it cannot be used.
        let mountinfo = "30 25 0:26 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
        #expect(CgroupLayout.parse(mountinfo: mountinfo, membership: "4:memory:/\n").v1.isEmpty)
    }
}

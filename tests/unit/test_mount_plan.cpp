// The mount planner (pure) and, where this machine lets the current user create a user
// namespace, the executor over a small busybox rootfs.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "rootless/host_devices.hpp"
#include "rootless/mount_plan.hpp"

using namespace burrow::rootless;
using Kind = MountOp::Kind;

namespace {

MountSpecSet basic_spec() {
    MountSpecSet s;
    s.lower_base = "/store";
    s.lower_dirs = {"layers/b/diff", "layers/a/diff"};
    s.upper_dir = "/c/upper";
    s.work_dir = "/c/work";
    s.merged = "/c/merged";
    s.masked_paths = default_masked_paths();
    s.readonly_paths = default_readonly_paths();
    return s;
}

// Index of the first op of `kind` at `target` (ops.size() when absent).
size_t find(const std::vector<MountOp>& ops, Kind kind, const std::string& target) {
    for (size_t i = 0; i < ops.size(); ++i)
        if (ops[i].kind == kind && ops[i].target == target) return i;
    return ops.size();
}

size_t count(const std::vector<MountOp>& ops, Kind kind) {
    size_t n = 0;
    for (const auto& op : ops) n += op.kind == kind;
    return n;
}

}  // namespace

TEST_CASE("Podman's masked and read-only paths") {
    auto m = default_masked_paths();
    CHECK(m.size() == 12);
    CHECK(m.front() == "/proc/acpi");
    CHECK(std::find(m.begin(), m.end(), "/proc/kcore") != m.end());
    CHECK(std::find(m.begin(), m.end(), "/sys/firmware") != m.end());
    auto r = default_readonly_paths();
    CHECK(r == std::vector<std::string>{"/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                        "/proc/sysrq-trigger"});
}

TEST_CASE("overlay rootfs first, pivot_root last") {
    auto ops = plan_mounts(basic_spec());
    REQUIRE(ops.size() > 10);
    const MountOp& root = ops.front();
    CHECK(root.kind == Kind::mount_rootfs);
    CHECK(root.fstype == "overlay");
    CHECK(root.target == "/c/merged");
    CHECK(root.data == "lowerdir=layers/b/diff:layers/a/diff,upperdir=/c/upper,workdir=/c/work,userxattr");
    CHECK(ops.back().kind == Kind::pivot_root);
    CHECK(ops.back().target == "/c/merged");
    CHECK(count(ops, Kind::pivot_root) == 1);
    CHECK(count(ops, Kind::mount_rootfs) == 1);
    // every op after the rootfs resolves its target under the merged dir
    for (const auto& op : ops) CHECK(op.root == "/c/merged");
}

TEST_CASE("bind and fuse rootfs kinds") {
    auto s = basic_spec();
    s.rootfs_kind = "bind";
    auto ops = plan_mounts(s);
    CHECK(ops.front().kind == Kind::mount_rootfs);
    CHECK(ops.front().source == "/c/merged");
    CHECK(ops.front().flags == (MS_BIND | MS_REC));
    CHECK(ops.front().fstype.empty());
    s.rootfs_kind = "fuse";
    ops = plan_mounts(s);
    CHECK(ops.front().kind == Kind::mount_rootfs);
    CHECK(ops.front().source.empty());  // already mounted by fuse-overlayfs: the executor does nothing
    CHECK(ops.front().fstype.empty());
}

TEST_CASE("overlay options longer than a page are refused with a clear error") {
    auto s = basic_spec();
    s.lower_dirs.assign(200, "layers/0123456789abcdef0123456789/diff");
    try {
        plan_mounts(s);
        FAIL("no error");
    } catch (const burrow::Error& e) {
        CHECK(std::string(e.what()).find("200 layers") != std::string::npos);
        CHECK(std::string(e.what()).find("page") != std::string::npos);
    }
    // just under the limit passes
    s.lower_dirs.assign(1, std::string(4095 - std::string("lowerdir=,upperdir=/c/upper,workdir=/c/work,userxattr").size(), 'x'));
    CHECK(plan_mounts(s).front().data.size() == 4095);
    s.lower_dirs[0] += "x";
    CHECK_THROWS_AS(plan_mounts(s), burrow::Error);
}

TEST_CASE("/proc, /dev, /sys with Podman's options") {
    auto ops = plan_mounts(basic_spec());
    size_t proc = find(ops, Kind::mount, "/proc");
    REQUIRE(proc < ops.size());
    CHECK(ops[proc].fstype == "proc");
    CHECK(ops[proc].flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV));

    size_t dev = find(ops, Kind::mount, "/dev");
    REQUIRE(dev < ops.size());
    CHECK(ops[dev].fstype == "tmpfs");
    CHECK(ops[dev].flags == (MS_NOSUID | MS_STRICTATIME));
    CHECK(ops[dev].data == "mode=755,size=65536k");

    size_t pts = find(ops, Kind::mount, "/dev/pts");
    REQUIRE(pts < ops.size());
    CHECK(pts > dev);
    CHECK(ops[pts].fstype == "devpts");
    CHECK(ops[pts].data == "newinstance,ptmxmode=0666,mode=0620,gid=5");
    CHECK(ops[pts].fallback_data == "newinstance,ptmxmode=0666,mode=0620");
    CHECK_FALSE(ops[pts].optional);

    size_t shm = find(ops, Kind::mount, "/dev/shm");
    REQUIRE(shm < ops.size());
    CHECK(shm > dev);
    CHECK(ops[shm].data == "mode=1777,size=65536k");
    CHECK(ops[shm].flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV));

    size_t mq = find(ops, Kind::mount, "/dev/mqueue");
    REQUIRE(mq < ops.size());
    CHECK(ops[mq].fstype == "mqueue");
    CHECK(ops[mq].optional);

    for (const char* d : {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"}) {
        size_t i = find(ops, Kind::bind, d);
        REQUIRE(i < ops.size());
        CHECK(i > dev);
        CHECK(ops[i].source == d);
        CHECK(ops[i].target_is_file);
        CHECK((ops[i].flags & MS_BIND) != 0);
    }
    std::vector<std::pair<std::string, std::string>> links = {{"/dev/fd", "/proc/self/fd"},
                                                             {"/dev/stdin", "/proc/self/fd/0"},
                                                             {"/dev/stdout", "/proc/self/fd/1"},
                                                             {"/dev/stderr", "/proc/self/fd/2"},
                                                             {"/dev/ptmx", "pts/ptmx"},
                                                             {"/dev/core", "/proc/kcore"}};
    for (const auto& [at, to] : links) {
        size_t i = find(ops, Kind::symlink, at);
        REQUIRE(i < ops.size());
        CHECK(ops[i].source == to);
        CHECK(i > dev);
    }
    CHECK(find(ops, Kind::bind, "/dev/console") == ops.size());

    size_t sys = find(ops, Kind::mount, "/sys");
    REQUIRE(sys < ops.size());
    CHECK(ops[sys].fstype == "sysfs");
    CHECK(ops[sys].flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY));
    size_t cg = find(ops, Kind::bind, "/sys/fs/cgroup");
    REQUIRE(cg < ops.size());
    CHECK(cg > sys);
    CHECK(ops[cg].optional);
    size_t cgro = find(ops, Kind::remount_ro, "/sys/fs/cgroup");
    REQUIRE(cgro == cg + 1);
    CHECK((ops[cgro].flags & MS_REC) != 0);
}

TEST_CASE("cgroup choices under a fresh sysfs") {
    auto s = basic_spec();
    s.cgroups = "cgroup2";
    auto ops = plan_mounts(s);
    size_t cg = find(ops, Kind::mount, "/sys/fs/cgroup");
    REQUIRE(cg < ops.size());
    CHECK(ops[cg].fstype == "cgroup2");
    CHECK((ops[cg].flags & MS_RDONLY) != 0);
    CHECK(ops[cg].optional);
    s.cgroups = "none";
    ops = plan_mounts(s);
    for (const auto& op : ops) CHECK(op.target.rfind("/sys/fs/cgroup", 0) == std::string::npos);
}

TEST_CASE("without an own network namespace /sys is the host's, bound read-only") {
    auto s = basic_spec();
    s.own_netns = false;
    auto ops = plan_mounts(s);
    CHECK(find(ops, Kind::mount, "/sys") == ops.size());
    size_t b = find(ops, Kind::bind, "/sys");
    REQUIRE(b < ops.size());
    CHECK(ops[b].source == "/sys");
    CHECK(ops[b].flags == (MS_BIND | MS_REC));
    CHECK_FALSE(ops[b].target_is_file);
    size_t ro = find(ops, Kind::remount_ro, "/sys");
    REQUIRE(ro == b + 1);
    CHECK_FALSE(ops[ro].optional);
    // the host's /sys already holds /sys/fs/cgroup
    CHECK(find(ops, Kind::bind, "/sys/fs/cgroup") == ops.size());
}

TEST_CASE("console and devices are bound onto files") {
    auto s = basic_spec();
    s.console = "/dev/pts/7";
    s.devices = {{"/dev/fuse", "/dev/fuse"}, {"/dev/kvm", "/dev/vm0", true}};
    auto ops = plan_mounts(s);
    size_t c = find(ops, Kind::bind, "/dev/console");
    REQUIRE(c < ops.size());
    CHECK(ops[c].source == "/dev/pts/7");
    CHECK(ops[c].target_is_file);
    size_t k = find(ops, Kind::bind, "/dev/vm0");
    REQUIRE(k < ops.size());
    CHECK(ops[k].source == "/dev/kvm");
    CHECK(ops[k].target_is_file);
    CHECK(k > find(ops, Kind::mount, "/dev"));
    // each bind is remounted nosuid,noexec, read-only when the device was given without w
    size_t rk = find(ops, Kind::remount_ro, "/dev/vm0"), rf = find(ops, Kind::remount_ro, "/dev/fuse");
    REQUIRE(rk == k + 1);
    CHECK(ops[rk].flags == (MS_NOSUID | MS_NOEXEC | MS_RDONLY));
    CHECK(ops[rk].data == "ro");
    REQUIRE(rf < ops.size());
    CHECK(ops[rf].flags == (MS_NOSUID | MS_NOEXEC));
    CHECK(ops[rf].data == "rw");
}

TEST_CASE("privileged: /sys and its cgroups stay read-write") {
    auto s = basic_spec();
    s.privileged = true;
    auto ops = plan_mounts(s);
    size_t sys = find(ops, Kind::mount, "/sys");
    REQUIRE(sys < ops.size());
    CHECK((ops[sys].flags & MS_RDONLY) == 0);
    CHECK(find(ops, Kind::bind, "/sys/fs/cgroup") < ops.size());
    CHECK(find(ops, Kind::remount_ro, "/sys/fs/cgroup") == ops.size());
    s.own_netns = false;
    ops = plan_mounts(s);
    CHECK(find(ops, Kind::bind, "/sys") < ops.size());
    CHECK(find(ops, Kind::remount_ro, "/sys") == ops.size());
    // and without --privileged both are read-only
    s.privileged = false;
    auto bound = plan_mounts(s);
    CHECK(find(bound, Kind::remount_ro, "/sys") < bound.size());
    auto plain = plan_mounts(basic_spec());
    CHECK((plain[find(plain, Kind::mount, "/sys")].flags & MS_RDONLY) != 0);
}

TEST_CASE("--device specs and the host's devices of a privileged container") {
    auto d = parse_device("/dev/fuse");
    CHECK(d.host == "/dev/fuse");
    CHECK(d.inside == "/dev/fuse");
    CHECK_FALSE(d.read_only);
    d = parse_device("/dev/zero:/dev/myzero:r");
    CHECK(d.inside == "/dev/myzero");
    CHECK(d.read_only);
    d = parse_device("/dev/zero:rm");
    CHECK(d.inside == "/dev/zero");
    CHECK(d.read_only);
    d = parse_device("/dev/zero:/dev/z:rw");
    CHECK_FALSE(d.read_only);

    auto nodes = host_device_nodes();
    CHECK(std::is_sorted(nodes.begin(), nodes.end()));
    for (const auto& n : nodes) {
        struct stat st {};
        REQUIRE(::lstat(n.c_str(), &st) == 0);
        CHECK((S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)));
        CHECK(n.rfind("/dev/tty", 0) != 0);
        CHECK(n.rfind("/dev/pts/", 0) != 0);
        CHECK(n != "/dev/ptmx");
        CHECK(n != "/dev/null");
    }
    if (::access("/dev/kmsg", F_OK) == 0) CHECK(std::find(nodes.begin(), nodes.end(), "/dev/kmsg") != nodes.end());
    std::vector<DeviceMount> devs = {{"/dev/zero", "/dev/kmsg", true}};
    add_privileged_devices(devs);
    CHECK(std::count_if(devs.begin(), devs.end(), [](const DeviceMount& m) { return m.inside == "/dev/kmsg"; }) == 1);
    CHECK(devs.size() == nodes.size() + (std::find(nodes.begin(), nodes.end(), "/dev/kmsg") == nodes.end() ? 1 : 0));
}

TEST_CASE("masks and read-only paths come after /proc and /sys; privileged has none") {
    auto ops = plan_mounts(basic_spec());
    size_t proc = find(ops, Kind::mount, "/proc"), sys = find(ops, Kind::mount, "/sys");
    size_t cg = find(ops, Kind::remount_ro, "/sys/fs/cgroup");
    CHECK(count(ops, Kind::mask) == 12);
    CHECK(count(ops, Kind::readonly_path) == 6);
    for (size_t i = 0; i < ops.size(); ++i) {
        if (ops[i].kind != Kind::mask && ops[i].kind != Kind::readonly_path) continue;
        CHECK(i > proc);
        CHECK(i > sys);
        CHECK(i > cg);
        CHECK(ops[i].optional);  // a path this kernel lacks is fine
    }
    size_t kcore = find(ops, Kind::mask, "/proc/kcore");
    REQUIRE(kcore < ops.size());
    CHECK(find(ops, Kind::readonly_path, "/proc/sys") < ops.size());

    auto s = basic_spec();
    s.privileged = true;
    ops = plan_mounts(s);
    CHECK(count(ops, Kind::mask) == 0);
    CHECK(count(ops, Kind::readonly_path) == 0);
    CHECK(ops.back().kind == Kind::pivot_root);
}

TEST_CASE("volumes: binds, read-only remounts, tmpfs, files; before the read-only rootfs") {
    auto s = basic_spec();
    s.read_only_rootfs = true;
    VolumeMount data;
    data.source = "/home/u/data";
    data.destination = "/data";
    data.read_only = true;
    VolumeMount conf;
    conf.source = "/home/u/app.conf";
    conf.destination = "/etc/app.conf";
    conf.source_is_dir = false;
    conf.recursive = false;
    conf.nosuid = conf.nodev = true;
    VolumeMount scratch;
    scratch.tmpfs = true;
    scratch.destination = "/scratch";
    scratch.tmpfs_options = "size=1m,mode=1777";
    scratch.noexec = true;
    s.volumes = {data, conf, scratch};
    s.etc_files = {{"/run/c/hosts", "/etc/hosts"}, {"/run/c/resolv.conf", "/etc/resolv.conf"}};
    auto ops = plan_mounts(s);

    size_t d = find(ops, Kind::bind, "/data");
    REQUIRE(d < ops.size());
    CHECK(ops[d].source == "/home/u/data");
    CHECK(ops[d].flags == (MS_BIND | MS_REC));
    CHECK_FALSE(ops[d].target_is_file);
    CHECK_FALSE(ops[d].optional);
    REQUIRE(ops[d + 1].kind == Kind::remount_ro);
    CHECK(ops[d + 1].target == "/data");
    CHECK((ops[d + 1].flags & MS_RDONLY) != 0);
    CHECK((ops[d + 1].flags & MS_REC) == 0);  // like Podman's "ro": the top mount only

    size_t c = find(ops, Kind::bind, "/etc/app.conf");
    REQUIRE(c < ops.size());
    CHECK(ops[c].flags == MS_BIND);
    CHECK(ops[c].target_is_file);
    REQUIRE(ops[c + 1].kind == Kind::remount_ro);
    CHECK(ops[c + 1].data == "rw");  // flags only, stays writable
    CHECK(ops[c + 1].flags == (MS_NOSUID | MS_NODEV));

    size_t t = find(ops, Kind::mount, "/scratch");
    REQUIRE(t < ops.size());
    CHECK(ops[t].fstype == "tmpfs");
    CHECK(ops[t].data == "size=1m,mode=1777");
    CHECK(ops[t].flags == MS_NOEXEC);

    size_t hosts = find(ops, Kind::bind, "/etc/hosts");
    REQUIRE(hosts < ops.size());
    CHECK(ops[hosts].target_is_file);
    CHECK(ops[hosts].source == "/run/c/hosts");

    size_t rootro = find(ops, Kind::remount_ro, "/");
    REQUIRE(rootro < ops.size());
    CHECK(rootro == ops.size() - 2);  // just before pivot_root
    for (size_t i : {d, c, t, hosts}) CHECK(i < rootro);
    // volumes after the /dev and /sys mounts, so a volume may sit under them
    CHECK(d > find(ops, Kind::mount, "/sys"));

    s.read_only_rootfs = false;
    ops = plan_mounts(s);
    CHECK(find(ops, Kind::remount_ro, "/") == ops.size());
}

// ---- the executor, in a real user namespace -------------------------------------------------

namespace {

namespace fs = std::filesystem;

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool write_file(const char* path, const std::string& s) {
    int fd = ::open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool ok = ::write(fd, s.data(), s.size()) == static_cast<ssize_t>(s.size());
    ::close(fd);
    return ok;
}

// In a child: new user (single-id map: us as 0), mount, pid, net, ipc namespaces; pid 1 runs the
// plan and execs `argv` with stdout and stderr into `out`. Returns the exit status, or -1 when
// this machine does not allow an unprivileged user namespace (`why` says why).
int run_in_namespaces(const std::vector<MountOp>& ops, const std::string& lower_base, const std::string& out,
                      const std::vector<const char*>& argv, std::string& why) {
    int outfd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    REQUIRE(outfd >= 0);
    std::string uid_map = "0 " + std::to_string(::geteuid()) + " 1";
    std::string gid_map = "0 " + std::to_string(::getegid()) + " 1";
    int p[2];
    REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(p[0]);
        auto report = [&](const char* step, int e) {
            char buf[128];
            int n = std::snprintf(buf, sizeof buf, "%s: %s", step, std::strerror(e));
            (void)!::write(p[1], buf, static_cast<size_t>(n));
            ::_exit(90);
        };
        if (::unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC) < 0)
            report("unshare", errno);
        if (!write_file("/proc/self/setgroups", "deny") || !write_file("/proc/self/uid_map", uid_map) ||
            !write_file("/proc/self/gid_map", gid_map))
            report("write the id maps", errno);
        pid_t init = ::fork();
        if (init < 0) report("fork", errno);
        if (init == 0) {
            // pid 1 of the new pid namespace: what container_process does before the credentials
            if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) ::_exit(91);
            if (::chdir(lower_base.c_str()) < 0) ::_exit(92);
            size_t failed = 0;
            if (int e = execute_mount_plan(ops, &failed)) {
                char buf[256];
                int n = std::snprintf(buf, sizeof buf, "FAILED op %zu (%s): %s\n", failed, ops[failed].what.c_str(),
                                      std::strerror(e));
                (void)!::write(outfd, buf, static_cast<size_t>(n));
                ::_exit(93);
            }
            if (::chdir("/") < 0) ::_exit(94);
            ::dup2(outfd, 1);
            ::dup2(outfd, 2);
            ::execv(argv[0], const_cast<char* const*>(argv.data()));
            ::_exit(127);
        }
        int st = 0;
        ::waitpid(init, &st, 0);
        ::_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    }
    ::close(p[1]);
    ::close(outfd);
    char buf[256];
    ssize_t n = ::read(p[0], buf, sizeof buf);
    ::close(p[0]);
    int st = 0;
    ::waitpid(pid, &st, 0);
    if (n > 0) {
        why.assign(buf, static_cast<size_t>(n));
        return -1;
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

struct TempDir {
    std::string path;
    TempDir() {
        std::string t = (fs::temp_directory_path() / "burrow-mnt-XXXXXX").string();
        REQUIRE(::mkdtemp(t.data()) != nullptr);
        path = t;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

}  // namespace

TEST_CASE("the executor builds a container's mount tree in a user namespace", "[exec]") {
    if (!fs::exists("/bin/busybox")) {
        WARN("skipped: /bin/busybox (static) is needed for a test rootfs");
        return;
    }
    TempDir tmp, canary_a, canary_b;
    const std::string t = tmp.path;
    for (const char* d : {"lower2/bin", "lower1/tmp", "upper", "work", "merged", "vol", "run"})
        fs::create_directories(t + "/" + d);
    fs::copy_file("/bin/busybox", t + "/lower2/bin/busybox");
    fs::create_symlink("busybox", t + "/lower2/bin/sh");
    // Hostile image: /proc points at a host directory by absolute path (absent in the image: the
    // link is replaced by a directory), /etc climbs out by ".." towards another host directory
    // (present in the image, at the host directory's own path: followed, inside the rootfs).
    fs::create_symlink(canary_a.path, t + "/lower1/proc");
    fs::create_directories(t + "/lower1" + canary_b.path + "/etc");
    fs::create_symlink("../../../../../../../../.." + canary_b.path + "/etc", t + "/lower1/etc");
    { std::ofstream(t + "/run/hosts") << "127.0.0.1 burrow-test\n"; }
    { std::ofstream(t + "/vol/data.txt") << "volume data\n"; }

    MountSpecSet s;
    s.lower_base = t;
    s.lower_dirs = {"lower1", "lower2"};
    s.upper_dir = t + "/upper";
    s.work_dir = t + "/work";
    s.merged = t + "/merged";
    s.masked_paths = default_masked_paths();
    s.readonly_paths = default_readonly_paths();
    s.read_only_rootfs = true;
    s.etc_files = {{t + "/run/hosts", "/etc/hosts"}};
    VolumeMount vol;
    vol.source = t + "/vol";
    vol.destination = "/data/in/here";
    vol.read_only = true;
    VolumeMount scratch;
    scratch.tmpfs = true;
    scratch.destination = "/scratch";
    scratch.tmpfs_options = "size=1m";
    s.volumes = {vol, scratch};
    auto ops = plan_mounts(s);

    const char* script =
        "B=/bin/busybox; $B cat /proc/self/mountinfo; echo ---dev; $B ls -a /dev; echo ---hosts; $B cat /etc/hosts;"
        "echo ---data; $B cat /data/in/here/data.txt; $B touch /data/in/here/new 2>/dev/null && echo data-writable;"
        "$B touch /newfile 2>/dev/null && echo root-writable; $B touch /scratch/ok && echo scratch-writable;"
        "echo ---keys; $B wc -c < /proc/keys; echo 1 > /proc/sys/kernel/ns_last_pid 2>/dev/null && echo sys-writable;"
        "echo ---pid $$; echo ---end";
    std::vector<const char*> argv = {"/bin/sh", "-c", script, nullptr};
    std::string why;
    int rc = run_in_namespaces(ops, t, t + "/out", argv, why);
    if (rc < 0) {
        WARN("skipped: no user namespace for this user (" << why << ")");
        return;
    }
    std::string out = slurp(t + "/out");
    INFO(out);
    REQUIRE(rc == 0);
    REQUIRE(out.find("---end") != std::string::npos);
    // the rootfs is the overlay, pivoted to /
    CHECK(out.find(" / / rw") == std::string::npos);
    CHECK(out.find(" / / ro") != std::string::npos);
    CHECK(out.find("- overlay overlay") != std::string::npos);
    CHECK(out.find(" /proc rw,nosuid,nodev,noexec") != std::string::npos);
    CHECK(out.find(" /dev rw,nosuid - tmpfs") != std::string::npos);
    CHECK(out.find(" /dev/pts ") != std::string::npos);
    CHECK(out.find(" /dev/shm rw,nosuid,nodev,noexec") != std::string::npos);
    CHECK(out.find(" /sys ro,nosuid,nodev,noexec") != std::string::npos);
    CHECK(out.find(" /proc/sys ro,") != std::string::npos);
    CHECK(out.find(" /proc/keys ") != std::string::npos);  // masked (this kernel may lack /proc/kcore)
    // /etc is a symlink to <canary b>/etc in the image: the bind landed there, inside the rootfs
    CHECK(out.find(" " + canary_b.path + "/etc/hosts ") != std::string::npos);
    CHECK(out.find(" /data/in/here ro,") != std::string::npos);
    // nothing from the host's tree is left (the old root was detached)
    CHECK(out.find(" /merged") == std::string::npos);
    for (const char* d : {"null", "zero", "full", "random", "urandom", "tty", "fd", "stdin", "stdout", "stderr",
                          "ptmx", "core", "pts", "shm"})
        CHECK(out.find(std::string("\n") + d + "\n") != std::string::npos);
    CHECK(out.find("127.0.0.1 burrow-test") != std::string::npos);
    CHECK(out.find("volume data") != std::string::npos);
    CHECK(out.find("data-writable") == std::string::npos);
    CHECK(out.find("root-writable") == std::string::npos);
    CHECK(out.find("scratch-writable") != std::string::npos);
    CHECK(out.find("---keys\n0\n") != std::string::npos);
    CHECK(out.find("sys-writable") == std::string::npos);
    CHECK(out.find("---pid 1\n") != std::string::npos);

    // the host directories the image pointed at are untouched
    CHECK(fs::is_empty(canary_a.path));
    CHECK(fs::is_empty(canary_b.path));
    // ... and the /etc/hosts target was made inside the rootfs, where the symlink led
    CHECK(fs::exists(t + "/upper" + canary_b.path + "/etc/hosts"));
    CHECK(fs::is_directory(t + "/upper/proc"));
}

TEST_CASE("a failing op reports its index and errno", "[exec]") {
    TempDir tmp;
    const std::string t = tmp.path;
    fs::create_directories(t + "/root");
    MountSpecSet s;
    s.rootfs_kind = "bind";
    s.merged = t + "/root";
    s.volumes.push_back(VolumeMount{});
    s.volumes[0].source = t + "/does-not-exist";
    s.volumes[0].destination = "/v";
    auto ops = plan_mounts(s);
    size_t want = find(ops, Kind::bind, "/v");
    REQUIRE(want < ops.size());
    // Keep only the rootfs and the volume: nothing else is needed to see the failure.
    std::vector<MountOp> two = {ops[0], ops[want]};
    std::vector<const char*> argv = {"/bin/true", nullptr};
    std::string why;
    int rc = run_in_namespaces(two, t, t + "/out", argv, why);
    if (rc < 0) {
        WARN("skipped: no user namespace for this user (" << why << ")");
        return;
    }
    std::string out = slurp(t + "/out");
    CHECK(rc == 93);
    CHECK(out == "FAILED op 1 (bind volume /v): No such file or directory\n");
}

TEST_CASE("the rootfs's own files come right after it: /etc/mtab link and appended entries") {
    auto s = basic_spec();
    s.appends = {{"/etc/passwd", "alice:*:1000:1000::/:/bin/sh\n"}, {"/etc/group", "alice:x:1000:alice\n"}};
    auto ops = plan_mounts(s);
    size_t etc = find(ops, Kind::mkdir, "/etc"), mtab = find(ops, Kind::symlink, "/etc/mtab");
    size_t pw = find(ops, Kind::append_file, "/etc/passwd"), gr = find(ops, Kind::append_file, "/etc/group");
    REQUIRE(mtab < ops.size());
    CHECK(etc == 1);
    CHECK(mtab == 2);
    CHECK(ops[mtab].source == "/proc/mounts");
    CHECK(ops[mtab].optional);
    CHECK(pw == 3);
    CHECK(gr == 4);
    CHECK(ops[pw].data == "alice:*:1000:1000::/:/bin/sh\n");
    CHECK(!ops[pw].optional);
    CHECK(ops[pw].root == "/c/merged");
    CHECK(pw < find(ops, Kind::mount, "/proc"));
    s.mtab_link = false;
    s.appends.clear();
    CHECK(find(plan_mounts(s), Kind::symlink, "/etc/mtab") == plan_mounts(s).size());
}

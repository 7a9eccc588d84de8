// Capabilities, --user resolution and seccomp (rootless/caps, userspec, seccomp). The seccomp
// cases install the compiled filters for real, in forked children, and check what the kernel answers.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <sched.h>
#include <signal.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "rootless/caps.hpp"
#include "rootless/seccomp.hpp"
#include "rootless/userspec.hpp"

using namespace burrow::rootless;
using burrow::Error;

namespace {

uint64_t bit(int cap) { return 1ULL << cap; }

// The message and exit code of the Error `f` throws ("" when it throws none).
std::pair<std::string, int> error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return {e.what(), e.exit_code()};
    }
    return {"", 0};
}

std::set<uint32_t> as_set(const std::vector<uint32_t>& v) { return {v.begin(), v.end()}; }

}  // namespace

// --- capabilities ---------------------------------------------------------------------------------

TEST_CASE("capability names in every spelling") {
    CHECK(cap_from_name("CAP_NET_ADMIN") == 12);
    CHECK(cap_from_name("NET_ADMIN") == 12);
    CHECK(cap_from_name("net_admin") == 12);
    CHECK(cap_from_name("cap_chown") == 0);
    CHECK(cap_from_name("CAP_CHECKPOINT_RESTORE") == 40);
    CHECK(cap_from_name("CAP_BPF") == 39);
    CHECK_FALSE(cap_from_name("CAP_FOO"));
    CHECK_FALSE(cap_from_name("ALL"));
    CHECK_FALSE(cap_from_name(""));
    for (int c = 0; c <= 40; ++c) CHECK(cap_from_name(cap_name(c)) == c);
    CHECK(cap_name(21) == "CAP_SYS_ADMIN");
    CHECK(cap_names(bit(21) | bit(0) | bit(12)) == std::vector<std::string>{"CAP_CHOWN", "CAP_NET_ADMIN", "CAP_SYS_ADMIN"});
    CHECK(cap_names(0).empty());
}

TEST_CASE("the kernel's capabilities and Podman's default set") {
    int last = last_cap();
    CHECK(last >= CAP_AUDIT_READ);
    CHECK(last < 64);
    CHECK(all_caps() == (1ULL << (last + 1)) - 1);
    // CapBnd of a default `podman run` (4.3): 00000000800405fb.
    CHECK(default_caps() == 0x800405fbULL);
    CHECK(cap_names(default_caps()).size() == 11);
}

TEST_CASE("resolve_caps follows Podman's merge rules") {
    const uint64_t def = default_caps(), all = all_caps();
    CHECK(resolve_caps({}, {}, false) == def);
    CHECK(resolve_caps({"NET_ADMIN"}, {}, false) == (def | bit(CAP_NET_ADMIN)));
    CHECK(resolve_caps({}, {"chown", "CAP_KILL"}, false) == (def & ~bit(CAP_CHOWN) & ~bit(CAP_KILL)));
    CHECK(resolve_caps({}, {"ALL"}, false) == 0);
    // drop ALL: only what is added
    CHECK(resolve_caps({"net_admin"}, {"all"}, false) == bit(CAP_NET_ADMIN));
    CHECK(resolve_caps({"net_admin"}, {"chown", "all"}, false) == bit(CAP_NET_ADMIN));
    // add ALL: everything but the drops
    CHECK(resolve_caps({"ALL"}, {"chown"}, false) == (all & ~bit(CAP_CHOWN)));
    CHECK(resolve_caps({"ALL"}, {}, false) == all);
    // privileged: everything, the flags ignored (as `podman run --privileged --cap-drop all`)
    CHECK(resolve_caps({}, {}, true) == all);
    CHECK(resolve_caps({}, {"ALL"}, true) == all);
    CHECK(resolve_caps({}, {"chown"}, true) == all);
}

TEST_CASE("resolve_caps refuses what Podman refuses, with its texts") {
    auto e = error_of([] { resolve_caps({"foo"}, {}, false); });
    CHECK(e.first == "\"CAP_FOO\": unknown capability");
    CHECK(e.second == 125);
    CHECK(error_of([] { resolve_caps({}, {"cap_bar"}, false); }).first == "\"CAP_BAR\": unknown capability");
    CHECK(error_of([] { resolve_caps({"foo"}, {}, true); }).first == "\"CAP_FOO\": unknown capability");
    CHECK(error_of([] { resolve_caps({"all"}, {"ALL"}, false); }).first ==
          "adding all caps and removing all caps not allowed");
    CHECK(error_of([] { resolve_caps({"net_admin"}, {"CAP_NET_ADMIN"}, false); }).first ==
          "capability \"CAP_NET_ADMIN\" cannot be dropped and added");
}

// --- --user -----------------------------------------------------------------------------------------

namespace {

const std::string kPasswd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "# a comment\n"
    "\n"
    "alice:x:1000:1000::/home/alice:/bin/sh\n"
    "bob:x:1001:1001::/home/bob:/bin/sh\n"
    "broken line\n"
    "nohome:x:1002:1002:::/bin/sh\n";
const std::string kGroup =
    "root:x:0:\n"
    "alice:x:1000:\n"
    "bob:x:1001:\n"
    "wheel:x:10:alice,bob\n"
    "staff:x:50: alice\n"
    "bad\n";

ResolvedUser user(const std::string& spec) { return resolve_user(spec, kPasswd, kGroup); }

}  // namespace

// The expectations are what `podman run --user SPEC IMAGE id` printed for an image with these files.
TEST_CASE("--user forms resolve as Podman's") {
    auto r = user("alice");
    CHECK(r.uid == 1000);
    CHECK(r.gid == 1000);
    CHECK(as_set(r.groups) == std::set<uint32_t>{10, 50, 1000});
    CHECK(r.name == "alice");
    CHECK(r.home == "/home/alice");

    r = user("alice:staff");
    CHECK((r.uid == 1000 && r.gid == 50));
    CHECK(r.groups == std::vector<uint32_t>{50});

    r = user("1001");
    CHECK((r.uid == 1001 && r.gid == 1001 && r.name == "bob"));
    CHECK(as_set(r.groups) == std::set<uint32_t>{10, 1001});

    r = user("1234");
    CHECK((r.uid == 1234 && r.gid == 0));
    CHECK(r.groups == std::vector<uint32_t>{0});
    CHECK(r.name.empty());
    CHECK(r.home == "/");

    r = user("1234:wheel");
    CHECK((r.uid == 1234 && r.gid == 10));
    CHECK(r.groups == std::vector<uint32_t>{10});

    r = user("bob:50");
    CHECK((r.uid == 1001 && r.gid == 50));
    CHECK(r.groups == std::vector<uint32_t>{50});

    r = user(":wheel");
    CHECK((r.uid == 0 && r.gid == 10));
    CHECK(r.groups == std::vector<uint32_t>{10});

    r = user("");
    CHECK((r.uid == 0 && r.gid == 0 && r.name == "root" && r.home == "/root"));
    CHECK(r.groups.empty());

    r = user("alice:");
    CHECK((r.uid == 1000 && r.gid == 1000));
    CHECK(r.groups == std::vector<uint32_t>{1000});

    r = user("root");
    CHECK((r.uid == 0 && r.gid == 0));
    CHECK(r.groups == std::vector<uint32_t>{0});

    r = user("alice:1234");
    CHECK((r.uid == 1000 && r.gid == 1234));
    CHECK(r.groups == std::vector<uint32_t>{1234});

    CHECK(user("nohome").home == "/");
}

TEST_CASE("--user without /etc/passwd or /etc/group") {
    auto r = resolve_user("1000", std::nullopt, std::nullopt);
    CHECK((r.uid == 1000 && r.gid == 0 && r.name.empty() && r.home == "/"));
    r = resolve_user("1000:2000", std::nullopt, std::nullopt);
    CHECK((r.uid == 1000 && r.gid == 2000));
    CHECK(r.groups == std::vector<uint32_t>{2000});
    r = resolve_user("", std::nullopt, std::nullopt);
    CHECK((r.uid == 0 && r.gid == 0 && r.groups.empty()));
    auto e = error_of([] { resolve_user("alice", std::nullopt, std::nullopt); });
    CHECK(e.first == "unable to find user alice: no matching entries in passwd file");
    CHECK(e.second == 126);
    // No group file: a user's memberships are none, a named group is an error.
    r = resolve_user("alice", kPasswd, std::nullopt);
    CHECK(r.groups == std::vector<uint32_t>{1000});
    CHECK(error_of([] { resolve_user("alice:staff", kPasswd, std::nullopt); }).first ==
          "unable to find group staff: no matching entries in group file");
}

TEST_CASE("--user names that the files do not have") {
    auto e = error_of([] { user("carol"); });
    CHECK(e.first == "unable to find user carol: no matching entries in passwd file");
    CHECK(e.second == 126);
    e = error_of([] { user("alice:nogroup"); });
    CHECK(e.first == "unable to find group nogroup: no matching entries in group file");
    CHECK(e.second == 126);
    // Not a line's prefix or a comment: whole names only.
    CHECK(!error_of([] { user("ali"); }).first.empty());
    CHECK(!error_of([] { user("# a comment"); }).first.empty());
}

// --- seccomp ----------------------------------------------------------------------------------------

namespace {

// Runs `checks` in a forked child after it installed `prog` and returns the numbers it reported
// (by convention: the errno of each call, 0 for success). `nnp` sets no_new_privs first, which an
// unprivileged process needs; `in_userns` first makes the child root of a new user namespace
// (holding CAP_SYS_ADMIN there), the container process's situation.
std::vector<int> in_filtered_child(const SeccompProgram& prog, bool nnp, bool in_userns,
                                   const std::function<std::vector<int>()>& checks) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(fds[0]);
        std::vector<int> out;
        if (in_userns && ::unshare(CLONE_NEWUSER) < 0) {
            out = {-1, errno};
        } else if (nnp && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
            out = {-2, errno};
        } else if (int e = install_seccomp(prog)) {
            out = {-3, e};
        } else {
            out = checks();
        }
        (void)!::write(fds[1], out.data(), out.size() * sizeof(int));
        ::_exit(0);
    }
    ::close(fds[1]);
    std::vector<int> got;
    int v;
    while (::read(fds[0], &v, sizeof v) == static_cast<ssize_t>(sizeof v)) got.push_back(v);
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status));
    return got;
}

int err_of(long rc) { return rc < 0 ? errno : 0; }

// clone with namespace flags: the child (if the filter let it through) leaves at once.
int raw_clone(unsigned long flags) {
    long rc = ::syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
    if (rc == 0) ::_exit(0);
    if (rc > 0) ::waitpid(static_cast<pid_t>(rc), nullptr, 0);
    return rc < 0 ? errno : 0;
}

bool userns_available() {
    pid_t pid = ::fork();
    if (pid == 0) ::_exit(::unshare(CLONE_NEWUSER) == 0 ? 0 : 1);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

double ms_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

struct TempDir {
    std::string path;
    TempDir() {
        char t[] = "/tmp/burrow-sec-XXXXXX";
        REQUIRE(::mkdtemp(t));
        path = t;
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("the default profile is in Podman's format, with Podman's default") {
    auto p = nlohmann::json::parse(default_seccomp_profile());
    CHECK(p["defaultAction"] == "SCMP_ACT_ERRNO");
    CHECK(p["defaultErrnoRet"] == 38);
    REQUIRE(p["syscalls"].is_array());
    std::set<std::string> allowed_always;
    for (const auto& r : p["syscalls"])
        if (r["action"] == "SCMP_ACT_ALLOW" && !r.contains("includes") && !r.contains("args") && !r.contains("excludes"))
            for (const auto& n : r["names"]) allowed_always.insert(n.get<std::string>());
    for (const char* n : {"read", "write", "execve", "getpid", "capset", "setresuid", "setgroups", "prctl", "ptrace", "close_range"})
        CHECK(allowed_always.count(n) == 1);
    for (const char* n : {"add_key", "keyctl", "kexec_load", "unshare", "mount", "setns", "clone", "socket", "io_uring_setup"})
        CHECK(allowed_always.count(n) == 0);
}

TEST_CASE("compiling the default profile; the capabilities change the program") {
    auto t = std::chrono::steady_clock::now();
    auto prog = compile_seccomp(default_seccomp_profile(), default_caps(), "(default)");
    double compile_ms = ms_since(t);
    std::fprintf(stderr, "seccomp: default profile compiled in %.2f ms, %zu instructions\n", compile_ms, prog.filter.size());
    REQUIRE_FALSE(prog.filter.empty());
    CHECK(prog.filter.size() <= BPF_MAXINSNS);
    CHECK(BPF_CLASS(prog.filter.back().code) == BPF_RET);
    auto admin = compile_seccomp(default_seccomp_profile(), default_caps() | bit(CAP_SYS_ADMIN), "(default)");
    CHECK(admin.filter.size() != prog.filter.size());
    auto again = compile_seccomp(default_seccomp_profile(), default_caps(), "(default)");
    CHECK(again.filter.size() == prog.filter.size());
    CHECK(std::memcmp(again.filter.data(), prog.filter.data(), prog.filter.size() * sizeof(sock_filter)) == 0);
}

TEST_CASE("profile mistakes name the profile") {
    const std::string path = "/home/u/prof.json";
    auto e = error_of([&] { compile_seccomp(R"({"defaultAction": "SCMP_ACT_NONSENSE"})", 0, path); });
    CHECK(e.first == "seccomp profile /home/u/prof.json: unknown action \"SCMP_ACT_NONSENSE\"");
    CHECK(e.second == 125);
    e = error_of([&] {
        compile_seccomp(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_BOGUS"}]})", 0, path);
    });
    CHECK(e.first.find(path) != std::string::npos);
    CHECK(e.first.find("SCMP_ACT_BOGUS") != std::string::npos);
    // A rule whose condition is not met is still checked.
    e = error_of([&] {
        compile_seccomp(R"({"syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_BOGUS", "includes": {"caps": ["CAP_SYS_BOOT"]}}]})", 0, path);
    });
    CHECK(e.first.find("SCMP_ACT_BOGUS") != std::string::npos);
    e = error_of([&] { compile_seccomp("{ not json", 0, path); });
    CHECK(e.first.rfind("seccomp profile /home/u/prof.json is not valid JSON", 0) == 0);
    CHECK(error_of([&] { compile_seccomp("[]", 0, path); }).first.find(path) != std::string::npos);
    e = error_of([&] { compile_seccomp(R"({"syscalls": [{"names": "mkdir", "action": "SCMP_ACT_ALLOW"}]})", 0, path); });
    CHECK(e.first.rfind("seccomp profile /home/u/prof.json: ", 0) == 0);
    e = error_of([&] {
        compile_seccomp(R"({"syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_ABOUT"}]}]})", 0, path);
    });
    CHECK(e.first == "seccomp profile /home/u/prof.json: unknown operator \"SCMP_CMP_ABOUT\"");
    e = error_of([&] { compile_seccomp(R"({"archMap": [{"architecture": "SCMP_ARCH_Z80", "subArchitectures": []}]})", 0, path); });
    CHECK(e.first == "seccomp profile /home/u/prof.json: unknown architecture \"SCMP_ARCH_Z80\"");
    // Unknown syscall names are skipped, as Podman does; other architectures' names too.
    CHECK_NOTHROW(compile_seccomp(R"({"syscalls": [{"names": ["no_such_call", "getpid"], "action": "SCMP_ACT_ALLOW"}]})", 0, path));
    // Podman's own file (its archMap names MIPS and others) compiles.
    if (auto podman = burrow::read_file_if_exists("/usr/share/containers/seccomp.json"))
        CHECK_FALSE(compile_seccomp(*podman, default_caps(), "/usr/share/containers/seccomp.json").filter.empty());
    // Allow-all without rules is no filter at all.
    CHECK(compile_seccomp(R"({"defaultAction": "SCMP_ACT_ALLOW"})", 0, path).filter.empty());
}

TEST_CASE("the default program is cached on disk, 0600, and reused") {
    TempDir dir;
    std::string cache = dir.path + "/cache";
    auto t = std::chrono::steady_clock::now();
    auto first = default_seccomp_program(default_caps(), cache);
    double cold_ms = ms_since(t);
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(cache)) files.push_back(e.path());
    REQUIRE(files.size() == 1);
    struct stat st {};
    REQUIRE(::stat(files[0].c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(static_cast<size_t>(st.st_size) == first.filter.size() * sizeof(sock_filter));
    t = std::chrono::steady_clock::now();
    auto second = default_seccomp_program(default_caps(), cache);
    double warm_ms = ms_since(t);
    std::fprintf(stderr, "seccomp: default program uncached %.2f ms, from the cache %.3f ms\n", cold_ms, warm_ms);
    REQUIRE(second.filter.size() == first.filter.size());
    CHECK(std::memcmp(second.filter.data(), first.filter.data(), first.filter.size() * sizeof(sock_filter)) == 0);
    // Other capabilities are another entry.
    (void)default_seccomp_program(default_caps() | bit(CAP_SYS_ADMIN), cache);
    CHECK(std::distance(std::filesystem::directory_iterator(cache), std::filesystem::directory_iterator()) == 2);
    // A damaged entry is not used: compiled again and rewritten.
    burrow::atomic_write_file(files[0], "garbage!", 0600, false);
    auto third = default_seccomp_program(default_caps(), cache);
    CHECK(third.filter.size() == first.filter.size());
    CHECK(burrow::read_file_if_exists(files[0])->size() == first.filter.size() * sizeof(sock_filter));
    // No cache dir: compiled every time, nothing written.
    CHECK(default_seccomp_program(default_caps(), "").filter.size() == first.filter.size());
}

TEST_CASE("the default filter, installed: what it refuses and what it lets through") {
    auto prog = compile_seccomp(default_seccomp_profile(), default_caps(), "(default)");
    auto r = in_filtered_child(prog, true, false, [] {
        return std::vector<int>{
            err_of(::syscall(SYS_getpid)),
            err_of(::syscall(SYS_add_key, "user", "k", "v", 1, -3)),
            err_of(::syscall(SYS_keyctl, 0, -3, 0)),
            err_of(::syscall(SYS_kexec_load, 0, 0, nullptr, 0)),
            err_of(::syscall(SYS_setns, -1, 0)),
            err_of(::unshare(CLONE_NEWUSER)),
            raw_clone(CLONE_NEWUTS),
            err_of(::syscall(SYS_clone3, nullptr, 0)),
            err_of(::syscall(SYS_personality, 0xffffffffUL)),
            err_of(::syscall(SYS_personality, 0x6UL)),  // PER_BSD: not one of the harmless ones
            err_of(::socket(AF_INET, SOCK_STREAM, 0)),
            err_of(::socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT)),
            err_of(::syscall(SYS_ptrace, 0x4242, 0, 0, 0)),  // allowed: the kernel answers ESRCH
            err_of(::syscall(SYS_io_uring_setup, 1, nullptr)),
            err_of(::syscall(SYS_chroot, "/no/such/dir")),  // CAP_SYS_CHROOT is in the default set
            err_of(::syscall(SYS_open_by_handle_at, -1, nullptr, 0)),
            err_of(::syscall(SYS_umount2, "/no/such/dir", 0)),
            raw_clone(0),  // a plain fork-like clone is fine
        };
    });
    REQUIRE(r.size() == 18);
    CHECK(r[0] == 0);
    CHECK(r[1] == ENOSYS);
    CHECK(r[2] == ENOSYS);
    CHECK(r[3] == EPERM);
    CHECK(r[4] == EPERM);
    CHECK(r[5] == EPERM);
    CHECK(r[6] == EPERM);
    CHECK(r[7] == ENOSYS);
    CHECK(r[8] == 0);
    CHECK(r[9] == ENOSYS);
    CHECK(r[10] == 0);
    CHECK(r[11] == EINVAL);
    CHECK(r[12] == ESRCH);
    CHECK(r[13] == ENOSYS);
    CHECK(r[14] == ENOENT);
    CHECK(r[15] == EPERM);
    CHECK(r[16] == EPERM);
    CHECK(r[17] == 0);
}

TEST_CASE("with CAP_SYS_ADMIN and CAP_AUDIT_WRITE the filter lets their calls reach the kernel") {
    auto prog = compile_seccomp(default_seccomp_profile(), default_caps() | bit(CAP_SYS_ADMIN) | bit(CAP_AUDIT_WRITE), "(default)");
    auto r = in_filtered_child(prog, true, false, [] {
        return std::vector<int>{
            err_of(::syscall(SYS_setns, -1, 0)),     // the kernel: bad fd
            err_of(::unshare(0)),                    // nothing to unshare: success
            err_of(::syscall(SYS_clone3, nullptr, 0)),  // the kernel: too small
            err_of(::socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT)),
            err_of(::syscall(SYS_add_key, "user", "k", "v", 1, -3)),  // refused whatever the caps
            err_of(::syscall(SYS_kexec_load, 0, 0, nullptr, 0)),
        };
    });
    REQUIRE(r.size() == 6);
    CHECK(r[0] == EBADF);
    CHECK(r[1] == 0);
    CHECK(r[2] == EINVAL);
    CHECK(r[3] != EINVAL);
    CHECK(r[4] == ENOSYS);
    CHECK(r[5] == EPERM);
}

TEST_CASE("a profile file: allow by default, refuse mkdir") {
    auto prog = compile_seccomp(
        R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]})",
        0, "test.json");
    REQUIRE_FALSE(prog.filter.empty());
    TempDir dir;
    std::string target = dir.path + "/made";
    auto r = in_filtered_child(prog, true, false, [&] {
        return std::vector<int>{err_of(::mkdir(target.c_str(), 0700)), err_of(::syscall(SYS_getpid)),
                                err_of(::unshare(0))};
    });
    REQUIRE(r.size() == 3);
    CHECK(r[0] == EACCES);
    CHECK(r[1] == 0);
    CHECK(r[2] == 0);
    CHECK_FALSE(std::filesystem::exists(target));
}

TEST_CASE("installing without no_new_privs needs CAP_SYS_ADMIN in the user namespace") {
    if (!userns_available()) {
        WARN("no user namespaces here: the ordering case is skipped");
        return;
    }
    auto prog = compile_seccomp(default_seccomp_profile(), default_caps(), "(default)");
    // Root of a fresh user namespace (the container process before setuid/capset): accepted.
    auto r = in_filtered_child(prog, false, true, [] {
        int nnp = ::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
        return std::vector<int>{nnp, err_of(::syscall(SYS_add_key, "user", "k", "v", 1, -3)), err_of(::syscall(SYS_getpid))};
    });
    REQUIRE(r.size() == 3);
    CHECK(r[0] == 0);
    CHECK(r[1] == ENOSYS);
    CHECK(r[2] == 0);
    // The same process once its capabilities are gone: refused, so install before dropping them.
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t pid = ::fork();
    if (pid == 0) {
        int e = -1;
        if (::unshare(CLONE_NEWUSER) == 0) {
            __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
            __user_cap_data_struct data[2] = {};
            e = ::syscall(SYS_capset, &hdr, data) < 0 ? -2 : install_seccomp(prog);
        }
        (void)!::write(fds[1], &e, sizeof e);
        ::_exit(0);
    }
    ::close(fds[1]);
    int e = 0;
    CHECK(::read(fds[0], &e, sizeof e) == static_cast<ssize_t>(sizeof e));
    ::close(fds[0]);
    ::waitpid(pid, nullptr, 0);
    CHECK(e == EACCES);
}

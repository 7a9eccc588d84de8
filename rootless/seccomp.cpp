// Podman-format seccomp profiles compiled with libseccomp, and burrow's default profile.
#include "rootless/seccomp.hpp"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/fs.hpp"
#include "base/strings.hpp"
#include "rootless/caps.hpp"

namespace burrow::rootless {

namespace {

// burrow's default profile, in Podman's format. The facts follow Podman 4.3's default profile
// (containers/common seccomp.json): what it refuses is refused here, with the same errno (ENOSYS for
// anything unnamed, EPERM for the named dangers, EINVAL for audit sockets). Two deliberate additions,
// as Docker's profile has them: creating or joining namespaces and mounting need CAP_SYS_ADMIN
// (clone flags, unshare, setns, mount and the new mount API), and the keyring calls (keyctl) are
// refused, since a rootless container's root is the user's own uid on the host and would reach the
// user's keyrings. Newer benign calls (fchmodat2, futex_waitv, cachestat…) are allowed; io_uring is not.

// Allowed to every container.
constexpr const char* kAllowed =
    "_llseek _newselect accept accept4 access adjtimex alarm bind brk cachestat capget capset chdir chmod "
    "chown chown32 clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime "
    "clock_gettime64 clock_nanosleep clock_nanosleep_time64 close close_range connect copy_file_range creat "
    "dup dup2 dup3 epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait "
    "epoll_wait_old eventfd eventfd2 execve execveat exit exit_group faccessat faccessat2 fadvise64 "
    "fadvise64_64 fallocate fanotify_mark fchdir fchmod fchmodat fchmodat2 fchown fchown32 fchownat fcntl "
    "fcntl64 fdatasync fgetxattr flistxattr flock fork fremovexattr fsetxattr fstat fstat64 fstatat64 fstatfs "
    "fstatfs64 fsync ftruncate ftruncate64 futex futex_requeue futex_time64 futex_wait futex_waitv futex_wake "
    "futimesat get_mempolicy get_robust_list get_thread_area getcpu getcwd getdents getdents64 getegid "
    "getegid32 geteuid geteuid32 getgid getgid32 getgroups getgroups32 getitimer getpeername getpgid getpgrp "
    "getpid getppid getpriority getrandom getresgid getresgid32 getresuid getresuid32 getrlimit getrusage "
    "getsid getsockname getsockopt gettid gettimeofday getuid getuid32 getxattr inotify_add_watch "
    "inotify_init inotify_init1 inotify_rm_watch io_cancel io_destroy io_getevents io_setup io_submit ioctl "
    "ioprio_get ioprio_set ipc kill landlock_add_rule landlock_create_ruleset landlock_restrict_self lchown "
    "lchown32 lgetxattr link linkat listen listxattr llistxattr lremovexattr lseek lsetxattr lstat lstat64 "
    "madvise map_shadow_stack mbind membarrier memfd_create memfd_secret mincore mkdir mkdirat mknod mknodat "
    "mlock mlock2 mlockall mmap mmap2 mprotect mq_getsetattr mq_notify mq_open mq_timedreceive "
    "mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 mq_unlink mremap msgctl msgget msgrcv msgsnd "
    "msync munlock munlockall munmap name_to_handle_at nanosleep newfstatat open openat openat2 pause "
    "pidfd_getfd pidfd_open pidfd_send_signal pipe pipe2 pkey_alloc pkey_free pkey_mprotect poll ppoll "
    "ppoll_time64 prctl pread64 preadv preadv2 prlimit64 process_mrelease process_vm_readv process_vm_writev "
    "pselect6 pselect6_time64 ptrace pwrite64 pwritev pwritev2 read readahead readdir readlink readlinkat "
    "readv reboot recv recvfrom recvmmsg recvmmsg_time64 recvmsg remap_file_pages removexattr rename renameat "
    "renameat2 restart_syscall rmdir rseq rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo "
    "rt_sigreturn rt_sigsuspend rt_sigtimedwait rt_sigtimedwait_time64 rt_tgsigqueueinfo sched_get_priority_max "
    "sched_get_priority_min sched_getaffinity sched_getattr sched_getparam sched_getscheduler "
    "sched_rr_get_interval sched_rr_get_interval_time64 sched_setaffinity sched_setattr sched_setparam "
    "sched_setscheduler sched_yield seccomp select semctl semget semop semtimedop semtimedop_time64 send "
    "sendfile sendfile64 sendmmsg sendmsg sendto set_mempolicy set_mempolicy_home_node set_robust_list "
    "set_thread_area set_tid_address setfsgid setfsgid32 setfsuid setfsuid32 setgid setgid32 setgroups "
    "setgroups32 setitimer setpgid setpriority setregid setregid32 setresgid setresgid32 setresuid "
    "setresuid32 setreuid setreuid32 setrlimit setsid setsockopt setuid setuid32 setxattr shmat shmctl shmdt "
    "shmget shutdown sigaction sigaltstack signal signalfd signalfd4 sigpending sigprocmask sigreturn "
    "sigsuspend socketcall socketpair splice stat stat64 statfs statfs64 statx symlink symlinkat sync "
    "sync_file_range syncfs syscall sysinfo syslog tee tgkill time timer_create timer_delete "
    "timer_getoverrun timer_gettime timer_gettime64 timer_settime timer_settime64 timerfd timerfd_create "
    "timerfd_gettime timerfd_gettime64 timerfd_settime timerfd_settime64 times tkill truncate truncate64 "
    "ugetrlimit umask uname unlink unlinkat utime utimensat utimensat_time64 utimes vfork wait4 waitid "
    "waitpid write writev";

// Allowed on some architectures only ("arches" in Go's names).
struct ArchGroup {
    const char* arches;
    const char* names;
};
constexpr ArchGroup kArchGroups[] = {
    {"amd64 x32", "arch_prctl"},
    {"amd64 x32 x86", "modify_ldt"},
    {"arm arm64", "arm_fadvise64_64 arm_sync_file_range breakpoint cacheflush set_tls sync_file_range2"},
    {"ppc64le", "sync_file_range2"},
    {"s390 s390x", "s390_pci_mmio_read s390_pci_mmio_write s390_runtime_instr"},
};

// Allowed only with the capability, EPERM without it.
struct CapGroup {
    const char* cap;
    const char* names;
};
constexpr CapGroup kCapGroups[] = {
    {"CAP_DAC_READ_SEARCH", "open_by_handle_at"},
    {"CAP_SYS_ADMIN", "bpf fanotify_init lookup_dcookie perf_event_open quotactl quotactl_fd setdomainname "
                      "sethostname setns unshare mount umount umount2 pivot_root fsopen fsconfig fsmount "
                      "fspick move_mount open_tree mount_setattr"},
    {"CAP_SYS_CHROOT", "chroot"},
    {"CAP_SYS_MODULE", "delete_module finit_module init_module query_module"},
    {"CAP_SYS_PACCT", "acct"},
    {"CAP_SYS_PTRACE", "kcmp process_madvise"},
    {"CAP_SYS_RAWIO", "ioperm iopl"},
    {"CAP_SYS_TIME", "clock_settime clock_settime64 settimeofday stime"},
    {"CAP_SYS_TTY_CONFIG", "vhangup"},
};

// Refused with EPERM whatever the capabilities (first in the profile, so nothing later allows them).
constexpr const char* kDenied =
    "bdflush io_pgetevents kexec_file_load kexec_load migrate_pages move_pages nfsservctl nice oldfstat "
    "oldlstat oldolduname oldstat olduname pciconfig_iobase pciconfig_read pciconfig_write sgetmask ssetmask "
    "swapcontext swapoff swapon sysfs uselib userfaultfd ustat vm86 vm86old vmsplice";

// CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET
constexpr uint64_t kNamespaceFlags = 0x7E020000ULL;
constexpr int kEperm = 1, kEinval = 22, kEnosys = 38;
constexpr uint64_t kAfNetlink = 16, kNetlinkAudit = 9;

nlohmann::json names_of(const char* list) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& n : split(list, ' '))
        if (!n.empty()) a.push_back(n);
    return a;
}

nlohmann::json arg(unsigned index, uint64_t value, const char* op) {
    return {{"index", index}, {"value", value}, {"valueTwo", 0}, {"op", op}};
}

std::string build_default_profile() {
    using nlohmann::json;
    json p;
    p["defaultAction"] = "SCMP_ACT_ERRNO";
    p["defaultErrnoRet"] = kEnosys;  // unknown to the filter looks like unknown to the kernel: callers fall back
    p["archMap"] = json::array({{{"architecture", "SCMP_ARCH_X86_64"}, {"subArchitectures", {"SCMP_ARCH_X86", "SCMP_ARCH_X32"}}},
                                {{"architecture", "SCMP_ARCH_AARCH64"}, {"subArchitectures", {"SCMP_ARCH_ARM"}}}});
    json rules = json::array();
    auto errno_rule = [](json names, int err) { return json{{"names", names}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", err}}; };
    auto allow = [](json names) { return json{{"names", names}, {"action", "SCMP_ACT_ALLOW"}}; };
    auto caps = [](const char* cap) { return json{{"caps", {cap}}}; };

    rules.push_back(errno_rule(names_of(kDenied), kEperm));
    rules.push_back(allow(names_of(kAllowed)));
    // personality: Linux and its harmless tweaks (ADDR_NO_RANDOMIZE, 32-bit), and the query.
    for (uint64_t v : {0x0ULL, 0x8ULL, 0x20000ULL, 0x20008ULL, 0xffffffffULL}) {
        json r = allow({"personality"});
        r["args"] = {arg(0, v, "SCMP_CMP_EQ")};
        rules.push_back(r);
    }
    for (const auto& g : kArchGroups) {
        json r = allow(names_of(g.names));
        r["includes"] = {{"arches", names_of(g.arches)}};
        rules.push_back(r);
    }
    for (const auto& g : kCapGroups) {
        json yes = allow(names_of(g.names)), no = errno_rule(names_of(g.names), kEperm);
        yes["includes"] = caps(g.cap);
        no["excludes"] = caps(g.cap);
        rules.push_back(yes);
        rules.push_back(no);
    }
    // clone: without CAP_SYS_ADMIN, no namespace flag. clone3 passes its flags in memory the filter
    // cannot read: ENOSYS makes libc fall back to clone.
    json clone = allow({"clone"});
    clone["args"] = {arg(0, kNamespaceFlags, "SCMP_CMP_MASKED_EQ")};  // (flags & value) == valueTwo (0)
    clone["excludes"] = caps("CAP_SYS_ADMIN");
    rules.push_back(clone);
    // ... and each namespace flag refused with EPERM rather than the default ENOSYS, so that
    // `unshare -U` in a container says "Operation not permitted", as under Docker's profile.
    for (uint64_t bit = 1; bit; bit <<= 1) {
        if (!(kNamespaceFlags & bit)) continue;
        json refuse = errno_rule({"clone"}, kEperm);
        refuse["args"] = {{{"index", 0}, {"value", bit}, {"valueTwo", bit}, {"op", "SCMP_CMP_MASKED_EQ"}}};
        refuse["excludes"] = caps("CAP_SYS_ADMIN");
        rules.push_back(refuse);
    }
    json clone_all = allow({"clone", "clone3"});
    clone_all["includes"] = caps("CAP_SYS_ADMIN");
    rules.push_back(clone_all);
    // socket: everything but netlink audit, which needs CAP_AUDIT_WRITE (EINVAL, as Podman).
    json audit = errno_rule({"socket"}, kEinval);
    audit["args"] = {arg(0, kAfNetlink, "SCMP_CMP_EQ"), arg(2, kNetlinkAudit, "SCMP_CMP_EQ")};
    audit["excludes"] = caps("CAP_AUDIT_WRITE");
    rules.push_back(audit);
    for (auto a : {arg(0, kAfNetlink, "SCMP_CMP_NE"), arg(2, kNetlinkAudit, "SCMP_CMP_NE")}) {
        json r = allow({"socket"});
        r["args"] = {a};
        r["excludes"] = caps("CAP_AUDIT_WRITE");
        rules.push_back(r);
    }
    json socket_all = allow({"socket"});
    socket_all["includes"] = caps("CAP_AUDIT_WRITE");
    rules.push_back(socket_all);
    p["syscalls"] = rules;
    return p.dump();
}

uint32_t parse_action(const std::string& a, int errno_ret, const std::string& what) {
    if (a == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
    if (a == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(static_cast<uint16_t>(errno_ret));
    if (a == "SCMP_ACT_KILL" || a == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL;
    if (a == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
    if (a == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
    if (a == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
    if (a == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(static_cast<uint16_t>(errno_ret));
    if (a == "SCMP_ACT_NOTIFY") throw Error("seccomp profile " + what + ": SCMP_ACT_NOTIFY is not supported by burrow");
    throw Error("seccomp profile " + what + ": unknown action \"" + a + "\"");
}

scmp_compare parse_op(const std::string& op, const std::string& what) {
    if (op == "SCMP_CMP_NE") return SCMP_CMP_NE;
    if (op == "SCMP_CMP_LT") return SCMP_CMP_LT;
    if (op == "SCMP_CMP_LE") return SCMP_CMP_LE;
    if (op == "SCMP_CMP_EQ") return SCMP_CMP_EQ;
    if (op == "SCMP_CMP_GE") return SCMP_CMP_GE;
    if (op == "SCMP_CMP_GT") return SCMP_CMP_GT;
    if (op == "SCMP_CMP_MASKED_EQ") return SCMP_CMP_MASKED_EQ;
    throw Error("seccomp profile " + what + ": unknown operator \"" + op + "\"");
}

// "SCMP_ARCH_X86_64" -> libseccomp's token; 0 when libseccomp does not know the name.
uint32_t parse_arch(const std::string& a) {
    if (a.rfind("SCMP_ARCH_", 0) != 0) return 0;
    std::string n = a.substr(10);
    for (auto& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return seccomp_arch_resolve_name(n.c_str());
}

uint32_t arch_or_throw(const std::string& a, const std::string& what) {
    uint32_t v = parse_arch(a);
    if (!v) throw Error("seccomp profile " + what + ": unknown architecture \"" + a + "\"");
    return v;
}

// The names Podman's "arches" conditions use (Go's GOARCH) for the architecture we run on.
std::string native_arch_name() {
    switch (seccomp_arch_native()) {
    case SCMP_ARCH_X86_64: return "amd64";
    case SCMP_ARCH_X86: return "x86";
    case SCMP_ARCH_AARCH64: return "arm64";
    case SCMP_ARCH_ARM: return "arm";
    case SCMP_ARCH_PPC64LE: return "ppc64le";
    case SCMP_ARCH_S390X: return "s390x";
    case SCMP_ARCH_RISCV64: return "riscv64";
    default: return "other";
    }
}

// The companions the kernel runs on this architecture (32-bit and x32 on amd64, arm on arm64):
// the only other architectures worth a filter section here.
bool companion_of_native(uint32_t a) {
    switch (seccomp_arch_native()) {
    case SCMP_ARCH_X86_64: return a == SCMP_ARCH_X86 || a == SCMP_ARCH_X32;
    case SCMP_ARCH_AARCH64: return a == SCMP_ARCH_ARM;
    case SCMP_ARCH_S390X: return a == SCMP_ARCH_S390;
    default: return false;
    }
}

// kernel "6.18.0-foo" >= "5.8"?
bool kernel_at_least(const std::string& min) {
    struct utsname u {};
    ::uname(&u);
    int a = 0, b = 0, x = 0, y = 0;
    std::sscanf(u.release, "%d.%d", &a, &b);
    std::sscanf(min.c_str(), "%d.%d", &x, &y);
    return a > x || (a == x && b >= y);
}

// Podman's conditions: a rule applies when every "includes" holds (all its caps held, the native
// arch listed, the kernel recent enough) and no "excludes" does (none of its caps held…).
bool applies(const nlohmann::json& cond, uint64_t caps, bool include) {
    if (!cond.is_object()) return true;
    bool match = true;
    if (cond.contains("caps") && cond["caps"].is_array() && !cond["caps"].empty()) {
        for (const auto& c : cond["caps"]) {
            auto n = cap_from_name(c.get<std::string>());
            bool held = n && (caps & (1ULL << *n));
            if (include && !held) match = false;
            if (!include && held) return false;
        }
    }
    if (cond.contains("arches") && cond["arches"].is_array() && !cond["arches"].empty()) {
        bool in = false;
        for (const auto& a : cond["arches"]) in = in || a.get<std::string>() == native_arch_name();
        if (include && !in) match = false;
        if (!include && in) return false;
    }
    if (cond.contains("minKernel") && cond["minKernel"].is_string()) {
        bool ok = kernel_at_least(cond["minKernel"].get<std::string>());
        if (include && !ok) match = false;
        if (!include && ok) return false;
    }
    return include ? match : true;
}

struct Ctx {
    scmp_filter_ctx c;
    explicit Ctx(uint32_t def) : c(seccomp_init(def)) {}
    ~Ctx() {
        if (c) seccomp_release(c);
    }
};

// Two FNV-1a 64 hashes with different offsets: a stable 128-bit file name for the cache (the
// cache is the user's own; this is not a security boundary, so no libcrypto is loaded for it).
std::string cache_key(const std::string& text) {
    uint64_t a = 0xcbf29ce484222325ULL, b = 0x84222325cbf29ce4ULL;
    for (unsigned char c : text) {
        a = (a ^ c) * 0x100000001b3ULL;
        b = (b ^ c) * 0x100000001b3ULL;
        b ^= b >> 29;
    }
    char buf[40];
    std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(a), static_cast<unsigned long long>(b));
    return buf;
}

SeccompProgram compile_parsed(const nlohmann::json& p, uint64_t caps, const std::string& what) {
    uint32_t def = parse_action(p.value("defaultAction", std::string("SCMP_ACT_ERRNO")), p.value("defaultErrnoRet", 1), what);
    static const nlohmann::json kNone = nlohmann::json::array();
    const nlohmann::json& rules = p.contains("syscalls") && !p["syscalls"].is_null() ? p["syscalls"] : kNone;
    if (!rules.is_array()) throw Error("seccomp profile " + what + ": \"syscalls\" is not a list");
    if (def == SCMP_ACT_ALLOW && rules.empty()) return {};
    Ctx ctx(def);
    if (!ctx.c) throw Error("seccomp profile " + what + ": libseccomp refused the default action");
    // We export the program and install it ourselves: libseccomp's NNP default does not apply.
    seccomp_attr_set(ctx.c, SCMP_FLTATR_CTL_NNP, 0);
    // The native architecture and the companions the profile names for it (archMap), or those of
    // the old "architectures" list that the kernel runs here.
    uint32_t native = seccomp_arch_native();
    auto add_arch = [&](uint32_t a) {
        if (a != native && companion_of_native(a)) seccomp_arch_add(ctx.c, a);
    };
    if (p.contains("archMap") && !p["archMap"].is_null()) {
        for (const auto& m : p["archMap"]) {
            uint32_t main = arch_or_throw(m.value("architecture", std::string()), what);
            std::vector<uint32_t> subs;
            for (const auto& sub : m.value("subArchitectures", nlohmann::json::array()))
                subs.push_back(arch_or_throw(sub.get<std::string>(), what));
            if (main != native) continue;
            for (uint32_t a : subs) add_arch(a);
        }
    } else if (p.contains("architectures") && !p["architectures"].is_null()) {
        for (const auto& a : p["architectures"]) add_arch(arch_or_throw(a.get<std::string>(), what));
    }
    for (const auto& rule : rules) {
        // Checked before the conditions, so a mistake shows whatever the capabilities.
        uint32_t action = parse_action(rule.value("action", std::string()), rule.value("errnoRet", 1), what);
        std::vector<scmp_arg_cmp> args;
        for (const auto& a : rule.value("args", nlohmann::json::array())) {
            unsigned index = a.value("index", 0u);
            if (index > 5) throw Error("seccomp profile " + what + ": argument index " + std::to_string(index) + " is out of range");
            args.push_back({index, parse_op(a.value("op", std::string()), what), a.value("value", uint64_t{0}),
                            a.value("valueTwo", uint64_t{0})});
        }
        if (rule.contains("includes") && !applies(rule["includes"], caps, true)) continue;
        if (rule.contains("excludes") && !applies(rule["excludes"], caps, false)) continue;
        if (action == def) continue;  // libseccomp refuses rules that repeat the default
        std::vector<std::string> names;
        if (rule.contains("names") && !rule["names"].is_null()) names = rule["names"].get<std::vector<std::string>>();
        if (rule.contains("name")) names.push_back(rule["name"].get<std::string>());
        for (const auto& n : names) {
            int nr = seccomp_syscall_resolve_name(n.c_str());
            if (nr == __NR_SCMP_ERROR) continue;  // not a syscall of this architecture: skipped, as Podman
            // A rule that conflicts with an earlier one for the same syscall is refused by
            // libseccomp; the earlier one stays, as the profile's order says.
            (void)seccomp_rule_add_array(ctx.c, action, nr, static_cast<unsigned>(args.size()), args.data());
        }
    }
    int mfd = static_cast<int>(::syscall(SYS_memfd_create, "seccomp", MFD_CLOEXEC));
    if (mfd < 0) throw_errno("memfd_create");
    UniqueFd owner(mfd);
    if (int rc = seccomp_export_bpf(ctx.c, mfd); rc < 0) throw SysError("export the seccomp filter of " + what, -rc);
    off_t size = ::lseek(mfd, 0, SEEK_END);
    if (size < 0) throw_errno("read the seccomp filter");
    SeccompProgram out;
    out.filter.resize(static_cast<size_t>(size) / sizeof(sock_filter));
    if (::pread(mfd, out.filter.data(), out.filter.size() * sizeof(sock_filter), 0) != static_cast<ssize_t>(size))
        throw_errno("read the seccomp filter");
    if (out.filter.size() > BPF_MAXINSNS)
        throw Error("seccomp profile " + what + ": the filter has " + std::to_string(out.filter.size()) +
                    " instructions, more than the kernel's " + std::to_string(BPF_MAXINSNS));
    return out;
}

// A cached program: whole instructions, no more than the kernel takes, ending in a return.
bool well_formed(const std::string& bytes, SeccompProgram& p) {
    if (bytes.empty() || bytes.size() % sizeof(sock_filter) != 0 || bytes.size() / sizeof(sock_filter) > BPF_MAXINSNS)
        return false;
    p.filter.resize(bytes.size() / sizeof(sock_filter));
    std::memcpy(p.filter.data(), bytes.data(), bytes.size());
    return BPF_CLASS(p.filter.back().code) == BPF_RET;
}

}  // namespace

const std::string& default_seccomp_profile() {
    static const std::string p = build_default_profile();
    return p;
}

SeccompProgram compile_seccomp(const std::string& profile_json, uint64_t caps, const std::string& what) {
    nlohmann::json p;
    try {
        p = nlohmann::json::parse(profile_json);
    } catch (const nlohmann::json::exception& e) {
        throw Error("seccomp profile " + what + " is not valid JSON: " + e.what());
    }
    if (!p.is_object()) throw Error("seccomp profile " + what + " is not a JSON object");
    try {
        return compile_parsed(p, caps, what);
    } catch (const nlohmann::json::exception& e) {
        // A field of the wrong type: nlohmann names it ("type must be string, but is number").
        throw Error("seccomp profile " + what + ": " + e.what());
    }
}

SeccompProgram default_seccomp_program(uint64_t caps, const std::string& cache_dir) {
    if (cache_dir.empty()) return compile_seccomp(default_seccomp_profile(), caps, "(default)");
    struct utsname u {};
    ::uname(&u);
    std::string key = cache_key(default_seccomp_profile() + "\n" + std::to_string(caps) + "\n" +
                                std::to_string(seccomp_arch_native()) + "\n" + u.release + "\n" +
                                std::to_string(seccomp_version()->major) + "." + std::to_string(seccomp_version()->minor));
    std::string path = cache_dir + "/seccomp-" + key.substr(0, 32) + ".bpf";
    if (auto cached = read_file_if_exists(path)) {
        SeccompProgram p;
        if (well_formed(*cached, p)) return p;
    }
    SeccompProgram p = compile_seccomp(default_seccomp_profile(), caps, "(default)");
    try {
        mkdir_p(cache_dir, 0700);
        // Not durable: a cache lost in a crash only costs the next start a compile.
        atomic_write_file(path, std::string_view(reinterpret_cast<const char*>(p.filter.data()), p.filter.size() * sizeof(sock_filter)),
                          0600, false);
    } catch (const Error&) {
        // A cache we cannot write only costs the next start a compile.
    }
    return p;
}

int install_seccomp(const SeccompProgram& p) {
    if (p.filter.empty()) return 0;
    struct sock_fprog prog;
    prog.len = static_cast<unsigned short>(p.filter.size());
    prog.filter = const_cast<sock_filter*>(p.filter.data());
    if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) return errno;
    return 0;
}

}  // namespace burrow::rootless

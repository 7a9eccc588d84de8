// Podman-format seccomp profiles compiled with libseccomp, and burrow's default profile.
#include "rootless/seccomp.hpp"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "rootless/caps.hpp"

namespace burrow::rootless {

namespace {

// What Podman's default profile allows to every container: the ordinary syscalls. Anything not
// named here (or below, behind a capability) fails with ENOSYS, as Podman's defaultErrnoRet 38.
constexpr const char* kAllowed =
    "accept accept4 access adjtimex alarm bind brk cachestat capget capset chdir chmod chown chown32 "
    "clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime clock_gettime64 "
    "clock_nanosleep clock_nanosleep_time64 close close_range connect copy_file_range creat dup dup2 dup3 "
    "epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old "
    "eventfd eventfd2 execve execveat exit exit_group faccessat faccessat2 fadvise64 fadvise64_64 fallocate "
    "fanotify_mark fchdir fchmod fchmodat fchmodat2 fchown fchown32 fchownat fcntl fcntl64 fdatasync fgetxattr "
    "flistxattr flock fork fremovexattr fsconfig fsetxattr fsmount fsopen fspick fstat fstat64 fstatat64 "
    "fstatfs fstatfs64 fsync ftruncate ftruncate64 futex futex_requeue futex_time64 futex_wait futex_waitv "
    "futex_wake futimesat getcpu getcwd getdents getdents64 getegid getegid32 geteuid geteuid32 getgid "
    "getgid32 getgroups getgroups32 getitimer getpeername getpgid getpgrp getpid getppid getpriority "
    "getrandom getresgid getresgid32 getresuid getresuid32 getrlimit get_robust_list getrusage getsid "
    "getsockname getsockopt get_thread_area gettid gettimeofday getuid getuid32 getxattr inotify_add_watch "
    "inotify_init inotify_init1 inotify_rm_watch io_cancel ioctl io_destroy io_getevents io_pgetevents "
    "io_pgetevents_time64 ioprio_get ioprio_set io_setup io_submit io_uring_enter io_uring_register "
    "io_uring_setup ipc kill landlock_add_rule landlock_create_ruleset landlock_restrict_self lchown "
    "lchown32 lgetxattr link linkat listen listxattr llistxattr _llseek lremovexattr lseek lsetxattr lstat "
    "lstat64 madvise map_shadow_stack membarrier memfd_create memfd_secret mincore mkdir mkdirat mknod "
    "mknodat mlock mlock2 mlockall mmap mmap2 mount_setattr move_mount mprotect mq_getsetattr mq_notify "
    "mq_open mq_timedreceive mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 mq_unlink mremap msgctl "
    "msgget msgrcv msgsnd msync munlock munlockall munmap name_to_handle_at nanosleep newfstatat _newselect "
    "open openat openat2 open_tree pause pidfd_getfd pidfd_open pidfd_send_signal pipe pipe2 pkey_alloc "
    "pkey_free pkey_mprotect poll ppoll ppoll_time64 prctl pread64 preadv preadv2 prlimit64 process_mrelease "
    "pselect6 pselect6_time64 pwrite64 pwritev pwritev2 read readahead readlink readlinkat readv recv "
    "recvfrom recvmmsg recvmmsg_time64 recvmsg remap_file_pages removexattr rename renameat renameat2 "
    "restart_syscall rmdir rseq rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn "
    "rt_sigsuspend rt_sigtimedwait rt_sigtimedwait_time64 rt_tgsigqueueinfo sched_getaffinity sched_getattr "
    "sched_getparam sched_get_priority_max sched_get_priority_min sched_getscheduler sched_rr_get_interval "
    "sched_rr_get_interval_time64 sched_setaffinity sched_setattr sched_setparam sched_setscheduler "
    "sched_yield seccomp select semctl semget semop semtimedop semtimedop_time64 send sendfile sendfile64 "
    "sendmmsg sendmsg sendto setfsgid setfsgid32 setfsuid setfsuid32 setgid setgid32 setgroups setgroups32 "
    "setitimer setpgid setpriority setregid setregid32 setresgid setresgid32 setresuid setresuid32 setreuid "
    "setreuid32 setrlimit set_robust_list setsid setsockopt set_thread_area set_tid_address setuid setuid32 "
    "setxattr shmat shmctl shmdt shmget shutdown sigaltstack signalfd signalfd4 sigprocmask sigreturn socket "
    "socketcall socketpair splice stat stat64 statfs statfs64 statx symlink symlinkat sync sync_file_range "
    "syncfs sysinfo tee tgkill time timer_create timer_delete timer_getoverrun timer_gettime "
    "timer_gettime64 timer_settime timer_settime64 timerfd_create timerfd_gettime timerfd_gettime64 "
    "timerfd_settime timerfd_settime64 times tkill truncate truncate64 ugetrlimit umask uname unlink unlinkat "
    "utime utimensat utimensat_time64 utimes vfork wait4 waitid waitpid write writev "
    "arch_prctl modify_ldt chroot";

// Allowed only with the capability; refused with EPERM without it (Podman's profile does the same).
struct CapGroup {
    const char* cap;
    const char* names;
};
constexpr CapGroup kCapGroups[] = {
    {"CAP_SYS_ADMIN", "bpf clone3 fanotify_init lookup_dcookie mount perf_event_open quotactl quotactl_fd "
                      "setdomainname sethostname setns syslog umount umount2 unshare"},
    {"CAP_SYS_BOOT", "reboot"},
    {"CAP_SYS_MODULE", "delete_module init_module finit_module"},
    {"CAP_SYS_PACCT", "acct"},
    {"CAP_SYS_PTRACE", "kcmp process_madvise process_vm_readv process_vm_writev ptrace"},
    {"CAP_SYS_RAWIO", "iopl ioperm"},
    {"CAP_SYS_TIME", "settimeofday stime clock_settime clock_settime64"},
    {"CAP_SYS_TTY_CONFIG", "vhangup"},
    {"CAP_SYS_NICE", "get_mempolicy mbind set_mempolicy set_mempolicy_home_node"},
    {"CAP_SYSLOG", "syslog"},
    {"CAP_BPF", "bpf"},
    {"CAP_PERFMON", "perf_event_open"},
};

// Never allowed, even with capabilities: EPERM.
constexpr const char* kDenied =
    "bdflush kexec_file_load kexec_load migrate_pages move_pages nfsservctl pciconfig_iobase pciconfig_read "
    "pciconfig_write sgetmask ssetmask swapcontext swapoff swapon sysfs uselib userfaultfd ustat vm86 vm86old "
    "vmsplice keyctl add_key request_key";

constexpr uint64_t kNamespaceFlags = 0x7E020000ULL;  // CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET

nlohmann::json names_of(const char* list) {
    nlohmann::json a = nlohmann::json::array();
    std::string s(list), cur;
    for (char c : s + " ") {
        if (c == ' ') {
            if (!cur.empty()) a.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    return a;
}

std::string build_default_profile() {
    using nlohmann::json;
    json p;
    p["defaultAction"] = "SCMP_ACT_ERRNO";
    p["defaultErrnoRet"] = 38;
    p["archMap"] = json::array({{{"architecture", "SCMP_ARCH_X86_64"}, {"subArchitectures", {"SCMP_ARCH_X86", "SCMP_ARCH_X32"}}},
                                {{"architecture", "SCMP_ARCH_AARCH64"}, {"subArchitectures", {"SCMP_ARCH_ARM"}}}});
    json rules = json::array();
    rules.push_back({{"names", names_of(kAllowed)}, {"action", "SCMP_ACT_ALLOW"}});
    // personality: only the harmless domains (Linux, with address-randomisation or 32-bit tweaks).
    for (uint64_t v : {0x0ULL, 0x8ULL, 0x20000ULL, 0x20008ULL, 0xffffffffULL})
        rules.push_back({{"names", {"personality"}}, {"action", "SCMP_ACT_ALLOW"},
                         {"args", {{{"index", 0}, {"value", v}, {"valueTwo", 0}, {"op", "SCMP_CMP_EQ"}}}}});
    // clone without namespace flags for everyone; with them only with CAP_SYS_ADMIN.
    rules.push_back({{"names", {"clone"}}, {"action", "SCMP_ACT_ALLOW"},
                     {"args", {{{"index", 0}, {"value", kNamespaceFlags}, {"valueTwo", 0}, {"op", "SCMP_CMP_MASKED_EQ"}}}},
                     {"excludes", {{"caps", {"CAP_SYS_ADMIN"}}}}});
    rules.push_back({{"names", {"clone"}}, {"action", "SCMP_ACT_ALLOW"}, {"includes", {{"caps", {"CAP_SYS_ADMIN"}}}}});
    // clone3 cannot be filtered by its flags: ENOSYS makes libc fall back to clone.
    rules.push_back({{"names", {"clone3"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 38},
                     {"excludes", {{"caps", {"CAP_SYS_ADMIN"}}}}});
    for (const auto& g : kCapGroups) {
        rules.push_back({{"names", names_of(g.names)}, {"action", "SCMP_ACT_ALLOW"}, {"includes", {{"caps", {g.cap}}}}});
        rules.push_back({{"names", names_of(g.names)}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 1},
                         {"excludes", {{"caps", {g.cap}}}}});
    }
    rules.push_back({{"names", names_of(kDenied)}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 1}});
    p["syscalls"] = rules;
    return p.dump(1);
}

uint32_t parse_action(const std::string& a, int errno_ret, const std::string& what) {
    if (a == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
    if (a == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(static_cast<uint16_t>(errno_ret));
    if (a == "SCMP_ACT_KILL" || a == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL;
    if (a == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
    if (a == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
    if (a == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
    if (a == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(static_cast<uint16_t>(errno_ret));
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

uint32_t parse_arch(const std::string& a) {
    static const std::pair<const char*, uint32_t> table[] = {
        {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64}, {"SCMP_ARCH_X86", SCMP_ARCH_X86},   {"SCMP_ARCH_X32", SCMP_ARCH_X32},
        {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64}, {"SCMP_ARCH_ARM", SCMP_ARCH_ARM}, {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
        {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},   {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
    };
    for (auto& [n, v] : table)
        if (a == n) return v;
    return 0;
}

std::string native_arch_name() {
    switch (seccomp_arch_native()) {
    case SCMP_ARCH_X86_64: return "amd64";
    case SCMP_ARCH_AARCH64: return "arm64";
    default: return "other";
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

bool applies(const nlohmann::json& cond, uint64_t caps, bool include) {
    if (!cond.is_object()) return true;
    bool any = false, match = true;
    if (cond.contains("caps") && cond["caps"].is_array() && !cond["caps"].empty()) {
        any = true;
        for (const auto& c : cond["caps"]) {
            auto n = cap_from_name(c.get<std::string>());
            bool held = n && (caps & (1ULL << *n));
            if (include && !held) match = false;
            if (!include && held) return false;
        }
    }
    if (cond.contains("arches") && cond["arches"].is_array() && !cond["arches"].empty()) {
        any = true;
        bool in = false;
        for (const auto& a : cond["arches"]) in = in || a.get<std::string>() == native_arch_name();
        if (include && !in) match = false;
        if (!include && in) return false;
    }
    if (cond.contains("minKernel") && cond["minKernel"].is_string()) {
        any = true;
        bool ok = kernel_at_least(cond["minKernel"].get<std::string>());
        if (include && !ok) match = false;
        if (!include && ok) return false;
    }
    (void)any;
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
    int def_errno = p.value("defaultErrnoRet", 1);
    uint32_t def = parse_action(p.value("defaultAction", std::string("SCMP_ACT_ERRNO")), def_errno, what);
    if (def == SCMP_ACT_ALLOW && (!p.contains("syscalls") || p["syscalls"].empty())) return {};
    Ctx ctx(def);
    if (!ctx.c) throw Error("seccomp profile " + what + ": libseccomp refused the default action");
    seccomp_attr_set(ctx.c, SCMP_FLTATR_CTL_NNP, 0);
    // The native architecture and its companions (x86 and x32 on amd64), as the archMap says.
    uint32_t native = seccomp_arch_native();
    if (p.contains("archMap") && p["archMap"].is_array()) {
        for (const auto& m : p["archMap"]) {
            if (parse_arch(m.value("architecture", std::string())) != native) continue;
            for (const auto& sub : m.value("subArchitectures", nlohmann::json::array())) {
                uint32_t a = parse_arch(sub.get<std::string>());
                if (a && a != native) seccomp_arch_add(ctx.c, a);
            }
        }
    }
    try {
        for (const auto& rule : p.value("syscalls", nlohmann::json::array())) {
            if (rule.contains("includes") && !applies(rule["includes"], caps, true)) continue;
            if (rule.contains("excludes") && !applies(rule["excludes"], caps, false)) continue;
            uint32_t action = parse_action(rule.value("action", std::string()), rule.value("errnoRet", 1), what);
            if (action == def) continue;
            std::vector<scmp_arg_cmp> args;
            for (const auto& a : rule.value("args", nlohmann::json::array()))
                args.push_back({a.value("index", 0u), parse_op(a.value("op", std::string()), what),
                                a.value("value", uint64_t{0}), a.value("valueTwo", uint64_t{0})});
            std::vector<std::string> names;
            if (rule.contains("names")) names = rule["names"].get<std::vector<std::string>>();
            if (rule.contains("name")) names.push_back(rule["name"].get<std::string>());
            for (const auto& n : names) {
                int nr = seccomp_syscall_resolve_name(n.c_str());
                if (nr == __NR_SCMP_ERROR) continue;  // not a syscall of this architecture
                // Conflicting rules for one syscall (an arg-filtered and a plain one) are refused
                // by libseccomp; the first one wins, as in the profile's order.
                (void)seccomp_rule_add_array(ctx.c, action, nr, static_cast<unsigned>(args.size()), args.data());
            }
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error("seccomp profile " + what + ": " + e.what());
    }
    int mfd = static_cast<int>(::syscall(SYS_memfd_create, "seccomp", MFD_CLOEXEC));
    if (mfd < 0) throw_errno("memfd_create");
    UniqueFd owner(mfd);
    if (int rc = seccomp_export_bpf(ctx.c, mfd); rc < 0) throw SysError("export the seccomp filter of " + what, -rc);
    off_t size = ::lseek(mfd, 0, SEEK_END);
    SeccompProgram out;
    out.filter.resize(static_cast<size_t>(size) / sizeof(sock_filter));
    if (::pread(mfd, out.filter.data(), out.filter.size() * sizeof(sock_filter), 0) != static_cast<ssize_t>(size))
        throw_errno("read the seccomp filter");
    return out;
}

SeccompProgram default_seccomp_program(uint64_t caps, const std::string& cache_dir) {
    if (cache_dir.empty()) return compile_seccomp(default_seccomp_profile(), caps, "(default)");
    struct utsname u {};
    ::uname(&u);
    std::string key = cache_key(default_seccomp_profile() + "\n" + std::to_string(caps) + "\n" +
                                 std::to_string(seccomp_arch_native()) + "\n" + u.release + "\n" +
                                 std::to_string(seccomp_version()->major) + "." + std::to_string(seccomp_version()->minor));
    std::string path = cache_dir + "/seccomp-" + key.substr(0, 32) + ".bpf";
    if (auto cached = read_file_if_exists(path); cached && !cached->empty() && cached->size() % sizeof(sock_filter) == 0) {
        SeccompProgram p;
        p.filter.resize(cached->size() / sizeof(sock_filter));
        std::memcpy(p.filter.data(), cached->data(), cached->size());
        return p;
    }
    SeccompProgram p = compile_seccomp(default_seccomp_profile(), caps, "(default)");
    try {
        mkdir_p(cache_dir, 0700);
        atomic_write_file(path, std::string_view(reinterpret_cast<const char*>(p.filter.data()), p.filter.size() * sizeof(sock_filter)),
                          0600, false);
    } catch (const Error&) {
        // A cache we cannot write only costs the next start a compile.
    }
    return p;
}

int install_seccomp(const SeccompProgram& p) {
    struct sock_fprog prog;
    prog.len = static_cast<unsigned short>(p.filter.size());
    prog.filter = const_cast<sock_filter*>(p.filter.data());
    if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) return errno;
    return 0;
}

}  // namespace burrow::rootless

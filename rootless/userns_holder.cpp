// The holder of the shared user namespace.
#include "rootless/userns_holder.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "rootless/userns.hpp"

namespace burrow::rootless {

namespace {

std::optional<uint64_t> start_time(pid_t pid) {
    auto stat = read_file_if_exists("/proc/" + std::to_string(pid) + "/stat");
    if (!stat) return std::nullopt;
    auto close = stat->rfind(')');
    if (close == std::string::npos || close + 2 >= stat->size() || (*stat)[close + 2] == 'Z') return std::nullopt;
    size_t pos = close + 2;
    for (int field = 3; field < 22; ++field) {
        pos = stat->find(' ', pos);
        if (pos == std::string::npos) return std::nullopt;
        ++pos;
    }
    return std::strtoull(stat->c_str() + pos, nullptr, 10);
}

std::string map_text(const IdMapping& m) { return format_proc_map(m.uids) + "|" + format_proc_map(m.gids); }

UniqueFd open_ns(pid_t pid) {
    return UniqueFd(::open(("/proc/" + std::to_string(pid) + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC));
}

// The recorded holder's namespace, if the holder still lives and has this map.
UniqueFd recorded(const std::string& file, const std::string& want) {
    auto text = read_file_if_exists(file);
    if (!text) return {};
    try {
        auto j = nlohmann::json::parse(*text);
        pid_t pid = j.value("pid", 0);
        if (pid <= 0 || j.value("map", std::string()) != want) return {};
        auto st = start_time(pid);
        if (!st || *st != j.value("start", uint64_t{0})) return {};
        UniqueFd fd = open_ns(pid);
        // Check again: the pid could have been reused between the two reads.
        if (start_time(pid) != st) return {};
        return fd;
    } catch (const nlohmann::json::exception&) {
        return {};
    }
}

}  // namespace

void stop_shared_userns(const std::string& runroot) {
    auto text = read_file_if_exists(runroot + "/userns.json");
    if (!text) return;
    try {
        auto j = nlohmann::json::parse(*text);
        pid_t pid = j.value("pid", 0);
        auto st = start_time(pid);
        if (pid <= 0 || !st || *st != j.value("start", uint64_t{0})) return;
        int pfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
        if (pfd < 0) return;
        UniqueFd fd(pfd);
        if (start_time(pid) == st) ::syscall(SYS_pidfd_send_signal, fd.get(), SIGKILL, nullptr, 0);
    } catch (const nlohmann::json::exception&) {
    }
}

UniqueFd shared_userns(const IdMapping& map, const std::string& runroot) {
    if (runroot.empty() || std::getenv("BURROW_NO_SHARED_USERNS")) return {};
    std::string file = runroot + "/userns.json";
    std::string want = map_text(map);
    if (UniqueFd fd = recorded(file, want)) return fd;
    try {
        mkdir_p(runroot, 0700);
        UniqueFd lock(::open((runroot + "/userns.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
        if (!lock || ::flock(lock.get(), LOCK_EX) < 0) return {};
        if (UniqueFd fd = recorded(file, want)) return fd;
        Child holder = spawn_in_userns(map, {"__pause"}, {});
        pid_t pid = holder.pid();
        auto st = start_time(pid);
        if (!st) return {};
        UniqueFd fd = open_ns(pid);
        if (!fd) return {};
        nlohmann::json j{{"pid", pid}, {"start", *st}, {"map", want}};
        atomic_write_file(file, j.dump(), 0600, false);
        (void)holder.release();  // it outlives us on purpose
        return fd;
    } catch (const Error&) {
        return {};
    }
}

int pause_helper_main(int, char**) {
    // Undo what a helper gets: it must outlive the burrow that started it.
    ::prctl(PR_SET_PDEATHSIG, 0);
    ::setsid();
    int devnull = ::open("/dev/null", O_RDWR);
    if (devnull >= 0) {
        ::dup2(devnull, 0);
        ::dup2(devnull, 1);
        ::dup2(devnull, 2);
        if (devnull > 2) ::close(devnull);
    }
    if (::chdir("/") < 0) return 1;
    sigset_t all;
    sigfillset(&all);
    sigdelset(&all, SIGTERM);
    sigdelset(&all, SIGINT);
    ::sigprocmask(SIG_SETMASK, &all, nullptr);
    for (;;) ::pause();
}

}  // namespace burrow::rootless

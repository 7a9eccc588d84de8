#include "src/engine/top.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/strings.hpp"

namespace burrow::engine {

namespace {


std::optional<TopProcess> read_proc(pid_t pid) {
    auto stat = read_file_if_exists("/proc/" + std::to_string(pid) + "/stat");
    auto status = read_file_if_exists("/proc/" + std::to_string(pid) + "/status");
    if (!stat || !status) return std::nullopt;
    TopProcess p;
    p.host_pid = pid;
    auto open = stat->find('('), close = stat->rfind(')');
    if (open == std::string::npos || close == std::string::npos) return std::nullopt;
    p.comm = stat->substr(open + 1, close - open - 1);
    auto fields = split(stat->substr(close + 2), ' ');  // fields[0] is field 3 (state)
    if (fields.size() < 20) return std::nullopt;
    p.host_ppid = std::atoi(fields[1].c_str());
    p.tty_nr = std::atoi(fields[4].c_str());
    p.utime = std::strtoull(fields[11].c_str(), nullptr, 10);
    p.stime = std::strtoull(fields[12].c_str(), nullptr, 10);
    p.start = std::strtoull(fields[19].c_str(), nullptr, 10);
    for (const auto& line : split(*status, '\n')) {
        if (line.rfind("Uid:", 0) == 0) p.uid = static_cast<uint32_t>(std::strtoul(line.c_str() + 4, nullptr, 10));
        if (line.rfind("Gid:", 0) == 0) p.gid = static_cast<uint32_t>(std::strtoul(line.c_str() + 4, nullptr, 10));
        if (line.rfind("NSpid:", 0) == 0) {
            auto v = split(std::string(trim(line.substr(6))), '\t');
            if (!v.empty()) p.pid = std::atoi(v.back().c_str());
        }
    }
    auto cmdline = read_file_if_exists("/proc/" + std::to_string(pid) + "/cmdline").value_or("");
    // psgo shows the NULs as spaces, the trailing one included.
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    p.args = cmdline.empty() ? "[" + p.comm + "]" : cmdline;
    return p;
}

std::string ns_of(pid_t pid) {
    char buf[64];
    auto path = "/proc/" + std::to_string(pid) + "/ns/pid";
    ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

// Every process in the pid namespace of `pid1`, ordered by pid.
std::vector<TopProcess> container_processes(pid_t pid1) {
    std::string ns = ns_of(pid1);
    std::vector<TopProcess> out;
    for (const auto& name : list_dir("/proc")) {
        if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
        pid_t pid = std::atoi(name.c_str());
        if (pid != pid1 && (ns.empty() || ns_of(pid) != ns)) continue;
        if (auto p = read_proc(pid)) out.push_back(std::move(*p));
    }
    std::sort(out.begin(), out.end(), [](const TopProcess& a, const TopProcess& b) { return a.pid < b.pid; });
    return out;
}

// Names from the container's /etc/passwd or /etc/group, resolved under its root (a symlink in the
// image cannot point us at the host's files).
std::map<uint32_t, std::string> id_names(int root, const char* file) {
    std::map<uint32_t, std::string> m;
    auto text = root >= 0 ? read_file_in_root(root, file) : std::nullopt;
    if (!text) return m;
    for (const auto& line : split(*text, '\n')) {
        auto f = split(line, ':');
        if (f.size() >= 3 && !f[2].empty()) m.emplace(static_cast<uint32_t>(std::strtoul(f[2].c_str(), nullptr, 10)), f[0]);
    }
    return m;
}

// The uid inside the container for an id as seen from here, via the container's uid_map.
uint32_t inner_id(pid_t pid1, const char* map_file, uint32_t outer) {
    auto text = read_file_if_exists("/proc/" + std::to_string(pid1) + "/" + map_file);
    if (!text) return outer;
    for (const auto& line : split(*text, '\n')) {
        unsigned long inside, out, count;
        if (std::sscanf(line.c_str(), "%lu %lu %lu", &inside, &out, &count) == 3 && outer >= out && outer - out < count)
            return static_cast<uint32_t>(inside + (outer - out));
    }
    return outer;
}

}  // namespace

TopSnapshot container_top(storage::Store& store, const storage::ContainerConfig& cfg) {
    storage::ContainerStore cs(store);
    auto st = cs.state(cfg.id);
    if (st.status != storage::Status::running && st.status != storage::Status::stopping)
        throw Error("top can only be used on running containers");
    TopSnapshot snap;
    snap.processes = container_processes(st.pid);
    for (auto& p : snap.processes) {
        p.inner_uid = inner_id(st.pid, "uid_map", p.uid);
        p.inner_gid = inner_id(st.pid, "gid_map", p.gid);
    }
    UniqueFd root(::open(("/proc/" + std::to_string(st.pid) + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    try {
        snap.user_names = id_names(root.get(), "/etc/passwd");
        snap.group_names = id_names(root.get(), "/etc/group");
    } catch (const Error&) {
        // unreadable: numeric ids, as psgo shows them
    }
    return snap;
}

}  // namespace burrow::engine

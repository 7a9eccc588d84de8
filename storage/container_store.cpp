// Container records on disk: create, find, state with liveness, rename, remove.
//
// Names are indexed by symlinks container-names/<name> -> <id>, so that a lookup by name (and a
// miss, as `inspect` makes for every image name) costs one readlink instead of parsing every
// config. config.json stays the truth: a link whose container is gone or has another name is stale,
// and writers replace it. The link is made before the record appears and removed after it is gone,
// so a crash leaves at worst a stale link, never a container that its name does not find.
#include "storage/container_store.hpp"

#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/strings.hpp"
#include "storage/store.hpp"
#include "storage/store_internal.hpp"

namespace burrow::storage {

namespace {


uint64_t random_u64() {
    uint64_t v = 0;
    auto h = random_hex(8);
    for (char c : h) v = v * 16 + static_cast<uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
    return v;
}

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Podman's rule for names: [a-zA-Z0-9][a-zA-Z0-9_.-]*
bool valid_name(const std::string& n) {
    if (n.empty()) return false;
    for (size_t i = 0; i < n.size(); ++i) {
        char c = n[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-'))) return false;
    }
    return true;
}

void check_name(const std::string& n) {
    if (!valid_name(n)) throw Error("names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
}

std::optional<std::string> read_link(const std::string& path) {
    char buf[256];
    ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
    if (n < 0 || n == sizeof buf) return std::nullopt;
    return std::string(buf, static_cast<size_t>(n));
}

Error name_in_use(const std::string& name, const std::string& id) {
    return Error("the container name \"" + name + "\" is already in use by " + id +
                 ". You have to remove that container to be able to reuse that name: that name is already in use");
}

}  // namespace

std::optional<uint64_t> pid_start_time(pid_t pid) { return detail::process_start_time(pid); }

bool process_alive(pid_t pid, uint64_t start_time) {
    if (pid <= 0) return false;
    auto now = detail::process_start_time(pid);
    return now && *now == start_time;
}

// Nothing is created here: a lookup must leave the store as it was. Writers make the dirs.
ContainerStore::ContainerStore(Store& store) : store_(store) {}

std::string ContainerStore::dir(const std::string& id) const {
    if (detail::id_hex(id) != id) throw Error("invalid container id \"" + id + "\"");
    return store_.root() + "/containers/" + id;
}
std::string ContainerStore::upper_dir(const std::string& id) const { return dir(id) + "/upper"; }
std::string ContainerStore::work_dir(const std::string& id) const { return dir(id) + "/work"; }
std::string ContainerStore::merged_dir(const std::string& id) const { return dir(id) + "/merged"; }
std::string ContainerStore::userdata_dir(const std::string& id) const { return dir(id) + "/userdata"; }
std::string ContainerStore::log_path(const std::string& id) const { return dir(id) + "/ctr.log"; }
std::string ContainerStore::attach_fifo(const std::string& id) const { return userdata_dir(id) + "/attach-stdin"; }

std::string ContainerStore::name_link(const std::string& name) const {
    return store_.root() + "/container-names/" + name;
}

std::optional<ContainerConfig> ContainerStore::by_name(const std::string& name) const {
    if (!valid_name(name)) return std::nullopt;
    auto id = read_link(name_link(name));
    if (!id || detail::id_hex(*id) != *id) return std::nullopt;
    auto c = config(*id);
    if (!c || c->name != name) return std::nullopt;
    return c;
}

std::vector<std::string> ContainerStore::ids() const {
    std::vector<std::string> out;
    for (auto& n : list_dir(store_.root() + "/containers"))
        if (n.size() == 64 && detail::is_hex(n)) out.push_back(std::move(n));
    return out;
}

void ContainerStore::create(ContainerConfig& cfg) {
    if (!cfg.name.empty()) check_name(cfg.name);
    auto lock = store_.lock_exclusive();
    if (cfg.name.empty()) {
        for (int i = 0; i < 100 && cfg.name.empty(); ++i) {
            auto n = generate_name(random_u64());
            if (!by_name(n)) cfg.name = n;
        }
        if (cfg.name.empty()) throw Error("could not generate a free container name; give one with --name");
    } else if (auto other = by_name(cfg.name)) {
        throw name_in_use(cfg.name, other->id);
    }
    if (cfg.id.empty()) {
        do cfg.id = random_hex(32);
        while (path_exists(dir(cfg.id)));
    } else if (detail::id_hex(cfg.id) != cfg.id || path_exists(dir(cfg.id))) {
        throw Error("invalid or existing container id \"" + cfg.id + "\"");
    }
    if (cfg.created == 0) cfg.created = now_ns();

    // Name link first (a stale one is replaced), then the record, built in tmp/ and renamed into
    // place whole. Every step undone on failure.
    mkdir_p(store_.root() + "/containers", 0700);
    mkdir_p(store_.root() + "/container-names", 0700);
    auto link = name_link(cfg.name);
    ::unlink(link.c_str());
    if (::symlink(cfg.id.c_str(), link.c_str()) < 0) throw_errno("symlink `" + link + "`");
    auto tmp = store_.root() + "/tmp/" + detail::owned_temp_name("ctr-" + cfg.id.substr(0, 12));
    try {
        if (::mkdir(tmp.c_str(), 0700) < 0) throw_errno("mkdir `" + tmp + "`");
        for (auto [sub, mode] : {std::pair{"/upper", 0755}, {"/work", 0700}, {"/merged", 0755}, {"/userdata", 0700}}) {
            auto p = tmp + sub;
            if (::mkdir(p.c_str(), static_cast<mode_t>(mode)) < 0) throw_errno("mkdir `" + p + "`");
            if (::chmod(p.c_str(), static_cast<mode_t>(mode)) < 0) throw_errno("chmod `" + p + "`");
        }
        atomic_write_file(tmp + "/config.json", config_to_json(cfg), 0600, false);
        atomic_write_file(tmp + "/state.json", state_to_json(ContainerState{}), 0600, false);
        auto dest = dir(cfg.id);
        if (::rename(tmp.c_str(), dest.c_str()) < 0) throw_errno("rename `" + tmp + "` to `" + dest + "`");
        // Not fsynced (a journal commit costs a container start 10-30 ms on ext4): after a power
        // loss a just-created container may be gone, never half there.
    } catch (...) {
        try {
            remove_tree(tmp);
        } catch (const Error&) {
            // Left to sweep_tmp.
        }
        ::unlink(link.c_str());
        throw;
    }
}

std::vector<ContainerConfig> ContainerStore::list() const {
    std::vector<ContainerConfig> out;
    for (const auto& id : ids())
        if (auto c = config(id)) out.push_back(std::move(*c));
    return out;
}

std::optional<ContainerConfig> ContainerStore::config(const std::string& id) const {
    if (detail::id_hex(id) != id) return std::nullopt;
    auto text = read_file_if_exists(dir(id) + "/config.json");
    if (!text) return std::nullopt;
    try {
        return config_from_json(*text);
    } catch (const Error&) {
        return std::nullopt;
    }
}

std::optional<ContainerConfig> ContainerStore::find(const std::string& ref) const {
    if (ref.empty()) return std::nullopt;
    if (ref.size() == 64 && detail::is_hex(ref))
        if (auto c = config(ref)) return c;
    if (auto c = by_name(ref)) return c;
    if (!detail::is_hex(ref) || ref.size() > 64) return std::nullopt;
    std::optional<std::string> hit;
    for (const auto& id : ids()) {
        if (id.compare(0, ref.size(), ref) != 0) continue;
        if (hit) throw Error("more than one result for container ID " + ref + ": container already exists");
        hit = id;
    }
    if (!hit) return std::nullopt;
    return config(*hit);
}

ContainerState ContainerStore::raw_state(const std::string& id) const {
    auto text = read_file_if_exists(dir(id) + "/state.json");
    if (!text) throw Error("no such container " + id);
    return state_from_json(*text);
}

ContainerState ContainerStore::state(const std::string& id) const {
    ContainerState s = raw_state(id);
    if (s.status != Status::running && s.status != Status::stopping) return s;
    // Before the container's pid is known, the supervisor stands for it.
    bool alive = s.pid > 0 ? process_alive(s.pid, s.pid_start) : process_alive(s.supervisor_pid, s.supervisor_start);
    if (!alive) {
        s.status = Status::exited;
        s.exit_known = false;
        s.finished_at = now_ns();
        s.pid = 0;
    }
    return s;
}

void ContainerStore::put_state(const std::string& id, const ContainerState& st) {
    // Not fsynced: after a power loss a stale "running" reads as exited through the liveness check.
    atomic_write_file(dir(id) + "/state.json", state_to_json(st), 0600, false);
}

Lock ContainerStore::lock(const std::string& id) const {
    if (detail::id_hex(id) != id) throw Error("invalid container id \"" + id + "\"");
    return Lock::acquire(store_.root() + "/locks/container-" + id + ".lock", Lock::Mode::exclusive);
}

void ContainerStore::remove(const std::string& id) {
    auto src = dir(id);
    auto gone = store_.root() + "/tmp/" + detail::owned_temp_name("rm-ctr-" + id.substr(0, 12));
    {
        auto lock = store_.lock_exclusive();
        auto cfg = config(id);
        if (::rename(src.c_str(), gone.c_str()) < 0) {
            if (errno == ENOENT) return;
            throw_errno("rename `" + src + "` to `" + gone + "`");
        }
        if (cfg) {
            auto link = name_link(cfg->name);
            if (read_link(link) == id) ::unlink(link.c_str());
        }
        // The caller holds this lock; anyone waiting on it finds no container afterwards.
        auto lock_file = store_.root() + "/locks/container-" + id + ".lock";
        ::unlink(lock_file.c_str());
    }
    // The record is gone already; the files follow. Files the container created in upper/ belong
    // to subordinate ids: only the user namespace can remove those, but a plain removal is much
    // faster and enough for most containers.
    try {
        remove_tree(gone);
    } catch (const SysError& e) {
        if (e.err() != EACCES && e.err() != EPERM) throw;
        store_.remove_owned_tree(gone);
    }
}

void ContainerStore::rename(const std::string& id, const std::string& new_name) {
    check_name(new_name);
    auto lock = store_.lock_exclusive();
    auto cfg = config(id);
    if (!cfg) throw Error("no such container " + id);
    if (cfg->name == new_name) return;
    if (auto other = by_name(new_name)) throw name_in_use(new_name, other->id);
    mkdir_p(store_.root() + "/container-names", 0700);
    auto link = name_link(new_name);
    ::unlink(link.c_str());
    if (::symlink(id.c_str(), link.c_str()) < 0) throw_errno("symlink `" + link + "`");
    std::string old = cfg->name;
    cfg->name = new_name;
    try {
        atomic_write_file(dir(id) + "/config.json", config_to_json(*cfg), 0600, true);
    } catch (...) {
        ::unlink(link.c_str());
        throw;
    }
    auto old_link = name_link(old);
    if (read_link(old_link) == id) ::unlink(old_link.c_str());
}

std::vector<ContainerConfig> ContainerStore::using_image(const std::string& image_id) const {
    std::vector<ContainerConfig> out;
    for (auto& c : list())
        if (c.image_id == image_id) out.push_back(std::move(c));
    return out;
}

}  // namespace burrow::storage

// Named volumes on disk.
#include "storage/volume_store.hpp"

#include <sys/random.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/strings.hpp"
#include "storage/container_store.hpp"
#include "storage/store.hpp"

namespace burrow::storage {

namespace {

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}


std::string to_json(const VolumeRecord& v) {
    nlohmann::json j{{"name", v.name},         {"driver", v.driver},   {"labels", v.labels},
                     {"options", v.options},   {"created", v.created}, {"anonymous", v.anonymous},
                     {"needs_copy_up", v.needs_copy_up}, {"needs_chown", v.needs_chown},
                     {"uid", v.uid},           {"gid", v.gid},         {"mount_count", v.mount_count}};
    return j.dump(1);
}

VolumeRecord from_json(const std::string& text) {
    auto j = nlohmann::json::parse(text);
    VolumeRecord v;
    v.name = j.value("name", std::string());
    v.driver = j.value("driver", std::string("local"));
    v.labels = j.value("labels", std::map<std::string, std::string>{});
    v.options = j.value("options", std::map<std::string, std::string>{});
    v.created = j.value("created", int64_t{0});
    v.anonymous = j.value("anonymous", false);
    v.needs_copy_up = j.value("needs_copy_up", true);
    v.needs_chown = j.value("needs_chown", true);
    v.uid = j.value("uid", 0);
    v.gid = j.value("gid", 0);
    v.mount_count = j.value("mount_count", 0u);
    return v;
}

}  // namespace

bool valid_volume_name(const std::string& n) {
    if (n.empty() || !std::isalnum(static_cast<unsigned char>(n[0]))) return false;
    return std::all_of(n.begin(), n.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    });
}

bool volume_needs_mount(const VolumeRecord& v) {
    size_t ignored = 0;
    for (const char* k : {"UID", "GID", "SIZE", "NOQUOTA", "nocopy", "copy"}) ignored += v.options.count(k);
    if (ignored > 0) ++ignored;  // uid/gid also leave an "o"
    return v.options.size() > ignored;
}

VolumeStore::VolumeStore(Store& store) : store_(store) {}

std::string VolumeStore::data_dir(const std::string& name) const { return store_.volume_path() + "/" + name + "/_data"; }

VolumeRecord VolumeStore::create(const std::string& name, const std::map<std::string, std::string>& labels,
                                 const std::map<std::string, std::string>& options, bool anonymous) {
    VolumeRecord v;
    v.name = name;
    v.anonymous = anonymous;
    v.labels = labels;
    v.options = options;
    return create(std::move(v));
}

VolumeRecord VolumeStore::create(VolumeRecord v) {
    if (v.name.empty()) {
        v.name = random_hex(32);
        v.anonymous = true;
    }
    if (!valid_volume_name(v.name))
        throw Error("running volume create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
    v.created = now_ns();
    auto lock = store_.lock_exclusive();
    std::string dir = store_.volume_path() + "/" + v.name;
    if (path_exists(dir + "/volume.json")) throw Error("volume with name " + v.name + " already exists: volume already exists");
    mkdir_p(dir + "/_data", 0755);
    if (v.uid || v.gid) {
        try {
            store_.helpers().run(store_.idmap(), {"__chown", std::to_string(v.uid), std::to_string(v.gid), dir + "/_data"});
        } catch (const Error& e) {
            remove_tree(dir);
            // Podman's words; without subordinate ids the only id there is is 0
            std::string why = e.what();
            auto colon = why.rfind(": ");
            why = colon == std::string::npos ? why : why.substr(colon + 2);
            for (auto& c : why) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            throw Error("chowning volume directory \"" + dir + "/_data\" to " + std::to_string(v.uid) + ":" +
                        std::to_string(v.gid) + ": lchown " + dir + "/_data: " + why);
        }
    }
    atomic_write_file(dir + "/volume.json", to_json(v), 0600, false);
    return v;
}

std::vector<VolumeRecord> VolumeStore::list() const {
    std::vector<VolumeRecord> out;
    std::string base = store_.volume_path();
    if (!is_directory(base)) return out;
    auto lock = store_.lock_shared();
    for (const auto& n : list_dir(base)) {
        auto text = read_file_if_exists(base + "/" + n + "/volume.json");
        if (!text) continue;
        try {
            out.push_back(from_json(*text));
        } catch (const nlohmann::json::exception&) {
        }
    }
    std::sort(out.begin(), out.end(), [](const VolumeRecord& a, const VolumeRecord& b) { return a.name < b.name; });
    return out;
}

std::optional<VolumeRecord> VolumeStore::get(const std::string& name) const {
    if (!valid_volume_name(name)) return std::nullopt;
    auto text = read_file_if_exists(store_.volume_path() + "/" + name + "/volume.json");
    if (!text) return std::nullopt;
    try {
        return from_json(*text);
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

void VolumeStore::update(const VolumeRecord& v) {
    auto lock = store_.lock_exclusive();
    std::string dir = store_.root() + "/volumes/" + v.name;
    if (!path_exists(dir + "/volume.json")) throw Error("no volume with name \"" + v.name + "\" found: no such volume");
    atomic_write_file(dir + "/volume.json", to_json(v), 0600, false);
}

void VolumeStore::remove(const std::string& name) {
    auto lock = store_.lock_exclusive();
    std::string dir = store_.volume_path() + "/" + name;
    // The record goes first: a removal killed halfway leaves no half-volume visible.
    if (::unlink((dir + "/volume.json").c_str()) < 0 && errno != ENOENT) throw_errno("remove volume " + name);
    store_.remove_owned_tree(dir);
}

std::string VolumeStore::ensure(const std::string& name) {
    if (!get(name)) {
        try {
            create(name, {}, {});
        } catch (const Error&) {
            if (!get(name)) throw;  // created by a concurrent start: fine
        }
    }
    return data_dir(name);
}

std::vector<std::string> VolumeStore::users(const std::string& name) const {
    std::vector<std::string> out;
    for (const auto& c : ContainerStore(store_).list())
        for (const auto& m : c.mounts)
            if (m.type == "volume" && m.source == name) {
                out.push_back(c.id);
                break;
            }
    return out;
}

unsigned VolumeStore::running_users(const std::string& name) const {
    ContainerStore cs(store_);
    unsigned n = 0;
    for (const auto& id : users(name)) {
        auto st = cs.state(id).status;
        if (st == Status::running || st == Status::stopping) ++n;
    }
    return n;
}

}  // namespace burrow::storage

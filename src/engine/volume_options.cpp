#include "src/engine/volume_options.hpp"

#include <sys/mount.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/error.hpp"
#include "base/strings.hpp"
#include "src/engine/create_spec.hpp"

namespace burrow::engine {

namespace {

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Go's words for an errno: strerror in lower case ("no such file or directory").
std::string go_errno_text(int e) { return lower(std::strerror(e)); }

// Go's strconv.Atoi, with its error words.
int atoi_go(const std::string& s, const std::string& what) {
    size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    bool ok = i < s.size() && s.size() - i <= 18;
    for (size_t k = i; ok && k < s.size(); ++k) ok = std::isdigit(static_cast<unsigned char>(s[k]));
    if (!ok)
        throw Error("cannot convert " + what + " " + s + " to integer: strconv.Atoi: parsing \"" + s + "\": invalid syntax");
    return static_cast<int>(std::stoll(s));
}

// The o= list: uid/gid/size/inodes/noquota/timeout become record fields (and upper-case keys, as
// Podman stores them); what stays is kept as o.
void parse_o(const std::string& value, storage::VolumeRecord& v, bool& sized, bool& noquota) {
    std::vector<std::string> kept;
    for (const auto& o : split(value, ',')) {
        auto eq = o.find('=');
        std::string key = lower(o.substr(0, eq));
        bool has = eq != std::string::npos;
        std::string val = has ? o.substr(eq + 1) : "";
        if (key == "size") {
            try {
                (void)parse_human_size(val);
            } catch (const Error& e) {
                throw Error("cannot convert size " + val + " to integer: " + e.what());
            }
            sized = true;
            v.options["SIZE"] = val;
            kept.push_back(o);
        } else if (key == "inodes") {
            bool digits = !val.empty() && val.find_first_not_of("0123456789") == std::string::npos;
            if (!digits)
                throw Error("cannot convert inodes " + val + " to integer: strconv.ParseUint: parsing \"" + val +
                            "\": invalid syntax");
            sized = true;
            v.options["INODES"] = val;
            kept.push_back(o);
        } else if (key == "uid" || key == "gid") {
            std::string up = key == "uid" ? "UID" : "GID";
            if (!has) throw Error(key + " option must provide a " + up + ": invalid argument");
            int id = atoi_go(val, up);
            (key == "uid" ? v.uid : v.gid) = id;
            v.needs_chown = false;
            v.options[up] = val;
            kept.push_back(o);
        } else if (key == "noquota") {
            noquota = true;
            v.options["NOQUOTA"] = "true";
        } else if (key == "timeout") {
            if (!has) throw Error("timeout option must provide a valid timeout in seconds: invalid argument");
            int t = atoi_go(val, "Timeout");
            if (t < 0) throw Error("volume timeout cannot be negative (got " + std::to_string(t) + ")");
        } else {
            kept.push_back(o);
        }
    }
    if (!kept.empty()) v.options["o"] = join(kept, ",");
}

}  // namespace

storage::VolumeRecord volume_record_from(const VolumeCreateOptions& o) {
    storage::VolumeRecord v;
    v.name = o.name;
    v.labels = o.labels;
    if (!o.driver.empty() && o.driver != "local")
        throw Error("volume " + (o.name.empty() ? std::string("<generated>") : o.name) + " uses volume plugin " + o.driver +
                    " but it could not be retrieved: no volume plugin with name " + o.driver +
                    " available: required plugin missing");
    bool sized = false, noquota = false;
    for (const auto& kv : o.options) {
        auto eq = kv.find('=');
        std::string key = kv.substr(0, eq), val = eq == std::string::npos ? "" : kv.substr(eq + 1);
        if (key == "o")
            parse_o(val, v, sized, noquota);
        else
            v.options[key] = val;
    }
    for (const auto& [key, val] : v.options) {
        std::string k = lower(key);
        if (k == "device") {
            auto t = v.options.find("type");
            if (t != v.options.end() && lower(t->second) == "bind") {
                struct stat st {};
                if (::stat(val.c_str(), &st) < 0)
                    throw Error("invalid volume option device for driver 'local': stat " + val + ": " +
                                go_errno_text(errno));
            }
        } else if (k != "o" && k != "type" && k != "uid" && k != "gid" && k != "size" && k != "inodes" &&
                   k != "noquota" && k != "copy" && k != "nocopy") {
            throw Error("invalid mount option " + key + " for driver 'local': invalid argument");
        }
    }
    // burrow sets no project quotas (neither does Podman where the filesystem has none).
    if (sized && noquota) throw Error("volume options size and inodes cannot be used without quota");
    if (sized) throw Error("volume options size and inodes not supported. Filesystem does not support Project Quota");
    return v;
}

VolumeMountData volume_mount_data(const storage::VolumeRecord& v) {
    VolumeMountData m;
    auto get = [&](const char* k) {
        auto it = v.options.find(k);
        return it == v.options.end() ? std::string() : it->second;
    };
    std::string type = get("type");
    m.device = get("device");
    if (m.device.empty()) m.device = type;
    if (type == "bind") m.bind = true;
    else m.fstype = type;
    static const std::pair<const char*, unsigned long> set[] = {
        {"ro", MS_RDONLY},          {"nosuid", MS_NOSUID},   {"nodev", MS_NODEV},       {"noexec", MS_NOEXEC},
        {"sync", MS_SYNCHRONOUS},   {"dirsync", MS_DIRSYNC}, {"noatime", MS_NOATIME},   {"nodiratime", MS_NODIRATIME},
        {"relatime", MS_RELATIME},  {"strictatime", MS_STRICTATIME}, {"mand", MS_MANDLOCK},
    };
    static const char* const cleared[] = {"rw", "suid", "dev", "exec", "async", "atime", "diratime", "norelatime",
                                          "nomand", "defaults", "auto", "noauto", "user", "nouser", "nofail"};
    std::vector<std::string> data;
    for (const auto& o : split(get("o"), ',')) {
        if (o.empty()) continue;
        if (o == "bind" || o == "rbind") {
            m.bind = true;
            m.recursive = o == "rbind";
            continue;
        }
        bool flag = false;
        for (const auto& [n, f] : set)
            if (o == n) m.flags |= f, flag = true;
        for (const char* n : cleared)
            if (o == n) flag = true;
        if (!flag) data.push_back(o);
    }
    m.data = join(data, ",");
    return m;
}

void add_image_volumes(std::vector<storage::MountSpec>& mounts, const std::vector<std::string>& image_volumes,
                       const std::string& mode) {
    if (mode != "bind" && mode != "tmpfs" && mode != "ignore")
        throw Error("invalid image-volume type \"" + mode + "\". Pick one of bind, tmpfs, or ignore");
    if (mode == "ignore") return;
    std::vector<std::string> dests;
    for (auto d : image_volumes) {
        while (d.size() > 1 && d.back() == '/') d.pop_back();
        if (d.empty() || d[0] != '/') d = "/" + d;
        dests.push_back(d);
    }
    std::sort(dests.begin(), dests.end());
    dests.erase(std::unique(dests.begin(), dests.end()), dests.end());
    for (const auto& d : dests) {
        if (std::any_of(mounts.begin(), mounts.end(), [&](const storage::MountSpec& m) { return m.destination == d; }))
            continue;
        storage::MountSpec m;
        m.type = mode == "tmpfs" ? "tmpfs" : "volume";
        m.destination = d;
        m.options = mode == "tmpfs" ? std::vector<std::string>{"rw", "nosuid", "nodev"}
                                    : std::vector<std::string>{"nosuid", "nodev"};
        mounts.push_back(std::move(m));
    }
}

}  // namespace burrow::engine

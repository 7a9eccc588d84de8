// Walks /dev for --privileged.
#include "rootless/host_devices.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>

#include "base/strings.hpp"

namespace burrow::rootless {

namespace {

bool left_out(const std::string& name) {
    static const char* always[] = {"ptmx", "console", "null", "zero", "full", "random", "urandom"};
    if (name.rfind("tty", 0) == 0) return true;
    return std::any_of(std::begin(always), std::end(always), [&](const char* n) { return name == n; });
}

void walk(const std::string& dir, bool top, std::vector<std::string>& out) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    while (struct dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        // pts, shm and mqueue are the container's own filesystems, not devices to share.
        if (top && (name == "pts" || name == "shm" || name == "mqueue" || left_out(name))) continue;
        std::string path = dir + "/" + name;
        struct stat st;
        if (::lstat(path.c_str(), &st) < 0) continue;
        if (S_ISDIR(st.st_mode)) walk(path, false, out);
        else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) out.push_back(path);
    }
    ::closedir(d);
}

}  // namespace

std::vector<std::string> host_device_nodes(const std::string& dev) {
    std::vector<std::string> out;
    walk(dev, true, out);
    std::sort(out.begin(), out.end());
    return out;
}

DeviceMount parse_device(const std::string& spec) {
    auto parts = split(spec, ':');
    DeviceMount d;
    d.host = parts[0];
    d.inside = d.host;
    std::string perms = "rwm";
    if (parts.size() > 1 && !parts[1].empty() && parts[1][0] == '/') d.inside = parts[1];
    else if (parts.size() > 1) perms = parts[1];
    if (parts.size() > 2) perms = parts[2];
    d.read_only = perms.find('w') == std::string::npos;
    return d;
}

void add_privileged_devices(std::vector<DeviceMount>& devices) {
    for (const auto& path : host_device_nodes()) {
        bool taken = std::any_of(devices.begin(), devices.end(), [&](const DeviceMount& d) { return d.inside == path; });
        if (!taken) devices.push_back({path, path, false});
    }
}

}  // namespace burrow::rootless

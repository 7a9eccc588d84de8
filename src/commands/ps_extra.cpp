#include "src/commands/ps_extra.hpp"

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/strings.hpp"
#include "storage/container_store.hpp"
#include "storage/store.hpp"

namespace burrow::commands {

using json = nlohmann::json;

namespace {

std::string ns_inode(int pid, const char* ns) {
    char link[256];
    std::string path = "/proc/" + std::to_string(pid) + "/ns/" + ns;
    ssize_t n = ::readlink(path.c_str(), link, sizeof link - 1);
    if (n <= 0) return "";
    std::string s(link, static_cast<size_t>(n));  // "net:[4026531992]"
    size_t open = s.find('['), close = s.rfind(']');
    return open == std::string::npos || close == std::string::npos ? "" : s.substr(open + 1, close - open - 1);
}

thread_local long long g_du = 0;
int add_size(const char*, const struct stat* st, int type, struct FTW*) {
    if (type == FTW_F || type == FTW_SL) g_du += st->st_size;
    return 0;
}

}  // namespace

json namespaces_of(const ContainerView& v) {
    bool running = v.st.status == storage::Status::running || v.st.status == storage::Status::stopping;
    int pid = running ? v.st.pid : 0;
    auto get = [&](const char* ns) { return pid > 0 ? ns_inode(pid, ns) : std::string(); };
    return {{"Cgroup", get("cgroup")}, {"IPC", get("ipc")}, {"MNT", get("mnt")}, {"NET", get("net")},
            {"PIDNS", get("pid")},     {"User", get("user")}, {"UTS", get("uts")}};
}

ContainerSize container_size(storage::Store& store, const ContainerView& v) {
    ContainerSize s;
    g_du = 0;
    // Directories of subordinate ids may be unreadable to us: what cannot be read is not counted.
    ::nftw(storage::ContainerStore(store).upper_dir(v.cfg.id).c_str(), add_size, 16, FTW_PHYS);
    s.rw = g_du;
    std::vector<storage::ImageRecord> images;
    std::vector<storage::LayerRecord> layers;
    {
        auto lock = store.lock_shared();
        images = store.images();
        layers = store.layers();
    }
    s.rootfs = s.rw;
    for (const auto& img : images) {
        if (img.id != v.cfg.image_id) continue;
        for (const auto& chain : img.layers)
            for (const auto& l : layers)
                if (l.id == chain) s.rootfs += static_cast<long long>(l.uncompressed_size);
    }
    return s;
}

std::string size_text(const ContainerSize& s) {
    return human_size(static_cast<double>(s.rw), 3, "") + " (virtual " + human_size(static_cast<double>(s.rootfs), 3, "") + ")";
}

std::string ps_table(bool ns, bool size, bool pod) {
    if (ns)
        return "{{.ID}}\t{{.Names}}\t{{.Pid}}\t{{.Namespaces.Cgroup}}\t{{.Namespaces.IPC}}\t{{.Namespaces.MNT}}\t"
               "{{.Namespaces.NET}}\t{{.Namespaces.PIDNS}}\t{{.Namespaces.User}}\t{{.Namespaces.UTS}}\n";
    std::string t = "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
    if (size) t += "\t{{.Size}}";
    if (pod) t += "\t{{.Pod}}\t{{.PodName}}";
    return t + "\n";
}

}  // namespace burrow::commands

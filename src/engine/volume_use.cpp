#include "src/engine/volume_use.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "base/child_call.hpp"
#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/fs.hpp"
#include "base/strings.hpp"
#include "rootless/rootfs_session.hpp"
#include "rootless/userns_holder.hpp"
#include "src/engine/container_setup.hpp"
#include "src/engine/volume_options.hpp"
#include "storage/store.hpp"

namespace burrow::engine {

namespace {

std::vector<std::string> dir_names(int fd) {
    std::vector<std::string> out;
    UniqueFd dup(::openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dup) return out;
    DIR* d = ::fdopendir(dup.release());
    if (!d) return out;
    while (auto* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != "..") out.push_back(n);
    }
    ::closedir(d);
    return out;
}

// A copy that keeps owners, modes and times (we are root of the user namespace here); hard links
// become copies, devices/sockets/fifos are recreated where mknod is allowed.
void copy_owned(int src_dir, const std::string& name, int dst_dir, const std::string& shown) {
    struct stat st {};
    if (::fstatat(src_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) throw_errno("stat `" + shown + "`");
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    if (S_ISDIR(st.st_mode)) {
        if (::mkdirat(dst_dir, name.c_str(), 0700) < 0 && errno != EEXIST) throw_errno("mkdir `" + shown + "`");
        UniqueFd from(::openat(src_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        UniqueFd to(::openat(dst_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!from || !to) throw_errno("open `" + shown + "`");
        for (const auto& n : dir_names(from.get())) copy_owned(from.get(), n, to.get(), shown + "/" + n);
        (void)::fchown(to.get(), st.st_uid, st.st_gid);
        ::fchmod(to.get(), st.st_mode & 07777);
        ::futimens(to.get(), times);
        return;
    }
    if (S_ISLNK(st.st_mode)) {
        std::string target(4096, '\0');
        ssize_t n = ::readlinkat(src_dir, name.c_str(), target.data(), target.size() - 1);
        if (n < 0) throw_errno("readlink `" + shown + "`");
        target.resize(static_cast<size_t>(n));
        if (::symlinkat(target.c_str(), dst_dir, name.c_str()) < 0) throw_errno("symlink `" + shown + "`");
    } else if (S_ISREG(st.st_mode)) {
        UniqueFd in(::openat(src_dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
        if (!in) throw_errno("open `" + shown + "`");
        UniqueFd out(::openat(dst_dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!out) throw_errno("create `" + shown + "`");
        char buf[65536];
        for (;;) {
            ssize_t r = ::read(in.get(), buf, sizeof buf);
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) throw_errno("read `" + shown + "`");
            if (r == 0) break;
            for (ssize_t off = 0; off < r;) {
                ssize_t w = ::write(out.get(), buf + off, static_cast<size_t>(r - off));
                if (w < 0 && errno == EINTR) continue;
                if (w < 0) throw_errno("write `" + shown + "`");
                off += w;
            }
        }
    } else if (::mknodat(dst_dir, name.c_str(), st.st_mode, st.st_rdev) < 0) {
        return;  // a device the namespace may not create: left out
    }
    (void)::fchownat(dst_dir, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
    if (!S_ISLNK(st.st_mode)) ::fchmodat(dst_dir, name.c_str(), st.st_mode & 07777, 0);
    ::utimensat(dst_dir, name.c_str(), times, AT_SYMLINK_NOFOLLOW);
}

void write_proc(const char* file, const std::string& text) {
    UniqueFd f(::open(file, O_WRONLY | O_CLOEXEC));
    if (!f || ::write(f.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
        throw_errno(std::string("write ") + file);
}

// fchown that lets an id the namespace cannot map (a single-id mapping) be.
void chown_fd(int fd, uid_t uid, gid_t gid, const std::string& name) {
    if (::fchown(fd, uid, gid) < 0 && errno != EINVAL) throw_errno("lchown " + name);
}

struct Pending {
    storage::VolumeRecord rec;
    std::string destination;
    bool copy_up = false;
    UniqueFd dir;  // the volume's root on the host
};

// In the child, "/" is the container's rootfs. Writes one byte per volume: '1' = copied up.
int first_use_in_rootfs(std::vector<Pending>& todo, const storage::ContainerConfig& cfg, int report) {
    UniqueFd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    for (auto& p : todo) {
        char copied = '0';
        UniqueFd dest = open_in_root(root.get(), p.destination, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        struct stat st {};
        bool have_dest = dest && ::fstat(dest.get(), &st) == 0;
        if (p.copy_up && have_dest) {
            auto names = dir_names(dest.get());
            if (!names.empty() && dir_names(p.dir.get()).empty()) {
                for (const auto& n : names) copy_owned(dest.get(), n, p.dir.get(), p.destination + "/" + n);
                copied = '1';
            }
        }
        if (p.rec.needs_chown) {
            chown_fd(p.dir.get(), cfg.uid, cfg.gid, p.rec.name);
            if (have_dest) {
                chown_fd(p.dir.get(), st.st_uid, st.st_gid, p.rec.name);
                if (::fchmod(p.dir.get(), st.st_mode & 07777) < 0) throw_errno("chmod " + p.rec.name);
            }
        }
        if (::write(report, &copied, 1) != 1) throw_errno("report copy-up");
    }
    return 0;
}

// Whether `dest` may exist in the container's rootfs: present in its upper dir or in a layer, or
// reached through a symlink (then only the mounted rootfs can tell). Saves the rootfs session of
// every start whose volume sits on a path the image lacks (its NeedsCopyUp stays true).
bool may_exist_in_rootfs(storage::Store& store, const storage::ContainerConfig& cfg, const std::string& dest) {
    std::vector<std::string> dirs{storage::ContainerStore(store).upper_dir(cfg.id)};
    for (const auto& chain : cfg.layers) dirs.push_back(join_path(store.layer_dir(chain), "diff"));
    std::vector<std::string> parts;
    for (const auto& p : split(dest, '/'))
        if (!p.empty()) parts.push_back(p);
    for (const auto& d : dirs) {
        UniqueFd at(::open(d.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!at) continue;
        for (size_t i = 0; i < parts.size(); ++i) {
            struct stat st {};
            if (::fstatat(at.get(), parts[i].c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno == ENOENT || errno == ENOTDIR) break;
                return true;  // a directory of the subordinate ids we cannot search: ask the rootfs
            }
            if (S_ISLNK(st.st_mode) || i + 1 == parts.size()) return true;
            if (!S_ISDIR(st.st_mode)) break;
            UniqueFd next(::openat(at.get(), parts[i].c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!next) return true;
            at = std::move(next);
        }
    }
    return false;
}

}  // namespace

void complete_volume_mount(const storage::VolumeStore& vs, const storage::VolumeRecord& rec, rootless::VolumeMount& v) {
    if (!storage::volume_needs_mount(rec)) {
        v.source = vs.data_dir(rec.name);
        return;
    }
    VolumeMountData md = volume_mount_data(rec);
    v.read_only = v.read_only || (md.flags & MS_RDONLY);
    v.nosuid = v.nosuid || (md.flags & MS_NOSUID);
    v.nodev = v.nodev || (md.flags & MS_NODEV);
    v.noexec = v.noexec || (md.flags & MS_NOEXEC);
    if (md.bind) {
        v.source = md.device;
        v.recursive = md.recursive;
        struct stat st {};
        if (::stat(md.device.c_str(), &st) < 0) throw_errno("mounting volume " + rec.name + ": stat " + md.device);
        v.source_is_dir = S_ISDIR(st.st_mode);
        return;
    }
    v.tmpfs = true;
    v.fstype = md.fstype;
    v.device = md.device;
    v.tmpfs_options = md.data;
}

void first_use_of_volumes(storage::Store& store, const storage::ContainerConfig& cfg, const PreparedContainer& prep) {
    storage::VolumeStore vs(store);
    std::vector<Pending> todo;
    for (const auto& m : cfg.mounts) {
        if (m.type != "volume") continue;
        auto rec = vs.get(m.source);
        if (!rec || std::any_of(todo.begin(), todo.end(), [&](const Pending& p) { return p.rec.name == rec->name; }))
            continue;
        bool mounted = storage::volume_needs_mount(*rec);
        bool is_bind = mounted && volume_mount_data(*rec).bind;
        if (mounted && !is_bind) continue;  // a fresh filesystem per start: nothing to prepare on the host
        bool nocopy = rec->options.count("nocopy") ||
                      std::find(m.options.begin(), m.options.end(), "nocopy") != m.options.end();
        Pending p;
        p.copy_up = rec->needs_copy_up && !nocopy && !mounted;
        if (!rec->needs_chown && (!p.copy_up || !may_exist_in_rootfs(store, cfg, m.destination))) continue;
        std::string dir = is_bind ? volume_mount_data(*rec).device : vs.data_dir(rec->name);
        p.dir = UniqueFd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!p.dir) throw_errno("open volume " + rec->name + " at `" + dir + "`");
        p.rec = *rec;
        p.destination = m.destination;
        todo.push_back(std::move(p));
    }
    if (todo.empty()) return;
    int pp[2];
    if (::pipe2(pp, O_CLOEXEC) < 0) throw_errno("pipe");
    UniqueFd rd(pp[0]), wr(pp[1]);
    try {
        rootless::run_in_stopped_rootfs(prep.spec, prep.map, [&] { return first_use_in_rootfs(todo, cfg, wr.get()); });
    } catch (const Error& e) {
        // keep-id or fuse-overlayfs rootfs: no session can be had here; the volume stays as it is
        // (the start itself reports real mount errors)
        if (std::string(e.what()).find("not supported yet") == std::string::npos) throw;
        return;
    }
    wr.reset();
    std::string report = read_to_end(rd.get());
    for (size_t i = 0; i < todo.size() && i < report.size(); ++i) {
        auto rec = vs.get(todo[i].rec.name);
        if (!rec) continue;
        rec->needs_chown = false;
        if (report[i] == '1') rec->needs_copy_up = false;
        vs.update(*rec);
    }
}

int run_in_store_userns(storage::Store& store, const std::function<int()>& fn) {
    const IdMapping& map = store.idmap();
    UniqueFd ns;
    if (!map.single()) ns = rootless::shared_userns(map, store.options().runroot);
    uid_t uid = ::getuid();
    gid_t gid = ::getgid();
    // The child joins (or makes) the user namespace; its Error comes back with its exit code.
    return call_in_child([&]() -> int {
        if (ns) {
            if (::setns(ns.get(), CLONE_NEWUSER) < 0) throw_errno("join the containers' user namespace");
        } else if (map.single()) {
            if (::unshare(CLONE_NEWUSER) < 0) throw_errno("create a user namespace");
            write_proc("/proc/self/setgroups", "deny");
            write_proc("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1");
            write_proc("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1");
        } else {
            throw Error("no user namespace for the store's id mapping could be had");
        }
        return fn();
    });
}

unsigned volume_mount_count(const storage::VolumeStore& vs, const storage::VolumeRecord& rec) {
    if (!storage::volume_needs_mount(rec)) return 0;
    return vs.running_users(rec.name) + rec.mount_count;
}

}  // namespace burrow::engine

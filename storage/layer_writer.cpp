#include "storage/layer_writer.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "base/error.hpp"
#include "storage/extract.hpp"
#include "storage/store.hpp"

namespace burrow::storage {

std::string clean_layer_path(std::string_view name) {
    std::string out;
    size_t pos = 0;
    while (pos <= name.size()) {
        size_t next = name.find('/', pos);
        if (next == std::string_view::npos) next = name.size();
        auto comp = name.substr(pos, next - pos);
        pos = next + 1;
        if (comp.empty() || comp == ".") continue;
        if (comp == "..") throw Error("layer entry \"" + std::string(name) + "\" has a \"..\" path component: refused");
        if (!out.empty()) out.push_back('/');
        out.append(comp);
    }
    return out;
}

namespace {

constexpr std::string_view kWhPrefix = ".wh.";
constexpr std::string_view kOpaque = ".wh..wh..opq";

bool ignorable_xattr_error(int e) { return e == EPERM || e == ENOTSUP || e == EOPNOTSUPP || e == EACCES; }

void pwrite_all(int fd, const char* p, size_t n, off_t off, const std::string& shown) {
    while (n > 0) {
        ssize_t w = ::pwrite(fd, p, n, off);
        if (w < 0) {
            if (errno == EINTR) continue;
            throw_errno("write `" + shown + "`");
        }
        p += w;
        n -= static_cast<size_t>(w);
        off += w;
    }
}

std::pair<std::string, std::string> split_parent(const std::string& rel) {
    auto slash = rel.rfind('/');
    if (slash == std::string::npos) return {"", rel};
    return {rel.substr(0, slash), rel.substr(slash + 1)};
}

}  // namespace

LayerWriter::LayerWriter(const std::string& diff_dir, bool ignore_chown_errors)
    : dir_(diff_dir), ignore_chown_(ignore_chown_errors), euid_(::geteuid()), egid_(::getegid()) {
    if (::mkdir(diff_dir.c_str(), 0755) < 0) throw_errno("mkdir `" + diff_dir + "`");
    ::chmod(diff_dir.c_str(), 0755);  // whatever the umask
    int fd = ::open(diff_dir.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) throw_errno("open `" + diff_dir + "`");
    root_.reset(fd);
}

namespace {

std::atomic<bool> g_no_openat2{false};

// openat2(RESOLVE_IN_ROOT) done by hand for kernels before 5.6: one component at a time with
// O_NOFOLLOW, symlinks expanded by us with "/" meaning the layer root and ".." stopping there.
// Nothing else writes in the tree while we extract, so walking it step by step is not racy.
int resolve_in_root_by_hand(int root, const std::string& rel, int flags) {
    std::vector<UniqueFd> stack;
    std::vector<std::string> comps;  // reversed: back() is next
    auto push_path = [&](std::string_view p) {
        std::vector<std::string> parts;
        size_t pos = 0;
        while (pos <= p.size()) {
            size_t next = p.find('/', pos);
            if (next == std::string_view::npos) next = p.size();
            if (next > pos) parts.emplace_back(p.substr(pos, next - pos));
            pos = next + 1;
        }
        comps.insert(comps.end(), parts.rbegin(), parts.rend());
    };
    auto top = [&] { return stack.empty() ? root : stack.back().get(); };
    push_path(rel);
    if (comps.empty()) return ::openat(root, ".", flags | O_CLOEXEC);
    int links = 0;
    while (!comps.empty()) {
        std::string c = std::move(comps.back());
        comps.pop_back();
        if (c == ".") continue;
        if (c == "..") {
            if (!stack.empty()) stack.pop_back();
            continue;
        }
        bool last = comps.empty();
        if (last && (flags & O_NOFOLLOW)) return ::openat(top(), c.c_str(), flags | O_CLOEXEC);
        int fd = ::openat(top(), c.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) return -1;
        UniqueFd owner(fd);
        struct stat st;
        if (::fstat(fd, &st) < 0) return -1;
        if (S_ISLNK(st.st_mode)) {
            if (++links > 40) {
                errno = ELOOP;
                return -1;
            }
            char buf[4096];
            ssize_t n = ::readlinkat(fd, "", buf, sizeof buf - 1);
            if (n < 0) return -1;
            std::string_view target(buf, static_cast<size_t>(n));
            if (!target.empty() && target.front() == '/') stack.clear();
            push_path(target);
            continue;
        }
        if (last) return ::openat(top(), c.c_str(), flags | O_NOFOLLOW | O_CLOEXEC);
        if (!S_ISDIR(st.st_mode)) {
            errno = ENOTDIR;
            return -1;
        }
        stack.push_back(std::move(owner));
    }
    // The path ended in symlinks that resolved to a directory on the stack (or the root).
    return ::openat(top(), ".", flags | O_CLOEXEC);
}

}  // namespace

void layer_writer_force_fallback(bool on) { g_no_openat2 = on; }

int LayerWriter::open_in_root(const std::string& rel, int flags) const {
    if (g_no_openat2) return resolve_in_root_by_hand(root_.get(), rel, flags);
    struct open_how how {};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    const char* p = rel.empty() ? "." : rel.c_str();
    for (int tries = 0;; ++tries) {
        long fd = ::syscall(SYS_openat2, root_.get(), p, &how, sizeof how);
        if (fd >= 0) return static_cast<int>(fd);
        // EAGAIN: a concurrent rename made the kernel give up; nobody else writes here, retry.
        if (errno == EAGAIN && tries < 8) continue;
        if (errno == ENOSYS) {
            g_no_openat2 = true;
            return resolve_in_root_by_hand(root_.get(), rel, flags);
        }
        return -1;
    }
}

// The directory that holds an entry, created (0755, owned by the namespace root) when the tar
// did not list it. Symlinks on the way are followed only inside the layer.
int LayerWriter::parent_fd(const std::string& rel, const std::string& shown) {
    if (rel.empty()) return root_.get();
    if (has_cache_ && rel == cached_rel_) return cached_fd_.get();
    int fd = open_in_root(rel, O_PATH | O_DIRECTORY);
    if (fd < 0 && errno == ENOENT) {
        // Walk from the top, creating what is missing; each prefix is resolved in-root again.
        std::string prefix;
        UniqueFd cur(::fcntl(root_.get(), F_DUPFD_CLOEXEC, 0));
        size_t pos = 0;
        while (pos <= rel.size()) {
            size_t next = rel.find('/', pos);
            if (next == std::string::npos) next = rel.size();
            std::string comp = rel.substr(pos, next - pos);
            pos = next + 1;
            prefix = prefix.empty() ? comp : prefix + "/" + comp;
            int sub = open_in_root(prefix, O_PATH | O_DIRECTORY);
            if (sub < 0 && errno == ENOENT) {
                if (::mkdirat(cur.get(), comp.c_str(), 0755) < 0) {
                    if (errno == EEXIST)
                        throw Error("layer entry \"" + shown + "\": \"" + prefix +
                                    "\" is a symlink to a directory that does not exist: refused");
                    throw_errno("mkdir `" + dir_ + "/" + prefix + "`");
                }
                // Independent of the umask: implied directories are world-readable, like tar's.
                ::fchmodat(cur.get(), comp.c_str(), 0755, 0);
                sub = open_in_root(prefix, O_PATH | O_DIRECTORY);
            }
            if (sub < 0) {
                if (errno == ENOTDIR) throw Error("layer entry \"" + shown + "\": \"" + prefix + "\" is not a directory");
                throw_errno("open `" + dir_ + "/" + prefix + "`");
            }
            cur.reset(sub);
        }
        fd = cur.release();
    } else if (fd < 0) {
        if (errno == ENOTDIR) throw Error("layer entry \"" + shown + "\": its parent \"" + rel + "\" is not a directory");
        throw_errno("open `" + dir_ + "/" + rel + "`");
    }
    cached_fd_.reset(fd);
    cached_rel_ = rel;
    has_cache_ = true;
    return fd;
}

void LayerWriter::remove_subtree(int dirfd, const std::string& name, const std::string& shown) {
    has_cache_ = false;  // a cached parent may live inside what goes away
    cached_fd_.reset();
    if (::unlinkat(dirfd, name.c_str(), 0) == 0 || errno == ENOENT) return;
    if (errno != EISDIR) throw_errno("remove `" + dir_ + "/" + shown + "`");
    int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) throw_errno("open `" + dir_ + "/" + shown + "`");
    DIR* d = ::fdopendir(fd);
    if (!d) {
        ::close(fd);
        throw_errno("opendir `" + dir_ + "/" + shown + "`");
    }
    std::vector<std::string> names;
    while (auto* ent = ::readdir(d))
        if (std::strcmp(ent->d_name, ".") != 0 && std::strcmp(ent->d_name, "..") != 0) names.emplace_back(ent->d_name);
    for (const auto& n : names) remove_subtree(::dirfd(d), n, shown + "/" + n);
    ::closedir(d);
    if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) < 0) throw_errno("remove `" + dir_ + "/" + shown + "`");
}

// Makes room for a non-directory: a later entry replaces an earlier one of the same name.
void LayerWriter::clear_slot(int dirfd, const std::string& name, const std::string& shown) {
    if (::unlinkat(dirfd, name.c_str(), 0) == 0 || errno == ENOENT) return;
    if (errno == EISDIR) return remove_subtree(dirfd, name, shown);
    throw_errno("remove `" + dir_ + "/" + shown + "`");
}

void LayerWriter::chown_entry(int fd, int dirfd, const char* name, uid_t uid, gid_t gid, const std::string& shown) {
    if (uid == euid_ && gid == egid_) return;  // created with these already
    int flags = AT_SYMLINK_NOFOLLOW | (name && !*name ? AT_EMPTY_PATH : 0);
    int rc = fd >= 0 ? ::fchown(fd, uid, gid) : ::fchownat(dirfd, name, uid, gid, flags);
    if (rc == 0) return;
    if ((errno == EINVAL || errno == EPERM) && ignore_chown_) return;
    if (errno == EINVAL || errno == EPERM)
        throw Error("potentially insufficient UIDs or GIDs available in user namespace (requested " +
                    std::to_string(uid) + ":" + std::to_string(gid) + " for /" + shown +
                    "): Check /etc/subuid and /etc/subgid if configured locally");
    throw_errno("chown `" + dir_ + "/" + shown + "`");
}

void LayerWriter::apply_xattrs(int fd, struct archive_entry* e) {
    if (archive_entry_xattr_reset(e) == 0) return;
    const char* name;
    const void* value;
    size_t size;
    while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
        std::string_view n(name);
        if (n.rfind("user.", 0) != 0 && n != "security.capability") continue;
        if (::fsetxattr(fd, name, value, size, 0) < 0 && !ignorable_xattr_error(errno))
            throw_errno(std::string("setxattr ") + name);
    }
}

void LayerWriter::write_file(struct archive* a, struct archive_entry* e, int dirfd, const std::string& name,
                             const std::string& shown) {
    int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    int fd = ::openat(dirfd, name.c_str(), flags, 0600);
    if (fd < 0 && errno == EEXIST) {
        clear_slot(dirfd, name, shown);
        dirfd = parent_fd(split_parent(shown).first, shown);
        fd = ::openat(dirfd, name.c_str(), flags, 0600);
    }
    if (fd < 0) throw_errno("create `" + dir_ + "/" + shown + "`");
    UniqueFd owner(fd);
    const void* buf;
    size_t len;
    la_int64_t off;
    int64_t end = 0;
    for (;;) {
        int rc = archive_read_data_block(a, &buf, &len, &off);
        if (rc == ARCHIVE_EOF) break;
        if (rc < ARCHIVE_WARN) throw Error(std::string("reading layer entry \"") + shown + "\": " + archive_error_string(a));
        pwrite_all(fd, static_cast<const char*>(buf), len, off, shown);
        end = std::max<int64_t>(end, off + static_cast<int64_t>(len));
    }
    // Sparse files end in a hole that no data block covers.
    if (archive_entry_size_is_set(e) && archive_entry_size(e) > end && ::ftruncate(fd, archive_entry_size(e)) < 0)
        throw_errno("truncate `" + dir_ + "/" + shown + "`");
    chown_entry(fd, -1, nullptr, archive_entry_uid(e), archive_entry_gid(e), shown);
    apply_xattrs(fd, e);
    // After chown, which clears setuid/setgid.
    if (::fchmod(fd, archive_entry_mode(e) & 07777) < 0) throw_errno("chmod `" + dir_ + "/" + shown + "`");
    struct timespec ts[2] = {{archive_entry_atime(e), archive_entry_atime_nsec(e)},
                             {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}};
    if (!archive_entry_atime_is_set(e)) ts[0] = ts[1];
    if (::futimens(fd, ts) < 0) throw_errno("set times of `" + dir_ + "/" + shown + "`");
}

void LayerWriter::mark_whiteout_file(int dirfd, const std::string& name) {
    int fd = ::openat(dirfd, name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0000);
    if (fd < 0) throw_errno("create whiteout `" + name + "`");
    ::close(fd);
    if (!whiteout_files_) {
        whiteout_files_ = true;
        auto parent = dir_.substr(0, dir_.rfind('/'));
        int m = ::open((parent + "/" + kWhiteoutFilesMarker).c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (m < 0) throw_errno("create `" + parent + "/" + kWhiteoutFilesMarker + "`");
        ::close(m);
    }
}

// Native overlay format: ".wh.NAME" -> 0/0 char device NAME; ".wh..wh..opq" -> opaque xattr.
void LayerWriter::write_whiteout(struct archive_entry* e, int dirfd, const std::string& parent_rel,
                                 const std::string& wh_name, const std::string& shown) {
    if (wh_name == kOpaque) {
        int fd = open_in_root(parent_rel, O_RDONLY | O_DIRECTORY);
        if (fd < 0) throw_errno("open `" + dir_ + "/" + parent_rel + "`");
        UniqueFd owner(fd);
        if (::fsetxattr(fd, "user.overlay.opaque", "y", 1, 0) == 0) return;
        if (!ignorable_xattr_error(errno)) throw_errno("set opaque xattr on `" + dir_ + "/" + parent_rel + "`");
        return mark_whiteout_file(dirfd, wh_name);
    }
    if (wh_name.rfind(".wh..wh.", 0) == 0) return;  // other AUFS metadata: nothing to write
    std::string target = wh_name.substr(kWhPrefix.size());
    if (target.empty() || target == "." || target == "..") return;
    std::string target_shown = parent_rel.empty() ? target : parent_rel + "/" + target;
    clear_slot(dirfd, target, target_shown);
    dirfd = parent_fd(parent_rel, shown);
    if (::mknodat(dirfd, target.c_str(), S_IFCHR | 0000, makedev(0, 0)) < 0) {
        if (errno == ENOTDIR) return;
        if (errno != EPERM) throw_errno("mknod whiteout `" + dir_ + "/" + target_shown + "`");
        // No unprivileged whiteouts (Linux < 5.8): keep the AUFS form, which fuse-overlayfs reads.
        return mark_whiteout_file(dirfd, wh_name);
    }
    chown_entry(-1, dirfd, target.c_str(), archive_entry_uid(e), archive_entry_gid(e), target_shown);
}

void LayerWriter::write(struct archive* a, struct archive_entry* e) {
    const char* raw = archive_entry_pathname(e);
    if (!raw) throw Error("layer entry without a name");
    std::string rel = clean_layer_path(raw);
    const char* hard = archive_entry_hardlink(e);
    mode_t type = archive_entry_filetype(e);
    if (rel.empty()) {  // "./": the layer root's own metadata
        if (type != AE_IFDIR) return;
        chown_entry(-1, root_.get(), "", archive_entry_uid(e), archive_entry_gid(e), ".");
        dirs_.push_back({"", static_cast<mode_t>(archive_entry_mode(e) & 07777),
                         {{archive_entry_mtime(e), archive_entry_mtime_nsec(e)},
                          {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}}});
        return;
    }
    auto [parent_rel, name] = split_parent(rel);
    if (name.rfind(kWhPrefix, 0) == 0) {
        int dirfd = parent_fd(parent_rel, rel);
        return write_whiteout(e, dirfd, parent_rel, name, rel);
    }
    if (!hard && (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFSOCK)) return;  // devices are never created

    int dirfd = parent_fd(parent_rel, rel);
    if (hard) {
        std::string target = clean_layer_path(hard);
        if (target == rel) return;
        int tfd = open_in_root(target, O_PATH | O_NOFOLLOW);
        if (tfd < 0)
            throw Error("layer entry \"" + std::string(raw) + "\" is a hard link to \"" + hard +
                        "\", which is not in this layer: refused");
        UniqueFd towner(tfd);
        std::string proc = "/proc/self/fd/" + std::to_string(tfd);
        if (::linkat(AT_FDCWD, proc.c_str(), dirfd, name.c_str(), AT_SYMLINK_FOLLOW) < 0) {
            if (errno != EEXIST) throw_errno("link `" + dir_ + "/" + rel + "` to `" + target + "`");
            clear_slot(dirfd, name, rel);
            dirfd = parent_fd(parent_rel, rel);
            if (::linkat(AT_FDCWD, proc.c_str(), dirfd, name.c_str(), AT_SYMLINK_FOLLOW) < 0)
                throw_errno("link `" + dir_ + "/" + rel + "` to `" + target + "`");
        }
        return;
    }
    struct timespec ts[2] = {{archive_entry_mtime(e), archive_entry_mtime_nsec(e)},
                             {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}};
    switch (type) {
        case AE_IFREG: return write_file(a, e, dirfd, name, rel);
        case AE_IFDIR: {
            if (::mkdirat(dirfd, name.c_str(), 0700) < 0) {
                if (errno != EEXIST) throw_errno("mkdir `" + dir_ + "/" + rel + "`");
                struct stat st;
                if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode)) {
                    clear_slot(dirfd, name, rel);
                    dirfd = parent_fd(parent_rel, rel);
                    if (::mkdirat(dirfd, name.c_str(), 0700) < 0) throw_errno("mkdir `" + dir_ + "/" + rel + "`");
                }
            }
            chown_entry(-1, dirfd, name.c_str(), archive_entry_uid(e), archive_entry_gid(e), rel);
            if (archive_entry_xattr_count(e) > 0) {
                int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd >= 0) {
                    UniqueFd o(fd);
                    apply_xattrs(fd, e);
                }
            }
            PendingDir p{rel, static_cast<mode_t>(archive_entry_mode(e) & 07777), {ts[0], ts[1]}};
            auto [it, fresh] = dir_index_.emplace(rel, dirs_.size());
            if (fresh) dirs_.push_back(p);
            else dirs_[it->second] = p;
            return;
        }
        case AE_IFLNK: {
            const char* target = archive_entry_symlink(e);
            if (!target) throw Error("layer entry \"" + rel + "\" is a symlink without a target");
            if (::symlinkat(target, dirfd, name.c_str()) < 0) {
                if (errno != EEXIST) throw_errno("symlink `" + dir_ + "/" + rel + "`");
                clear_slot(dirfd, name, rel);
                dirfd = parent_fd(parent_rel, rel);
                if (::symlinkat(target, dirfd, name.c_str()) < 0) throw_errno("symlink `" + dir_ + "/" + rel + "`");
            }
            chown_entry(-1, dirfd, name.c_str(), archive_entry_uid(e), archive_entry_gid(e), rel);
            if (::utimensat(dirfd, name.c_str(), ts, AT_SYMLINK_NOFOLLOW) < 0) throw_errno("set times of `" + rel + "`");
            return;
        }
        case AE_IFIFO: {
            clear_slot(dirfd, name, rel);
            dirfd = parent_fd(parent_rel, rel);
            if (::mknodat(dirfd, name.c_str(), S_IFIFO | 0600, 0) < 0) throw_errno("mkfifo `" + dir_ + "/" + rel + "`");
            chown_entry(-1, dirfd, name.c_str(), archive_entry_uid(e), archive_entry_gid(e), rel);
            // A fifo just made by us, not a symlink: following is harmless here.
            if (::fchmodat(dirfd, name.c_str(), archive_entry_mode(e) & 07777, 0) < 0) throw_errno("chmod `" + rel + "`");
            if (::utimensat(dirfd, name.c_str(), ts, AT_SYMLINK_NOFOLLOW) < 0) throw_errno("set times of `" + rel + "`");
            return;
        }
        default: return;
    }
}

void LayerWriter::finish() {
    has_cache_ = false;
    cached_fd_.reset();
    for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
        // O_NOFOLLOW: a later entry may have replaced the directory with a symlink.
        int fd = open_in_root(it->rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        if (fd < 0) {
            if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) continue;
            throw_errno("open `" + dir_ + "/" + it->rel + "`");
        }
        UniqueFd o(fd);
        if (::fchmod(fd, it->mode) < 0) throw_errno("chmod `" + dir_ + "/" + it->rel + "`");
        if (::futimens(fd, it->times) < 0) throw_errno("set times of `" + dir_ + "/" + it->rel + "`");
    }
}

}  // namespace burrow::storage

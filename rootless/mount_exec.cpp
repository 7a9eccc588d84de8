// The mount plan's syscall layer. It runs in the container's child between clone and exec:
// no allocation, no stdio; strings were all built before the clone. Every target inside the
// rootfs is resolved with openat2(RESOLVE_IN_ROOT), so a symlink in the image cannot send a
// mount (or a mkdir) outside the rootfs; the mount then goes onto /proc/self/fd/N.
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "rootless/mount_plan.hpp"

namespace burrow::rootless {

namespace {

constexpr size_t kPath = 4096;

// "/proc/self/fd/N" into buf.
const char* fd_path(char* buf, int fd) {
    char digits[16];
    int n = 0;
    do digits[n++] = static_cast<char>('0' + fd % 10);
    while ((fd /= 10) > 0);
    const char* prefix = "/proc/self/fd/";
    size_t len = ::strlen(prefix);
    ::memcpy(buf, prefix, len);
    while (n > 0) buf[len++] = digits[--n];
    buf[len] = '\0';
    return buf;
}

int openat2_in_root(int rootfd, const char* rel, int flags) {
    struct open_how how;
    ::memset(&how, 0, sizeof how);
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
    how.mode = (flags & O_CREAT) ? 0644 : 0;  // a file the plan creates (append_file)
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    return static_cast<int>(::syscall(SYS_openat2, rootfd, rel, &how, sizeof how));
}

// Relative form of an in-container path ("/a/b" -> "a/b", "/" -> ".").
const char* relative(const char* p) {
    while (*p == '/') ++p;
    return *p ? p : ".";
}

class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    void reset(int fd) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }
    int get() const { return fd_; }

private:
    int fd_;
};

// An O_PATH fd for `path` under the root, creating missing parents (dirs) and the last component
// (a dir, or an empty file) when it is absent. A dangling symlink in the way is replaced.
int resolve_or_create(int rootfd, const char* path, bool is_file, mode_t mode, int* out) {
    const char* rel = relative(path);
    int fd = openat2_in_root(rootfd, rel, O_PATH);
    if (fd >= 0) {
        *out = fd;
        return 0;
    }
    if (errno != ENOENT) return errno;
    char buf[kPath];
    size_t len = ::strlen(rel);
    if (len >= sizeof buf) return ENAMETOOLONG;
    ::memcpy(buf, rel, len + 1);
    // Walk the components: buf[0..i) is the parent prefix of component starting at i.
    Fd parent(openat2_in_root(rootfd, ".", O_PATH | O_DIRECTORY));
    if (parent.get() < 0) return errno;
    size_t start = 0;
    while (start < len) {
        size_t end = start;
        while (end < len && buf[end] != '/') ++end;
        bool last = end >= len;
        char saved = buf[end];
        buf[end] = '\0';
        const char* name = buf + start;
        // Resolve the prefix so far under the root (symlinks in it stay inside).
        int next = openat2_in_root(rootfd, buf, O_PATH);
        if (next < 0) {
            if (errno != ENOENT) return errno;
            if (last && is_file) {
                int f = ::openat(parent.get(), name, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0644);
                if (f < 0 && errno == EEXIST && ::unlinkat(parent.get(), name, 0) == 0)
                    f = ::openat(parent.get(), name, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0644);
                if (f < 0) return errno;
                ::close(f);
            } else {
                int r = ::mkdirat(parent.get(), name, last ? mode : 0755);
                if (r < 0 && errno == EEXIST && ::unlinkat(parent.get(), name, 0) == 0)
                    r = ::mkdirat(parent.get(), name, last ? mode : 0755);
                if (r < 0 && errno != EEXIST) return errno;
            }
            next = openat2_in_root(rootfd, buf, O_PATH);
            if (next < 0) return errno;
        }
        parent.reset(next);
        buf[end] = saved;
        start = end + 1;
    }
    *out = ::fcntl(parent.get(), F_DUPFD_CLOEXEC, 0);
    return *out < 0 ? errno : 0;
}

// Flags a user namespace may not clear on a remount (the kernel locked them at clone).
unsigned long locked_flags(const char* path) {
    struct statvfs sv;
    if (::statvfs(path, &sv) < 0) return 0;
    unsigned long f = 0;
    if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
    if (sv.f_flag & ST_NOATIME) f |= MS_NOATIME;
    if (sv.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
    if (sv.f_flag & ST_RELATIME) f |= MS_RELATIME;
    return f;
}

int remount(const char* p, unsigned long flags) {
    if (::mount(nullptr, p, nullptr, MS_BIND | MS_REMOUNT | flags | locked_flags(p), nullptr) < 0) return errno;
    return 0;
}

int setattr_recursive(int fd, unsigned long flags) {
    struct mount_attr attr;
    ::memset(&attr, 0, sizeof attr);
    if (flags & MS_RDONLY) attr.attr_set |= MOUNT_ATTR_RDONLY;
    if (flags & MS_NOSUID) attr.attr_set |= MOUNT_ATTR_NOSUID;
    if (flags & MS_NODEV) attr.attr_set |= MOUNT_ATTR_NODEV;
    if (flags & MS_NOEXEC) attr.attr_set |= MOUNT_ATTR_NOEXEC;
    if (::syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0) return errno;
    return 0;
}

struct Exec {
    int rootfd = -1;
    const char* root_path = nullptr;

    int ensure_root(const MountOp& op) {
        if (rootfd >= 0 && root_path && ::strcmp(root_path, op.root.c_str()) == 0) return 0;
        if (rootfd >= 0) ::close(rootfd);
        rootfd = ::open(op.root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        root_path = op.root.c_str();
        return rootfd < 0 ? errno : 0;
    }

    int run(const MountOp& op) {
        char p[64];
        switch (op.kind) {
        case MountOp::Kind::mount_rootfs:
            if (op.fstype.empty() && op.source.empty()) return 0;
            if (::mount(op.source.c_str(), op.target.c_str(), op.fstype.empty() ? nullptr : op.fstype.c_str(), op.flags,
                        op.data.empty() ? nullptr : op.data.c_str()) < 0)
                return errno;
            if (rootfd >= 0) ::close(rootfd), rootfd = -1;  // the mount covers what we had open
            return 0;
        case MountOp::Kind::pivot_root: {
            if (rootfd >= 0) ::close(rootfd), rootfd = -1;
            int fd = ::open(op.target.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC);
            if (fd < 0) return errno;
            int r = ::fchdir(fd);
            ::close(fd);
            if (r < 0) return errno;
            if (op.data == "move") {
                // Over fuse-overlayfs: pivot_root would move the fuse daemon's own root onto the
                // filesystem it serves (a deadlock); moving the mount onto / leaves it alone.
                if (::mount(".", "/", nullptr, MS_MOVE, nullptr) < 0) return errno;
                if (::chroot(".") < 0) return errno;
                if (::chdir("/") < 0) return errno;
                return 0;
            }
            if (::syscall(SYS_pivot_root, ".", ".") < 0) return errno;
            if (::umount2(".", MNT_DETACH) < 0) return errno;
            if (::chdir("/") < 0) return errno;
            return 0;
        }
        default:
            break;
        }
        if (int e = ensure_root(op)) return e;
        int tfd = -1;
        switch (op.kind) {
        case MountOp::Kind::mount: {
            if (int e = resolve_or_create(rootfd, op.target.c_str(), false, op.mode, &tfd)) return e;
            Fd t(tfd);
            if (::mount(op.source.c_str(), fd_path(p, t.get()), op.fstype.c_str(), op.flags,
                        op.data.empty() ? nullptr : op.data.c_str()) == 0)
                return 0;
            if (errno == EINVAL && !op.fallback_data.empty() &&
                ::mount(op.source.c_str(), fd_path(p, t.get()), op.fstype.c_str(), op.flags, op.fallback_data.c_str()) == 0)
                return 0;
            return errno;
        }
        case MountOp::Kind::bind: {
            if (int e = resolve_or_create(rootfd, op.target.c_str(), op.target_is_file, op.mode, &tfd)) return e;
            Fd t(tfd);
            if (::mount(op.source.c_str(), fd_path(p, t.get()), nullptr, op.flags, nullptr) < 0) return errno;
            return 0;
        }
        case MountOp::Kind::remount_ro: {
            tfd = openat2_in_root(rootfd, relative(op.target.c_str()), O_PATH);
            if (tfd < 0) return errno;
            Fd t(tfd);
            unsigned long flags = op.flags | (op.data == "rw" ? 0 : MS_RDONLY);
            if (flags & MS_REC) {
                // A remount changes one mount; mount_setattr (Linux 5.12) the whole subtree. It only
                // sets attributes, so flags the kernel locked are never cleared by mistake.
                if (int e = setattr_recursive(t.get(), flags); e != ENOSYS) return e;
                flags &= ~static_cast<unsigned long>(MS_REC);
            }
            return remount(fd_path(p, t.get()), flags);
        }
        case MountOp::Kind::readonly_path: {
            tfd = openat2_in_root(rootfd, relative(op.target.c_str()), O_PATH);
            if (tfd < 0) return errno;
            Fd t(tfd);
            if (::mount(fd_path(p, t.get()), fd_path(p, t.get()), nullptr, MS_BIND | MS_REC, nullptr) < 0) return errno;
            // The bind is a new mount on top: reopen to reach it.
            Fd top(openat2_in_root(rootfd, relative(op.target.c_str()), O_PATH));
            if (top.get() < 0) return errno;
            return remount(fd_path(p, top.get()), MS_RDONLY);
        }
        case MountOp::Kind::mask: {
            tfd = openat2_in_root(rootfd, relative(op.target.c_str()), O_PATH);
            if (tfd < 0) return errno;
            Fd t(tfd);
            struct stat st;
            if (::fstat(t.get(), &st) < 0) return errno;
            if (S_ISDIR(st.st_mode)) {
                if (::mount("tmpfs", fd_path(p, t.get()), "tmpfs", MS_RDONLY, "size=0k") < 0) return errno;
            } else if (::mount("/dev/null", fd_path(p, t.get()), nullptr, MS_BIND, nullptr) < 0) {
                return errno;
            }
            return 0;
        }
        case MountOp::Kind::symlink: {
            const char* rel = relative(op.target.c_str());
            const char* slash = ::strrchr(rel, '/');
            char parent[kPath];
            size_t plen = slash ? static_cast<size_t>(slash - rel) : 0;
            if (plen >= sizeof parent) return ENAMETOOLONG;
            ::memcpy(parent, rel, plen);
            parent[plen] = '\0';
            Fd dir(openat2_in_root(rootfd, plen ? parent : ".", O_PATH | O_DIRECTORY));
            if (dir.get() < 0) return errno;
            if (::symlinkat(op.source.c_str(), dir.get(), slash ? slash + 1 : rel) < 0 && errno != EEXIST) return errno;
            return 0;
        }
        case MountOp::Kind::mkdir: {
            if (int e = resolve_or_create(rootfd, op.target.c_str(), false, op.mode, &tfd)) return e;
            ::close(tfd);
            return 0;
        }
        case MountOp::Kind::append_file: {
            Fd f(openat2_in_root(rootfd, relative(op.target.c_str()), O_WRONLY | O_APPEND | O_CREAT));
            if (f.get() < 0) return errno;
            const char* p = op.data.data();
            size_t left = op.data.size();
            while (left > 0) {
                ssize_t n = ::write(f.get(), p, left);
                if (n < 0 && errno == EINTR) continue;
                if (n < 0) return errno;
                p += n;
                left -= static_cast<size_t>(n);
            }
            return 0;
        }
        default:
            return EINVAL;
        }
    }
};

}  // namespace

int execute_mount_plan(const std::vector<MountOp>& ops, size_t* failed) {
    Exec ex;
    for (size_t i = 0; i < ops.size(); ++i) {
        int e = ex.run(ops[i]);
        if (e == 0 || ops[i].optional) continue;
        if (ex.rootfd >= 0) ::close(ex.rootfd);
        *failed = i;
        return e;
    }
    if (ex.rootfd >= 0) ::close(ex.rootfd);
    return 0;
}

}  // namespace burrow::rootless

#include "base/fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <random>

#include "base/error.hpp"

namespace burrow {

Pipe make_pipe(int flags) {
    int fds[2];
    if (::pipe2(fds, flags) < 0) throw_errno("pipe2");
    return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

UniqueFd open_or_throw(const std::string& path, int flags, mode_t mode) {
    int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
    if (fd < 0) throw_errno("open `" + path + "`");
    return UniqueFd(fd);
}

UniqueFd open_in_root(int root, const std::string& rel, int flags, mode_t mode) {
    size_t skip = 0;
    while (skip < rel.size() && rel[skip] == '/') ++skip;
    const char* name = skip == rel.size() ? "." : rel.c_str() + skip;
    struct open_how how {};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
    how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    long fd;
    do fd = ::syscall(SYS_openat2, root, name, &how, sizeof how);
    while (fd < 0 && (errno == EINTR || errno == EAGAIN));
    return UniqueFd(static_cast<int>(fd));
}

std::optional<std::string> read_file_in_root(int root, const std::string& rel) {
    UniqueFd fd = open_in_root(root, rel, O_RDONLY);
    if (!fd) {
        if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
        throw_errno("open `" + rel + "` in the container");
    }
    std::string out = read_to_end(fd.get());
    return out;
}

void append_file_in_root(int root, const std::string& rel, std::string_view data, mode_t mode) {
    UniqueFd fd = open_in_root(root, rel, O_WRONLY | O_APPEND | O_CREAT, mode);
    if (!fd) throw_errno("open `" + rel + "` in the container");
    while (!data.empty()) {
        ssize_t n = ::write(fd.get(), data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("append to `" + rel + "` in the container");
        }
        data.remove_prefix(static_cast<size_t>(n));
    }
}

std::optional<std::string> read_file_if_exists(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
        throw_errno("open `" + path + "`");
    }
    UniqueFd owner(fd);
    std::string out;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("read `" + path + "`");
        }
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

std::string read_file(const std::string& path) {
    auto s = read_file_if_exists(path);
    if (!s) throw SysError("open `" + path + "`", ENOENT);
    return *s;
}

static void write_all(int fd, std::string_view data, const std::string& path) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("write `" + path + "`");
        }
        data.remove_prefix(static_cast<size_t>(n));
    }
}

std::string join_path(std::string_view a, std::string_view b) {
    if (a.empty()) return std::string(b);
    std::string r(a);
    if (r.back() != '/') r.push_back('/');
    while (!b.empty() && b.front() == '/') b.remove_prefix(1);
    r.append(b);
    return r;
}

void fsync_dir(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

std::string read_to_end(int fd) {
    std::string out;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

void atomic_write_file(const std::string& path, std::string_view data, mode_t mode, bool durable) {
    auto slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
    std::random_device rd;
    std::string tmp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(rd() % 1000000);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) throw_errno("create `" + tmp + "`");
    UniqueFd owner(fd);
    try {
        write_all(fd, data, tmp);
        if (::fchmod(fd, mode) < 0) throw_errno("chmod `" + tmp + "`");
        if (durable && ::fsync(fd) < 0) throw_errno("fsync `" + tmp + "`");
        owner.reset();
        if (::rename(tmp.c_str(), path.c_str()) < 0) throw_errno("rename `" + tmp + "` to `" + path + "`");
    } catch (...) {
        ::unlink(tmp.c_str());
        throw;
    }
    if (durable) fsync_dir(dir);
}

void mkdir_p(const std::string& path, mode_t mode) {
    if (path.empty()) return;
    // The common case is a directory that exists, or one whose parent does: one syscall.
    if (::mkdir(path.c_str(), mode) == 0) return;
    if (errno == EEXIST && is_directory(path)) return;
    std::string cur;
    size_t pos = 0;
    while (pos <= path.size()) {
        size_t next = path.find('/', pos);
        if (next == std::string::npos) next = path.size();
        cur = path.substr(0, next);
        pos = next + 1;
        if (cur.empty()) continue;
        if (::mkdir(cur.c_str(), mode) < 0 && errno != EEXIST) throw_errno("mkdir `" + cur + "`");
    }
    if (!is_directory(path)) throw SysError("mkdir `" + path + "`", ENOTDIR);
}

bool path_exists(const std::string& path) {
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0;
}

bool is_directory(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> list_dir(const std::string& path) {
    std::vector<std::string> out;
    DIR* d = ::opendir(path.c_str());
    if (!d) {
        if (errno == ENOENT) return out;
        throw_errno("opendir `" + path + "`");
    }
    while (auto* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != "..") out.push_back(std::move(n));
    }
    ::closedir(d);
    return out;
}

static void remove_tree_at(int parent, const char* name, const std::string& shown) {
    if (::unlinkat(parent, name, 0) == 0 || errno == ENOENT) return;
    if (errno != EISDIR && errno != EPERM) throw_errno("remove `" + shown + "`");
    int fd = ::openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == EACCES) {
        // A directory of ours without r/x (overlay's work/work is mode 000): open it up first.
        // fchmodat does not follow the last link: a symlink here was unlinked above already.
        ::fchmodat(parent, name, 0700, 0);
        fd = ::openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) {
        if (errno == ENOENT) return;
        throw_errno("open `" + shown + "`");
    }
    ::fchmod(fd, 0700);
    DIR* d = ::fdopendir(fd);
    if (!d) {
        ::close(fd);
        throw_errno("opendir `" + shown + "`");
    }
    while (auto* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n == "." || n == "..") continue;
        remove_tree_at(fd, n.c_str(), shown + "/" + n);
    }
    ::closedir(d);
    if (::unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT) throw_errno("rmdir `" + shown + "`");
}

void remove_tree(const std::string& path) { remove_tree_at(AT_FDCWD, path.c_str(), path); }

void copy_tree_at(int src_dir, const std::string& src_name, int dst_dir, const std::string& dst_name,
                  const std::string& shown) {
    struct stat st;
    if (::fstatat(src_dir, src_name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) throw_errno("stat `" + shown + "`");
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    if (S_ISLNK(st.st_mode)) {
        char target[4096];
        ssize_t n = ::readlinkat(src_dir, src_name.c_str(), target, sizeof target - 1);
        if (n < 0) throw_errno("readlink `" + shown + "`");
        target[n] = '\0';
        ::unlinkat(dst_dir, dst_name.c_str(), 0);
        if (::symlinkat(target, dst_dir, dst_name.c_str()) < 0) throw_errno("symlink `" + dst_name + "`");
        ::utimensat(dst_dir, dst_name.c_str(), times, AT_SYMLINK_NOFOLLOW);
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        if (::mkdirat(dst_dir, dst_name.c_str(), 0700) < 0 && errno != EEXIST) throw_errno("mkdir `" + dst_name + "`");
        UniqueFd from(::openat(src_dir, src_name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!from) throw_errno("open `" + shown + "`");
        UniqueFd to(::openat(dst_dir, dst_name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!to) throw_errno("open `" + dst_name + "`");
        UniqueFd listing(::dup(from.get()));
        DIR* d = ::fdopendir(listing.release());
        if (!d) throw_errno("opendir `" + shown + "`");
        std::vector<std::string> names;
        while (auto* e = ::readdir(d)) {
            std::string n = e->d_name;
            if (n != "." && n != "..") names.push_back(n);
        }
        ::closedir(d);
        for (const auto& n : names) copy_tree_at(from.get(), n, to.get(), n, shown + "/" + n);
        ::fchmod(to.get(), st.st_mode & 07777);
        ::futimens(to.get(), times);
        return;
    }
    if (!S_ISREG(st.st_mode)) return;
    UniqueFd in(::openat(src_dir, src_name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!in) throw_errno("open `" + shown + "`");
    UniqueFd out(::openat(dst_dir, dst_name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 07777));
    if (!out) throw_errno("create `" + dst_name + "`");
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(in.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_errno("read `" + shown + "`");
        if (n == 0) break;
        write_all(out.get(), std::string_view(buf, static_cast<size_t>(n)), dst_name);
    }
    ::fchmod(out.get(), st.st_mode & 07777);
    ::futimens(out.get(), times);
}

static uint64_t tree_size_at(int dirfd) {
    uint64_t total = 0;
    DIR* d = ::fdopendir(dirfd);
    if (!d) {
        ::close(dirfd);
        return 0;
    }
    while (auto* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n == "." || n == "..") continue;
        struct stat st;
        if (::fstatat(::dirfd(d), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
        if (S_ISDIR(st.st_mode)) {
            int sub = ::openat(::dirfd(d), n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0) total += tree_size_at(sub);
        } else {
            total += static_cast<uint64_t>(st.st_size);
        }
    }
    ::closedir(d);
    return total;
}

uint64_t tree_size(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return 0;
    return tree_size_at(fd);
}

std::string home_dir() {
    if (const char* h = std::getenv("HOME"); h && *h) return h;
    if (auto* pw = ::getpwuid(::getuid())) return pw->pw_dir;
    throw Error("cannot find the home directory: set $HOME");
}

std::string xdg_config_home() {
    if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x == '/') return x;
    return home_dir() + "/.config";
}

std::string xdg_data_home() {
    if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x == '/') return x;
    return home_dir() + "/.local/share";
}

std::string xdg_runtime_dir_or_fallback() {
    if (const char* x = std::getenv("XDG_RUNTIME_DIR"); x && *x == '/' && ::access(x, W_OK) == 0) return x;
    std::string dir = "/tmp/burrow-run-" + std::to_string(::getuid());
    if (::mkdir(dir.c_str(), 0700) < 0 && errno != EEXIST) throw_errno("mkdir `" + dir + "`");
    struct stat st;
    if (::lstat(dir.c_str(), &st) < 0) throw_errno("stat `" + dir + "`");
    if (!S_ISDIR(st.st_mode) || st.st_uid != ::getuid())
        throw Error("runtime directory `" + dir + "` is not owned by you: set $XDG_RUNTIME_DIR");
    return dir;
}

}  // namespace burrow


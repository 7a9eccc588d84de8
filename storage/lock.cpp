#include "storage/lock.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

#include "base/error.hpp"
#include "base/fs.hpp"

namespace burrow::storage {
namespace {

UniqueFd open_lock_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 && errno == ENOENT) {
        // First use of a fresh store: the locks/ folder may not exist yet.
        auto slash = path.rfind('/');
        if (slash != std::string::npos && slash > 0) mkdir_p(path.substr(0, slash), 0700);
        fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    }
    if (fd < 0) throw_errno("open lock `" + path + "`");
    return UniqueFd(fd);
}

int op_for(Lock::Mode m) { return m == Lock::Mode::shared ? LOCK_SH : LOCK_EX; }

}  // namespace

Lock Lock::acquire(const std::string& path, Mode mode) {
    Lock l;
    l.fd_ = open_lock_file(path);
    while (::flock(l.fd_.get(), op_for(mode)) < 0)
        if (errno != EINTR) throw_errno("lock `" + path + "`");
    return l;
}

Lock Lock::try_acquire(const std::string& path, Mode mode) {
    Lock l;
    UniqueFd fd = open_lock_file(path);
    for (;;) {
        if (::flock(fd.get(), op_for(mode) | LOCK_NB) == 0) {
            l.fd_ = std::move(fd);
            return l;
        }
        if (errno == EWOULDBLOCK) return l;
        if (errno != EINTR) throw_errno("lock `" + path + "`");
    }
}

void Lock::downgrade() {
    if (!fd_) return;
    while (::flock(fd_.get(), LOCK_SH) < 0)
        if (errno != EINTR) throw_errno("downgrade lock");
}

}  // namespace burrow::storage

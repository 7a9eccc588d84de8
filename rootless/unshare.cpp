#include "rootless/unshare.hpp"

#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "base/error.hpp"

namespace burrow::rootless {
namespace {

// Go's exec.LookPath, which Podman uses: the first executable regular file in $PATH. (execvp
// reports EACCES when some PATH entry is unreadable, e.g. a root-only folder left in PATH by
// runuser, although the command simply does not exist.)
std::string look_path(const std::string& name) {
    if (name.find('/') != std::string::npos) return name;
    const char* env = std::getenv("PATH");
    std::string paths = env && *env ? env : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    size_t start = 0;
    while (start <= paths.size()) {
        size_t end = paths.find(':', start);
        if (end == std::string::npos) end = paths.size();
        std::string dir = paths.substr(start, end - start);
        std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
        struct stat st;
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
            return candidate;
        start = end + 1;
    }
    return {};
}

}  // namespace

int unshare_helper_main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "Error: __unshare: no command given\n");
        return kExitEngine;
    }
    // A mount namespace of its own, so mounts made in the shell do not leak into the host's
    // (propagation private: nothing flows back).
    if (::unshare(CLONE_NEWNS) < 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) {
        std::fprintf(stderr, "Error: creating a mount namespace: %s\n", std::strerror(errno));
        return kExitEngine;
    }
    std::string path = look_path(argv[1]);
    if (path.empty()) {
        std::fprintf(stderr, "Error: exec: \"%s\": executable file not found in $PATH\n", argv[1]);
        return kExitNotFound;
    }
    ::execv(path.c_str(), argv + 1);
    int err = errno;
    if (err == ENOENT) {
        std::fprintf(stderr, "Error: exec: \"%s\": executable file not found in $PATH\n", argv[1]);
        return kExitNotFound;
    }
    std::string why = std::strerror(err);
    if (!why.empty()) why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));  // Go's wording
    std::fprintf(stderr, "Error: exec: \"%s\": %s\n", argv[1], why.c_str());
    return err == EACCES || err == ENOEXEC ? kExitCannotInvoke : kExitEngine;
}

}  // namespace burrow::rootless

// Finding and exec'ing burrow-pull (shared by both binaries).
#include <unistd.h>

#include "base/error.hpp"
#include "src/cli/delegate.hpp"

namespace burrow::cli {

std::string pull_binary() {
    char buf[4096];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    std::string self = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
    std::string dir = self.substr(0, self.rfind('/'));
    for (const auto& cand : {dir + "/burrow-pull", dir + "/../libexec/burrow/burrow-pull"})
        if (::access(cand.c_str(), X_OK) == 0) return cand;
    throw Error("burrow-pull not found next to " + self + ": reinstall burrow");
}

void exec_pull_binary(const std::vector<std::string>& argv) {
    std::string bin = pull_binary();
    std::vector<std::string> args = argv;
    if (args.empty()) args.push_back("burrow");  // argv[0] kept: burrow-pull names itself as the user called it
    std::vector<char*> av;
    for (auto& a : args) av.push_back(a.data());
    av.push_back(nullptr);
    ::execv(bin.c_str(), av.data());
    throw_errno("exec `" + bin + "`");
}

}  // namespace burrow::cli

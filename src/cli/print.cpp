#include "src/cli/print.hpp"

#include <cerrno>
#include <cstdio>

#include "base/error.hpp"

namespace burrow::cli {

void print_out(const std::string& s) {
    if (s.empty()) return;
    if (std::fwrite(s.data(), 1, s.size(), stdout) != s.size() && errno != EPIPE) throw_errno("write to stdout");
}

void print_error(const std::string& msg) {
    std::fflush(stdout);
    std::fprintf(stderr, "Error: %s\n", msg.c_str());
}

void print_warning(const std::string& msg) {
    std::fflush(stdout);
    std::fprintf(stderr, "WARN[0000] %s\n", msg.c_str());
}

}  // namespace burrow::cli

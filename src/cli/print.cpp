#include "src/cli/print.hpp"

#include <cerrno>
#include <cstdio>

#include "base/error.hpp"
#include "base/log.hpp"

namespace burrow::cli {

void print_out(const std::string& s) {
    if (s.empty()) return;
    if (std::fwrite(s.data(), 1, s.size(), stdout) != s.size() && errno != EPIPE) throw_errno("write to stdout");
}

void print_error(const std::string& msg) {
    std::fflush(stdout);
    std::fprintf(stderr, "Error: %s\n", msg.c_str());
}

void print_warning(const std::string& msg) { log::warn(msg); }

}  // namespace burrow::cli

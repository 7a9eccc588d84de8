// The exit code of `run` when the container fails to start (pure; unit-tested). Podman 4.3 reads
// it off the error's text (libpod/define's ExitCode): "not found", "no such file" or "executable
// path is empty" -> 127, anything else -> 126 (a start failure is never 125 for run).
#pragma once
#include <algorithm>
#include <cctype>
#include <string>

namespace burrow::engine {

inline int run_start_exit_code(std::string msg) {
    std::transform(msg.begin(), msg.end(), msg.begin(), [](unsigned char c) { return std::tolower(c); });
    for (const char* s : {"not found", "executable path is empty", "no such file"})
        if (msg.find(s) != std::string::npos) return 127;
    return 126;
}

}  // namespace burrow::engine

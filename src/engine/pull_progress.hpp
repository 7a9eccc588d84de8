// Pull progress on stderr: Podman's plain lines, plus one live byte counter on a terminal.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace burrow::engine {

class PullProgress {
public:
    explicit PullProgress(bool quiet);
    // Printed whenever not quiet ("Trying to pull ...", as Podman does even off a terminal).
    void headline(const std::string& text);
    // Step lines ("Copying blob ..."): only on a terminal, so a script's stderr holds just the
    // headline and, on failure, the one error line.
    void line(const std::string& text);
    void warn(const std::string& text);
    void start_blobs(size_t count);
    void blob_bytes(size_t index, uint64_t done, int64_t total);
    void finish_blobs();

private:
    void redraw(bool force);
    bool quiet_;
    bool tty_;
    bool live_ = false;
    std::vector<uint64_t> done_;
    std::vector<int64_t> total_;
    std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace burrow::engine

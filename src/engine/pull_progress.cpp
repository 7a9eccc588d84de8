#include "src/engine/pull_progress.hpp"

#include <unistd.h>

#include <cstdio>

#include "base/log.hpp"
#include "base/strings.hpp"

namespace burrow::engine {

PullProgress::PullProgress(bool quiet) : quiet_(quiet), tty_(::isatty(STDERR_FILENO) == 1) {}

void PullProgress::headline(const std::string& text) {
    if (quiet_) return;
    std::fprintf(stderr, "%s\n", text.c_str());
}

void PullProgress::line(const std::string& text) {
    if (quiet_ || !tty_) return;
    if (live_) std::fputs("\r\033[K", stderr);
    std::fprintf(stderr, "%s\n", text.c_str());
    if (live_) redraw(true);
}

void PullProgress::warn(const std::string& text) {
    if (quiet_) return;
    if (live_) std::fputs("\r\033[K", stderr);
    log::warn(text);
    if (live_) redraw(true);
}

void PullProgress::start_blobs(size_t count) {
    done_.assign(count, 0);
    total_.assign(count, -1);
    live_ = !quiet_ && tty_ && count > 0;
    if (live_) redraw(true);
}

void PullProgress::blob_bytes(size_t index, uint64_t done, int64_t total) {
    if (index >= done_.size()) return;
    done_[index] = done;
    total_[index] = total;
    if (live_) redraw(false);
}

void PullProgress::redraw(bool force) {
    auto now = std::chrono::steady_clock::now();
    if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    uint64_t done = 0, total = 0;
    size_t finished = 0;
    for (size_t i = 0; i < done_.size(); ++i) {
        done += done_[i];
        if (total_[i] > 0) total += static_cast<uint64_t>(total_[i]);
        if (total_[i] > 0 && done_[i] >= static_cast<uint64_t>(total_[i])) ++finished;
    }
    std::fprintf(stderr, "\r\033[KCopying %zu blobs: %s / %s (%zu done)", done_.size(), human_size(double(done)).c_str(),
                 human_size(double(total)).c_str(), finished);
    std::fflush(stderr);
}

void PullProgress::finish_blobs() {
    if (!live_) return;
    redraw(true);
    std::fputs("\n", stderr);
    live_ = false;
}

}  // namespace burrow::engine

// Layer extraction: the in-process core, the `__extract` / `__rm` helpers and the session that
// runs the helper in the user namespace.
//
// Helper protocol (private to this file; parent and helper are the same binary):
//   argv: __extract <json {"jobs":[{"dest":..., "diff_id":..., "ignore_chown":bool}, ...]}>
//   fd 3: status pipe; the helper writes one JSON line per finished job:
//         {"job":i,"ok":true,"diff_id":"sha256:...","size":N} or {"job":i,"ok":false,"error":"..."}
//         and {"fatal":"..."} when it cannot run at all.
//   fd 4+i: the blob of job i (compressed or not), read to EOF.
#include "storage/extract.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <deque>
#include <cstdio>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/sha256.hpp"
#include "storage/decompress.hpp"
#include "storage/layer_writer.hpp"

namespace burrow::storage {
namespace {

constexpr size_t kChunk = 1 << 20;

// The decompressed stream as libarchive reads it. Decompression and hashing run on their own
// thread a few chunks ahead of the tar reader, so inflating overlaps with the file system work
// (on two cores, roughly one each). Every byte is hashed: the diff id covers the whole tar,
// padding after the end-of-archive blocks included.
class ChunkPipe {
public:
    explicit ChunkPipe(ByteSource* src) : src_(src) {
        for (int i = 0; i < kBuffers; ++i) {
            bufs_[i].resize(kChunk);
            free_.push_back(i);
        }
        thread_ = std::thread([this] { produce(); });
    }
    ~ChunkPipe() {
        {
            std::lock_guard<std::mutex> g(mu_);
            cancel_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }
    // The next chunk ({nullptr, 0} at the end); the memory of the previous one is reused.
    // Throws the decompressor's error once the chunks before it are consumed.
    std::pair<const uint8_t*, size_t> next() {
        std::unique_lock<std::mutex> lk(mu_);
        if (held_ >= 0) {
            free_.push_back(held_);
            held_ = -1;
            cv_.notify_all();
        }
        cv_.wait(lk, [&] { return !full_.empty() || done_; });
        if (!full_.empty()) {
            auto [b, n] = full_.front();
            full_.pop_front();
            held_ = b;
            return {bufs_[b].data(), n};
        }
        if (err_) std::rethrow_exception(err_);
        return {nullptr, 0};
    }
    // Reads to the end; returns the diff id and the size of the whole stream.
    std::pair<std::string, uint64_t> finish() {
        while (next().second > 0) {
        }
        std::lock_guard<std::mutex> g(mu_);  // done_ is set: the producer no longer touches sha_
        return {"sha256:" + sha_.hex_final(), size_};
    }

private:
    static constexpr int kBuffers = 4;
    void produce() {
        try {
            for (;;) {
                int b;
                {
                    std::unique_lock<std::mutex> lk(mu_);
                    cv_.wait(lk, [&] { return cancel_ || !free_.empty(); });
                    if (cancel_) return;
                    b = free_.back();
                    free_.pop_back();
                }
                size_t n = src_->read(bufs_[b].data(), kChunk);
                sha_.update(bufs_[b].data(), n);
                size_ += n;
                {
                    std::lock_guard<std::mutex> g(mu_);
                    if (n == 0) {
                        done_ = true;
                        free_.push_back(b);
                    } else {
                        full_.emplace_back(b, n);
                    }
                }
                cv_.notify_all();
                if (n == 0) return;
            }
        } catch (...) {
            {
                std::lock_guard<std::mutex> g(mu_);
                err_ = std::current_exception();
                done_ = true;
            }
            cv_.notify_all();
        }
    }

    ByteSource* src_;
    std::vector<uint8_t> bufs_[kBuffers];
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::pair<int, size_t>> full_;
    std::vector<int> free_;
    int held_ = -1;
    bool done_ = false, cancel_ = false;
    std::exception_ptr err_;
    Sha256 sha_;
    uint64_t size_ = 0;
    std::thread thread_;
};

struct TarStream {
    ChunkPipe* pipe;
    std::pair<const uint8_t*, size_t> first;
    bool use_first = false;
    std::exception_ptr error;
};

la_ssize_t tar_read(struct archive* a, void* opaque, const void** out) {
    auto* s = static_cast<TarStream*>(opaque);
    if (s->use_first) {
        s->use_first = false;
        *out = s->first.first;
        return static_cast<la_ssize_t>(s->first.second);
    }
    // No exception may cross libarchive's C frames.
    try {
        auto [p, n] = s->pipe->next();
        *out = p;
        return static_cast<la_ssize_t>(n);
    } catch (...) {
        s->error = std::current_exception();
        archive_set_error(a, EIO, "layer stream failed");
        return -1;
    }
}

struct ArchiveFree {
    void operator()(struct archive* a) const { archive_read_free(a); }
};

void drain_fd(int fd) {
    std::vector<char> buf(kChunk);
    for (;;) {
        ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n == 0 || (n < 0 && errno != EINTR)) return;
    }
}

}  // namespace

ExtractStats extract_layer_stream(int in_fd, const std::string& dest_dir, bool ignore_chown_errors) {
    auto src = open_decompressed(in_fd);
    LayerWriter writer(dest_dir + "/diff", ignore_chown_errors);
    ChunkPipe pipe(src.get());
    TarStream ts{&pipe, pipe.next(), true, nullptr};
    if (ts.first.second > 0) {  // an empty stream is an empty layer
        std::unique_ptr<struct archive, ArchiveFree> a(archive_read_new());
        if (!a) throw Error("libarchive: out of memory");
        archive_read_support_format_tar(a.get());
        auto fail = [&](const std::string& what) -> Error {
            if (ts.error) std::rethrow_exception(ts.error);
            const char* msg = archive_error_string(a.get());
            return Error(what + ": " + (msg ? msg : "malformed tar"));
        };
        if (archive_read_open(a.get(), &ts, nullptr, tar_read, nullptr) != ARCHIVE_OK)
            throw fail(std::string("reading layer (") + src->kind() + ")");
        struct archive_entry* e;
        for (;;) {
            int rc = archive_read_next_header(a.get(), &e);
            if (rc == ARCHIVE_EOF) break;
            if (rc < ARCHIVE_WARN) throw fail(std::string("reading layer (") + src->kind() + ")");
            try {
                writer.write(a.get(), e);
            } catch (const Error&) {
                // A data read that failed inside libarchive: the stream's own error is the cause.
                if (ts.error) std::rethrow_exception(ts.error);
                throw;
            }
        }
        if (ts.error) std::rethrow_exception(ts.error);
    }
    writer.finish();
    auto [digest, size] = pipe.finish();
    return {digest, size};
}

// ---- helper side -------------------------------------------------------------------------------

int extract_helper_main(int argc, char** argv) {
    const int status_fd = 3;
    std::mutex out_mu;
    auto emit = [&](const nlohmann::json& j) {
        std::string line = j.dump() + "\n";
        std::lock_guard<std::mutex> g(out_mu);
        const char* p = line.data();
        size_t n = line.size();
        while (n > 0) {
            ssize_t w = ::write(status_fd, p, n);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) return;
            p += w;
            n -= static_cast<size_t>(w);
        }
    };
    struct Job {
        std::string dest, diff_id;
        bool ignore_chown = false;
    };
    std::vector<Job> jobs;
    try {
        if (argc < 2) throw Error("missing job list");
        auto j = nlohmann::json::parse(argv[1]);
        for (const auto& job : j.at("jobs"))
            jobs.push_back({job.at("dest").get<std::string>(), job.value("diff_id", ""), job.value("ignore_chown", false)});
    } catch (const std::exception& e) {
        emit({{"fatal", std::string("extraction helper: bad job list: ") + e.what()}});
        return 2;
    }
    // Mode bits come from the tar headers, not from the user's umask.
    ::umask(022);
    std::vector<std::thread> threads;
    for (size_t i = 0; i < jobs.size(); ++i) {
        threads.emplace_back([&, i] {
            int fd = 4 + static_cast<int>(i);
            nlohmann::json r{{"job", i}};
            try {
                auto st = extract_layer_stream(fd, jobs[i].dest, jobs[i].ignore_chown);
                r["diff_id"] = st.diff_id;
                r["size"] = st.uncompressed_size;
                if (!jobs[i].diff_id.empty() && st.diff_id != jobs[i].diff_id) {
                    r["ok"] = false;
                    r["error"] = "layer content digest " + st.diff_id + " does not match the expected diff id " + jobs[i].diff_id;
                } else {
                    r["ok"] = true;
                }
            } catch (const std::exception& e) {
                r["ok"] = false;
                r["error"] = e.what();
                // Read the rest so the download finishes and this error, not a broken pipe, is reported.
                drain_fd(fd);
            }
            ::close(fd);
            emit(r);
        });
    }
    for (auto& t : threads) t.join();
    return 0;
}

// ---- parent side -------------------------------------------------------------------------------

struct ExtractSession::Impl {
    std::unique_ptr<HelperProcess> child;
    UniqueFd status;
    size_t jobs = 0;
    bool waited = false;
};

ExtractSession::ExtractSession(const Store& store, std::vector<ExtractJob> jobs) : impl_(new Impl) {
    std::unique_ptr<Impl> guard(impl_);
    impl_->jobs = jobs.size();
    if (!jobs.empty()) {
        bool ignore = store.options().ignore_chown_errors || store.idmap().single();
        nlohmann::json list = nlohmann::json::array();
        std::vector<int> fds;
        Pipe status = make_pipe();
        fds.push_back(status.write_end.get());
        for (const auto& j : jobs) {
            list.push_back({{"dest", j.dest_dir}, {"diff_id", j.diff_id}, {"ignore_chown", ignore}});
            fds.push_back(j.in_fd);
        }
        nlohmann::json arg{{"jobs", list}};
        impl_->child = store.helpers().spawn(store.idmap(), {"__extract", arg.dump()}, fds);
        impl_->status = std::move(status.read_end);
    }
    guard.release();
}

ExtractSession::~ExtractSession() { delete impl_; }

std::vector<ExtractOutcome> ExtractSession::wait() {
    std::vector<ExtractOutcome> out(impl_->jobs);
    std::vector<bool> seen(impl_->jobs, false);
    if (impl_->jobs == 0 || impl_->waited) return out;
    impl_->waited = true;
    std::string text, fatal;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(impl_->status.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        text.append(buf, static_cast<size_t>(n));
    }
    int st = impl_->child->wait();
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        try {
            auto j = nlohmann::json::parse(text.substr(pos, nl - pos));
            if (j.contains("fatal")) {
                fatal = j.at("fatal").get<std::string>();
            } else {
                size_t i = j.at("job").get<size_t>();
                if (i < out.size()) {
                    out[i].ok = j.value("ok", false);
                    out[i].error = j.value("error", "");
                    out[i].diff_id = j.value("diff_id", "");
                    out[i].uncompressed_size = j.value("size", uint64_t{0});
                    seen[i] = true;
                }
            }
        } catch (const nlohmann::json::exception&) {
            // A torn line from a killed helper: the job counts as not reported.
        }
        pos = nl + 1;
    }
    std::string why = !fatal.empty() ? fatal
                      : WIFSIGNALED(st) ? std::string("extraction helper killed by signal ") + ::strsignal(WTERMSIG(st))
                                        : "extraction helper exited with status " + std::to_string(WEXITSTATUS(st));
    for (size_t i = 0; i < out.size(); ++i)
        if (!seen[i]) {
            out[i].ok = false;
            out[i].error = why;
        }
    return out;
}

}  // namespace burrow::storage

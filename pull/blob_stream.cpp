// stream_blobs: every layer in parallel on one thread (curl multi), each into its pipe with
// backpressure: a full per-stream buffer pauses that transfer until the reader catches up, so a
// slow extractor never makes us buffer a whole layer, and one stuck pipe never blocks the others.
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "base/sha256.hpp"
#include "pull/client_impl.hpp"

namespace burrow::pull {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kBufCap = 2 << 20;             // per stream, between the network and the pipe
constexpr long kCurlBuffer = 128 << 10;         // curl's receive chunk
constexpr size_t kMaxErrorBody = 64 << 10;

struct Stream {
    size_t index = 0;
    BlobStream* bs = nullptr;
    http::Easy easy;
    http::Slist headers;
    char errbuf[CURL_ERROR_SIZE] = {};
    std::vector<char> buf;
    size_t rd = 0, wr = 0;
    uint64_t received = 0;  // blob bytes hashed and buffered (they survive retries)
    uint64_t skip = 0;      // bytes to drop this attempt: the server ignored our Range and resent them
    bool checked = false;   // status looked at for this attempt
    bool body_ok = false;   // 200/206: the body is the blob
    long range_start = -1;  // from Content-Range
    std::string err_body;
    std::string abort_reason;  // set by the write callback when it aborts the transfer
    Sha256 hash;
    bool in_multi = false, paused = false, net_done = false, finished = false, want_pollout = false;
    bool waiting_retry = false;
    bool auth_refreshed = false;
    int attempts = 0;
    Clock::time_point retry_at{};
    uint64_t reported = 0;
    std::string last_error;
    std::string url;

    size_t room() const { return buf.size() - (wr - rd); }
};

size_t on_header(char* p, size_t, size_t n, void* ud) {
    auto& s = *static_cast<Stream*>(ud);
    std::string_view line(p, n);
    if (line.rfind("HTTP/", 0) == 0) s.range_start = -1;
    else if (line.size() > 14 && strncasecmp(line.data(), "content-range:", 14) == 0) {
        auto b = line.find("bytes");
        if (b != std::string_view::npos) s.range_start = std::strtol(line.data() + b + 5, nullptr, 10);
    }
    return n;
}

size_t on_data(char* p, size_t, size_t n, void* ud) {
    auto& s = *static_cast<Stream*>(ud);
    if (!s.checked) {
        long status = 0;
        curl_easy_getinfo(s.easy.get(), CURLINFO_RESPONSE_CODE, &status);
        s.checked = true;
        s.body_ok = status == 200 || status == 206;
        if (status == 200) s.skip = s.received;
        if (status == 206 && s.range_start != static_cast<long>(s.received)) {
            s.abort_reason = "the registry resumed at byte " + std::to_string(s.range_start) + " instead of " +
                             std::to_string(s.received);
            return 0;
        }
    }
    if (!s.body_ok) {  // an error document, not the blob: keep it for the message
        if (s.err_body.size() < kMaxErrorBody) s.err_body.append(p, std::min(n, kMaxErrorBody - s.err_body.size()));
        return n;
    }
    size_t drop = static_cast<size_t>(std::min<uint64_t>(s.skip, n));
    size_t len = n - drop;
    if (len > s.room()) {
        if (len > s.buf.size()) s.buf.resize(len + (s.wr - s.rd));  // a chunk bigger than the buffer: grow once
        if (len > s.room()) {
            s.paused = true;
            return CURL_WRITEFUNC_PAUSE;  // curl hands us the same bytes again after CURLPAUSE_CONT
        }
    }
    s.skip -= drop;
    if (len == 0) return n;
    if (s.bs->size >= 0 && s.received + len > static_cast<uint64_t>(s.bs->size)) {
        s.abort_reason = "the registry sent more than the " + std::to_string(s.bs->size) + " bytes the manifest lists";
        return 0;
    }
    if (s.buf.size() - s.wr < len) {  // compact: room exists but not at the tail
        std::memmove(s.buf.data(), s.buf.data() + s.rd, s.wr - s.rd);
        s.wr -= s.rd;
        s.rd = 0;
    }
    std::memcpy(s.buf.data() + s.wr, p + drop, len);
    s.wr += len;
    s.hash.update(p + drop, len);
    s.received += len;
    return n;
}

// Blocks SIGPIPE on this thread while we write to pipes, so a dead reader is an EPIPE, not a kill.
class SigpipeGuard {
public:
    SigpipeGuard() {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &set, &old_);
    }
    ~SigpipeGuard() {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGPIPE);
        const timespec zero{0, 0};
        while (sigtimedwait(&set, nullptr, &zero) > 0) {
        }
        pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
    SigpipeGuard(const SigpipeGuard&) = delete;
    SigpipeGuard& operator=(const SigpipeGuard&) = delete;

private:
    sigset_t old_;
};

class Streamer {
public:
    Streamer(ClientState& im, const std::string& repo, std::vector<BlobStream>& blobs, const ProgressFn& progress)
        : im_(im), repo_(repo), progress_(progress), results_(blobs.size()), multi_(http::make_multi()) {
        curl_multi_setopt(multi_.get(), CURLMOPT_MAX_HOST_CONNECTIONS, 8L);
        curl_multi_setopt(multi_.get(), CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_NOTHING));
        streams_.resize(blobs.size());
        for (size_t i = 0; i < blobs.size(); ++i) {
            streams_[i].index = i;
            streams_[i].bs = &blobs[i];
        }
    }
    ~Streamer() {
        for (auto& s : streams_) {
            if (s.in_multi) curl_multi_remove_handle(multi_.get(), s.easy.get());
            close_fd(s);
        }
    }

    std::vector<BlobResult> run() {
        std::string base;
        try {
            base = im_.base_url();
            im_.authorization(repo_);  // fetch the token once, before the loop
        } catch (const Error& e) {
            for (auto& s : streams_) fail(s, e.what());
            return results_;
        }
        base_ = base;
        for (auto& s : streams_) {
            if (!is_valid_digest(s.bs->digest)) fail(s, "unsupported digest \"" + s.bs->digest + "\"");
            else if (s.bs->out_fd < 0) fail(s, "no pipe to write blob " + s.bs->digest + " into");
            else {
                s.buf.resize(kBufCap);
                start(s);
            }
        }
        while (true) {
            int running = 0;
            curl_multi_perform(multi_.get(), &running);
            int left = 0;
            while (CURLMsg* m = curl_multi_info_read(multi_.get(), &left)) {
                if (m->msg != CURLMSG_DONE) continue;
                Stream* s = nullptr;
                curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&s));
                if (s) done(*s, m->data.result);
            }
            auto now = Clock::now();
            bool unfinished = false;
            int timeout_ms = 1000;
            std::vector<curl_waitfd> extra;
            for (auto& s : streams_) {
                if (s.finished) continue;
                flush(s);
                if (!s.finished && s.net_done && s.rd == s.wr) finish(s);
                if (s.finished) continue;
                if (s.waiting_retry) {
                    if (now >= s.retry_at) start(s);
                    else
                        timeout_ms = std::min<int>(timeout_ms, static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                                                    s.retry_at - now).count()) + 1);
                }
                if (s.received != s.reported && progress_) {
                    s.reported = s.received;
                    progress_(s.index, s.received, s.bs->size);
                }
                if (s.want_pollout) extra.push_back({s.bs->out_fd, CURL_WAIT_POLLOUT, 0});
                unfinished = true;
            }
            if (!unfinished) break;
            curl_multi_poll(multi_.get(), extra.data(), static_cast<unsigned>(extra.size()), timeout_ms, nullptr);
        }
        return results_;
    }

private:
    void start(Stream& s) {
        s.waiting_retry = false;
        std::string auth;
        try {
            auth = im_.authorization(repo_);
        } catch (const Error& e) {
            return fail(s, e.what());
        }
        if (!s.easy) s.easy = http::make_easy();
        CURL* c = s.easy.get();
        curl_easy_reset(c);
        http::configure_easy(c, im_.tls, s.errbuf);
        s.headers = http::Slist();
        if (!auth.empty()) s.headers.add(auth);
        if (s.received > 0) s.headers.add("Range: bytes=" + std::to_string(s.received) + "-");
        s.url = base_ + "/v2/" + repo_ + "/blobs/" + s.bs->digest;
        curl_easy_setopt(c, CURLOPT_URL, s.url.c_str());
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, s.headers.get());
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, &s);
        curl_easy_setopt(c, CURLOPT_PRIVATE, &s);
        curl_easy_setopt(c, CURLOPT_BUFFERSIZE, kCurlBuffer);
        s.checked = s.body_ok = s.paused = false;
        s.skip = 0;
        s.range_start = -1;
        s.err_body.clear();
        s.abort_reason.clear();
        if (curl_multi_add_handle(multi_.get(), c) != CURLM_OK) return fail(s, "cannot start the transfer (libcurl)");
        s.in_multi = true;
    }

    void retry_or_fail(Stream& s, const std::string& why) {
        s.last_error = why;
        if (s.attempts >= im_.opts.max_retries) return fail(s, why);
        ++s.attempts;
        s.waiting_retry = true;
        s.retry_at = Clock::now() + std::chrono::milliseconds(250 << (s.attempts - 1));
    }

    void done(Stream& s, CURLcode rc) {
        curl_multi_remove_handle(multi_.get(), s.easy.get());
        s.in_multi = false;
        long status = 0;
        curl_easy_getinfo(s.easy.get(), CURLINFO_RESPONSE_CODE, &status);
        const std::string what = "reading blob " + s.bs->digest;
        if (!s.abort_reason.empty()) return fail(s, what + ": " + s.abort_reason);
        if (rc != CURLE_OK) {
            std::string msg = what + ": " + http::transport_error(s.easy.get(), rc, s.errbuf, "GET", s.url);
            if (http::is_transient(rc)) return retry_or_fail(s, msg);
            return fail(s, msg);
        }
        bool ok_status = s.checked ? s.body_ok : (status == 200 || status == 206);
        if (ok_status) {
            if (s.bs->size >= 0 && s.received < static_cast<uint64_t>(s.bs->size))
                return retry_or_fail(s, what + ": connection closed after " + std::to_string(s.received) + " of " +
                                            std::to_string(s.bs->size) + " bytes");
            s.net_done = true;
            return;
        }
        std::string code;
        std::string text = what + ": " + http::registry_error_text(status, s.err_body, &code);
        if (status == 401 && !s.auth_refreshed) {
            s.auth_refreshed = true;  // the token may have expired during a long pull
            im_.forget_token(repo_);
            return retry_or_fail(s, text);
        }
        if (status >= 500 || status == 429 || status == 408) return retry_or_fail(s, text);
        fail(s, text);
    }

    void flush(Stream& s) {
        s.want_pollout = false;
        while (s.rd < s.wr) {
            ssize_t w = ::write(s.bs->out_fd, s.buf.data() + s.rd, s.wr - s.rd);
            if (w > 0) {
                s.rd += static_cast<size_t>(w);
                continue;
            }
            if (w < 0 && errno == EINTR) continue;
            if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                s.want_pollout = true;
                break;
            }
            if (w < 0 && errno == EPIPE)
                return fail(s, "writing blob " + s.bs->digest + ": the reader closed its pipe (it failed or exited)");
            return fail(s, "writing blob " + s.bs->digest + ": " + std::strerror(errno));
        }
        if (s.rd == s.wr) s.rd = s.wr = 0;
        if (s.paused && s.in_multi && s.room() >= s.buf.size() / 2) {
            s.paused = false;  // before the call: curl may deliver (and we may pause again) inside it
            curl_easy_pause(s.easy.get(), CURLPAUSE_CONT);
        }
    }

    void finish(Stream& s) {
        std::string got = "sha256:" + s.hash.hex_final();
        if (got != s.bs->digest) return fail(s, "blob " + s.bs->digest + " digest mismatch: got " + got);
        results_[s.index] = {true, "", s.received};
        s.finished = true;
        close_fd(s);
        if (progress_ && s.received != s.reported) progress_(s.index, s.received, s.bs->size);
    }

    void fail(Stream& s, const std::string& msg) {
        if (s.in_multi) curl_multi_remove_handle(multi_.get(), s.easy.get());
        s.in_multi = false;
        s.finished = true;
        results_[s.index] = {false, msg, s.received};
        close_fd(s);
    }

    static void close_fd(Stream& s) {
        if (s.bs && s.bs->out_fd >= 0) {
            ::close(s.bs->out_fd);
            s.bs->out_fd = -1;  // the caller must not close it again
        }
    }

    ClientState& im_;
    const std::string& repo_;
    const ProgressFn& progress_;
    std::vector<BlobResult> results_;
    http::Multi multi_;
    std::vector<Stream> streams_;
    std::string base_;
};

}  // namespace

std::vector<BlobResult> RegistryClient::stream_blobs(const std::string& repository, std::vector<BlobStream>& streams,
                                                     const ProgressFn& progress) {
    SigpipeGuard guard;
    Streamer st(*impl_, repository, streams, progress);
    return st.run();
}

}  // namespace burrow::pull

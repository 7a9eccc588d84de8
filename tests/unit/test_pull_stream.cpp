// RegistryClient against a real registry on loopback (Debian's docker-registry). Skipped, with a
// message, where docker-registry is not installed.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/sha256.hpp"
#include "pull/http.hpp"
#include "pull/registry_client.hpp"

using namespace burrow;
using namespace burrow::pull;

namespace {

int free_port() {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(s);
    return ntohs(a.sin_port);
}

http::Response get(const std::string& url) {
    auto e = http::make_easy();
    return http::perform(e.get(), http::Tls{}, "GET", url, {}, {}, 1 << 20);
}

class Registry {
public:
    Registry() {
        if (::access("/usr/bin/docker-registry", X_OK) != 0) return;
        dir_ = std::filesystem::temp_directory_path() / ("pullreg-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_ / "data");
        port_ = free_port();
        std::ofstream(dir_ / "config.yml") << "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: "
                                           << (dir_ / "data").string() << "\nhttp:\n  addr: 127.0.0.1:" << port_ << "\n";
        pid_ = ::fork();
        if (pid_ == 0) {
            int null = ::open("/dev/null", O_WRONLY);
            ::dup2(null, 1);
            ::dup2(null, 2);
            ::execl("/usr/bin/docker-registry", "docker-registry", "serve", (dir_ / "config.yml").c_str(), nullptr);
            ::_exit(127);
        }
        for (int i = 0; i < 100; ++i) {
            try {
                if (get(base() + "/v2/").status == 200) return;
            } catch (const Error&) {
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    ~Registry() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            ::waitpid(pid_, nullptr, 0);
        }
        if (!dir_.empty()) std::filesystem::remove_all(dir_);
    }
    bool available() const { return pid_ > 0; }
    std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
    std::string base() const { return "http://" + host(); }

    // Monolithic upload: POST for a session, then PUT with the digest.
    std::string push_blob(const std::string& repo, const std::string& data) {
        auto e = http::make_easy();
        std::string digest = sha256_digest(data);
        std::string location;
        {
            auto r = raw(e.get(), "POST", base() + "/v2/" + repo + "/blobs/uploads/", "", &location);
            REQUIRE(r == 202);
        }
        if (location.rfind("http", 0) != 0) location = base() + location;
        location.push_back(location.find('?') == std::string::npos ? '?' : '&');
        location.append("digest=").append(digest);
        REQUIRE(raw(e.get(), "PUT", location, data, nullptr) == 201);
        return digest;
    }

private:
    static size_t hdr(char* p, size_t, size_t n, void* ud) {
        std::string line(p, n);
        if (ud && strncasecmp(line.c_str(), "location:", 9) == 0) {
            auto v = line.substr(9);
            v.erase(0, v.find_first_not_of(' '));
            v.erase(v.find_last_not_of("\r\n") + 1);
            *static_cast<std::string*>(ud) = v;
        }
        return n;
    }
    static size_t sink(char*, size_t, size_t n, void*) { return n; }
    long raw(CURL* c, const char* method, const std::string& url, const std::string& body, std::string* location) {
        curl_easy_reset(c);
        curl_easy_setopt(c, CURLOPT_URL, url.c_str());
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
        http::Slist h;
        h.add("Expect:");
        h.add("Content-Type: application/octet-stream");
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h.get());
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, hdr);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, location);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
        if (curl_easy_perform(c) != CURLE_OK) return -1;
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        return status;
    }

    std::filesystem::path dir_;
    int port_ = 0;
    pid_t pid_ = -1;
};

std::string random_bytes(size_t n, unsigned seed) {
    std::mt19937 g(seed);
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(g());
    return s;
}

// A reader thread per pipe that collects what it reads (optionally slowly).
struct Reader {
    Pipe pipe;
    std::string got;
    std::thread t;
    explicit Reader(int delay_us = 0) : pipe(make_pipe(O_CLOEXEC)) {
        ::fcntl(pipe.write_end.get(), F_SETFL, O_NONBLOCK);
        t = std::thread([this, delay_us] {
            char buf[65536];
            ssize_t n;
            while ((n = ::read(pipe.read_end.get(), buf, sizeof buf)) > 0) {
                got.append(buf, static_cast<size_t>(n));
                if (delay_us) std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
            }
        });
    }
    ~Reader() {
        if (t.joinable()) t.join();
    }
};

ClientOptions insecure_opts() {
    ClientOptions o;
    o.insecure = true;
    o.max_retries = 1;
    return o;
}

}  // namespace

TEST_CASE("registry client against docker-registry on loopback") {
    Registry reg;
    if (!reg.available()) {
        WARN("docker-registry is not installed: skipping the registry client tests");
        return;
    }
    ::signal(SIGPIPE, SIG_IGN);
    const std::string big = random_bytes(6 << 20, 1), small = random_bytes(1000, 2), empty;
    const std::string d_big = reg.push_blob("test/repo", big);
    const std::string d_small = reg.push_blob("test/repo", small);
    const std::string d_empty = reg.push_blob("test/repo", empty);
    RegistryClient client(reg.host(), insecure_opts());

    SECTION("missing manifest: Podman's message") {
        try {
            client.get_manifest("nope", "latest");
            FAIL("no error");
        } catch (const RegistryError& e) {
            CHECK(std::string(e.what()) == "reading manifest latest in " + reg.host() + "/nope: manifest unknown: manifest unknown");
            CHECK(e.status() == 404);
            CHECK(e.code() == "MANIFEST_UNKNOWN");
        }
    }
    SECTION("small blobs are verified") {
        CHECK(client.get_blob("test/repo", d_small) == small);
        CHECK_THROWS_AS(client.get_blob("test/repo", d_big, 1 << 20), RegistryError);
    }
    SECTION("stream several blobs in parallel, one missing, one into a dead reader") {
        Reader r1, r2(200), r3, r4;
        auto dead = make_pipe(O_CLOEXEC);
        ::fcntl(dead.write_end.get(), F_SETFL, O_NONBLOCK);
        dead.read_end.reset();
        const std::string missing = "sha256:" + std::string(64, 'e');
        std::vector<BlobStream> s = {{d_big, static_cast<int64_t>(big.size()), r1.pipe.write_end.release()},
                                     {d_big, static_cast<int64_t>(big.size()), r2.pipe.write_end.release()},
                                     {d_small, static_cast<int64_t>(small.size()), r3.pipe.write_end.release()},
                                     {missing, 10, r4.pipe.write_end.release()},
                                     {d_big, static_cast<int64_t>(big.size()), dead.write_end.release()}};
        std::vector<uint64_t> last(s.size(), 0);
        bool monotonic = true;
        auto res = client.stream_blobs("test/repo", s, [&](size_t i, uint64_t done, int64_t) {
            if (done < last[i]) monotonic = false;
            last[i] = done;
        });
        r1.t.join(), r2.t.join(), r3.t.join(), r4.t.join();
        REQUIRE(res.size() == 5);
        CHECK(res[0].ok);
        CHECK(res[1].ok);
        CHECK(res[2].ok);
        CHECK(r1.got == big);
        CHECK(r2.got == big);  // slow reader: same bytes, nothing lost while paused
        CHECK(r3.got == small);
        CHECK_FALSE(res[3].ok);
        CHECK(res[3].error.find("blob unknown") != std::string::npos);
        CHECK(r4.got.empty());
        CHECK_FALSE(res[4].ok);
        CHECK(res[4].error.find("reader closed its pipe") != std::string::npos);
        for (const auto& b : s) CHECK(b.out_fd == -1);  // every fd closed by stream_blobs
        CHECK(monotonic);
        CHECK(last[0] == big.size());
    }
    SECTION("a blob whose content does not match the digest it is asked by") {
        // Ask for the small blob's bytes under a wrong size: the registry sends more than listed.
        Reader r1;
        std::vector<BlobStream> s = {{d_small, 10, r1.pipe.write_end.release()}};
        auto res = client.stream_blobs("test/repo", s);
        r1.t.join();
        CHECK_FALSE(res[0].ok);
        CHECK(res[0].error.find("more than the 10 bytes") != std::string::npos);
    }
    SECTION("empty blob") {
        Reader r1;
        std::vector<BlobStream> s = {{d_empty, 0, r1.pipe.write_end.release()}};
        auto res = client.stream_blobs("test/repo", s);
        r1.t.join();
        CHECK(res[0].ok);
        CHECK(res[0].bytes == 0);
    }
}

TEST_CASE("refused connection: Podman's wording on one line") {
    int port = free_port();  // nothing listens there
    RegistryClient client("127.0.0.1:" + std::to_string(port), insecure_opts());
    try {
        client.get_manifest("nope", "latest");
        FAIL("no error");
    } catch (const RegistryError& e) {
        std::string h = "127.0.0.1:" + std::to_string(port);
        CHECK(std::string(e.what()) == "pinging container registry " + h + ": Get \"https://" + h + "/v2/\": dial tcp " + h +
                                           ": connect: connection refused");
        CHECK(e.status() == 0);
    }
}

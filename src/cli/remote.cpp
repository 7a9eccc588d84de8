#include "src/cli/remote.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/strings.hpp"
#include "storage/store.hpp"

namespace burrow::cli {

namespace {

// Go's syscall error text: strerror with a lower-case first letter.
std::string go_errno(int err) {
    std::string s = std::strerror(err);
    if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z') s[0] = static_cast<char>(s[0] - 'A' + 'a');
    return s;
}

struct Target {
    std::string scheme, host_port, path;
};

Target parse_target(const std::string& url) {
    Target t;
    size_t colon = url.find(':');
    size_t first_bad = url.find_first_of("/?#");
    if (colon == std::string::npos || (first_bad != std::string::npos && first_bad < colon)) return t;
    t.scheme = to_lower(url.substr(0, colon));
    std::string rest = url.substr(colon + 1);
    if (rest.compare(0, 2, "//") == 0) {
        rest = rest.substr(2);
        size_t slash = rest.find('/');
        t.host_port = rest.substr(0, slash);
        t.path = slash == std::string::npos ? "" : rest.substr(slash);
        size_t at = t.host_port.rfind('@');
        if (at != std::string::npos) t.host_port = t.host_port.substr(at + 1);
    } else {
        t.path = rest;
    }
    return t;
}

// 0 when something accepts the connection, else the errno.
int try_unix(const std::string& path) {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (path.size() >= sizeof a.sun_path) return ENAMETOOLONG;
    std::memcpy(a.sun_path, path.data(), path.size());
    return ::connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 ? 0 : errno;
}

int try_tcp(const std::string& host_port, int default_port) {
    std::string host = host_port, port = std::to_string(default_port);
    size_t c = host_port.rfind(':'), rb = host_port.find(']');
    if (c != std::string::npos && (rb == std::string::npos || c > rb)) {
        host = host_port.substr(0, c);
        port = host_port.substr(c + 1);
    }
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    addrinfo hints{}, *res = nullptr;
    hints.ai_socktype = SOCK_STREAM;
    if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0) return EHOSTUNREACH;
    int err = ECONNREFUSED;
    for (addrinfo* r = res; r; r = r->ai_next) {
        UniqueFd fd(::socket(r->ai_family, r->ai_socktype | SOCK_CLOEXEC, r->ai_protocol));
        if (fd.get() < 0) continue;
        if (::connect(fd.get(), r->ai_addr, r->ai_addrlen) == 0) {
            err = 0;
            break;
        }
        err = errno;
    }
    ::freeaddrinfo(res);
    return err;
}

const char* const kCannotConnect =
    "Cannot connect to Podman. Please verify your connection to the Linux system using `podman system connection "
    "list`, or try `podman machine init` and `podman machine start` to manage a new Linux VM";

[[noreturn]] void answered(const std::string& url) {
    throw Error("unable to connect to Podman socket: " + url +
                " answers, but burrow has no client for Podman's API: run the command without --remote, --url or "
                "--connection");
}

}  // namespace

std::string remote_url_error(const std::string& url) {
    Target t = parse_target(url);
    if (t.scheme != "unix" && t.scheme != "tcp" && t.scheme != "ssh")
        return "unable to create connection. \"" + t.scheme + "\" is not a supported schema";
    return "";
}

void connect_remote(const std::string& url, const std::string& connection) {
    if (!connection.empty())
        throw Error("failed to resolve active destination: \"" + connection + "\" service destination not found");
    std::string bad = remote_url_error(url);
    if (!bad.empty()) throw Error(bad);
    Target t = parse_target(url);
    const std::string ping = "Get \"http://d/v" + std::string("4.3.1") + "/libpod/_ping\": ";
    if (t.scheme == "ssh") {
        int err = try_tcp(t.host_port, 22);
        if (err == 0) answered(url);
        throw Error("failed to connect: dial tcp " + t.host_port + ": connect: " + go_errno(err));
    }
    int err = t.scheme == "unix" ? try_unix(t.path) : try_tcp(t.host_port, 0);
    if (err == 0) answered(url);
    std::fflush(stdout);
    std::fprintf(stderr, "%s\n", kCannotConnect);
    std::string dial = t.scheme == "unix" ? "dial unix //" + t.path : "dial tcp " + t.host_port;
    throw Error("unable to connect to Podman socket: " + ping + dial + ": connect: " + go_errno(err));
}

void redirect_stdout_to_null() {
    std::fflush(stdout);
    int fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd < 0) throw_errno("open /dev/null");
    ::dup2(fd, STDOUT_FILENO);
    ::close(fd);
}

void apply_storage_opts(storage::StoreOptions& o, const std::vector<std::string>& opts) {
    o.mount_program.clear();
    o.ignore_chown_errors = false;
    for (const auto& opt : opts) {
        size_t eq = opt.find('=');
        if (eq == std::string::npos) throw Error("unable to parse key/value option: " + opt);
        std::string key = to_lower(std::string(trim(opt.substr(0, eq)))), value(trim(opt.substr(eq + 1)));
        std::string bare = key.compare(0, 8, "overlay.") == 0 ? key.substr(8) : key;
        if (o.driver != "overlay" && bare != key)
            throw Error(o.driver + " driver does not support " + key + " options");
        if (bare == "mount_program") o.mount_program = value;
        else if (bare == "ignore_chown_errors") o.ignore_chown_errors = value == "true" || value == "1";
        else throw Error(o.driver + ": unknown option " + bare);
    }
}

}  // namespace burrow::cli

// run/create options that are checked and recorded as given, with Podman's error texts: the log
// driver and its options, --tz, --timeout, --umask, the namespaces, --hostuser, the pid files;
// and the environment options (--env-merge, --http-proxy, --unsetenv).
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "base/error.hpp"
#include "base/strings.hpp"
#include "src/engine/create_spec.hpp"

namespace burrow::engine {

using storage::ContainerConfig;

namespace {

const char* const kLogDrivers[] = {"k8s-file", "json-file", "journald", "none", "passthrough"};

void apply_log_options(ContainerConfig& c, const CreateOptions& o) {
    std::string driver = o.log_driver.empty() ? "k8s-file" : o.log_driver;
    if (std::none_of(std::begin(kLogDrivers), std::end(kLogDrivers), [&](const char* d) { return driver == d; }))
        throw Error("running container create option: invalid log driver: invalid argument");
    if (driver == "passthrough" && (::isatty(0) || ::isatty(1) || ::isatty(2)))
        throw Error("the '--log-driver passthrough' option cannot be used on a TTY");
    c.log_driver = driver;
    for (const auto& opt : o.log_opts) {
        auto eq = opt.find('=');
        if (eq == std::string::npos) throw Error("invalid log option \"" + opt + "\"");
        std::string key = to_lower(opt.substr(0, eq)), value = opt.substr(eq + 1);
        if (key == "path") {
            if (value.empty() || value[0] != '/') throw Error("log path \"" + value + "\" must be an absolute path");
            c.log_path = value;
        } else if (key == "max-size") {
            c.log_size_max = parse_human_size(value);
        } else if (key == "tag") {
            c.log_tag = value;
        } else if (key == "driver") {
            c.log_driver = value;  // Podman takes --log-opt driver= as the driver itself
        }
        // Podman keeps any other key as a driver option none of its drivers reads; so does burrow.
    }
}

// --tz: "local" (the host's /etc/localtime) or a zone of the host's zoneinfo.
void check_timezone(const std::string& tz) {
    if (tz.empty() || tz == "local") return;
    if (tz.find("..") != std::string::npos || tz[0] == '/' || ::access(("/usr/share/zoneinfo/" + tz).c_str(), R_OK) != 0)
        throw Error("running container create option: finding timezone: unknown time zone " + tz);
}

// --ipc, --uts, --cgroupns, --pid: what burrow can do is a namespace of its own, or the host's
// for ipc and uts; Podman's other modes (container:, ns:, a pod's) need what burrow has not.
std::string namespace_mode(const std::string& flag, const std::string& v, bool host_ok) {
    if (v.empty() || v == "private") return "";
    if (v == "host" && host_ok) return "host";
    if (v == "host" || v == "shareable" || v == "none" || v.rfind("container:", 0) == 0 || v.rfind("ns:", 0) == 0)
        throw Error("--" + flag + " " + v + " is not supported by burrow");
    throw Error("unrecognized namespace mode " + v + " passed");
}

std::string check_umask(const std::string& u) {
    if (u.empty() || u.size() > 4 || !std::all_of(u.begin(), u.end(), [](char ch) { return ch >= '0' && ch <= '7'; }))
        throw Error("invalid umask string " + u + ": invalid argument");
    return u;
}

}  // namespace

int64_t parse_human_size(const std::string& s) {
    size_t i = 0;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    std::string num = s.substr(0, i), unit = to_lower(s.substr(i));
    if (!unit.empty() && unit[0] == ' ') unit.erase(0, 1);
    if (num.empty() || num[0] == '.' || num.back() == '.') throw Error("invalid size: '" + s + "'");
    if (!unit.empty() && unit.back() == 'b') unit.pop_back();
    if (!unit.empty() && unit.back() == 'i') unit.pop_back();
    static const std::string units = "kmgtp";
    double mult = 1;
    if (unit.size() > 1) throw Error("invalid size: '" + s + "'");
    if (unit.size() == 1) {
        auto pos = units.find(unit[0]);
        if (pos == std::string::npos) throw Error("invalid size: '" + s + "'");
        mult = std::pow(1000.0, static_cast<double>(pos + 1));
    }
    return static_cast<int64_t>(std::atof(num.c_str()) * mult);
}

void apply_recorded_options(ContainerConfig& c, const CreateOptions& o) {
    apply_log_options(c, o);
    check_timezone(o.timezone);
    c.timezone = o.timezone;
    c.timeout = o.timeout;
    c.hostusers = o.hostusers;
    c.pidfile = o.pidfile;
    c.conmon_pidfile = o.conmon_pidfile;
    if (o.umask) c.umask = check_umask(*o.umask);
    c.passwd = o.passwd;
    c.passwd_entry = o.passwd_entry;
    c.init_path = o.init_path;
    c.oci_runtime = o.oci_runtime;
    c.ipc = namespace_mode("ipc", o.ipc, true);
    c.uts = namespace_mode("uts", o.uts, true);
    (void)namespace_mode("pid", o.pid, false);
    if (o.cgroupns == "host" || o.cgroupns == "private") c.cgroupns = o.cgroupns;
    else if (!o.cgroupns.empty()) (void)namespace_mode("cgroupns", o.cgroupns, false);
}

std::string expand_env(const std::string& entry, const EnvList& env) {
    auto lookup = [&](const std::string& k) -> std::string {
        for (const auto& [n, v] : env)
            if (n == k) return v;
        return "";
    };
    auto name_char = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; };
    std::string out;
    for (size_t i = 0; i < entry.size(); ++i) {
        if (entry[i] != '$' || i + 1 == entry.size()) {
            out += entry[i];
            continue;
        }
        if (entry[i + 1] == '{') {
            auto close = entry.find('}', i + 2);
            if (close == std::string::npos) {
                out += entry.substr(i);
                break;
            }
            out += lookup(entry.substr(i + 2, close - i - 2));
            i = close;
        } else {
            size_t j = i + 1;
            while (j < entry.size() && name_char(entry[j])) ++j;
            if (j == i + 1) {
                out += '$';
                continue;
            }
            out += lookup(entry.substr(i + 1, j - i - 1));
            i = j - 1;
        }
    }
    return out;
}

void add_proxy_env(EnvList& env) {
    for (const char* n : {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "ftp_proxy", "FTP_PROXY",
                          "no_proxy", "NO_PROXY"})
        if (const char* v = std::getenv(n)) env.emplace_back(n, v);
}

void drop_unset_env(EnvList& env, const EnvList& user, const CreateOptions& o) {
    if (!o.unsetenv_all && o.unsetenv.empty()) return;
    auto by_user = [&](const std::string& k) {
        return std::any_of(user.begin(), user.end(), [&](const auto& p) { return p.first == k; });
    };
    auto unset = [&](const std::string& k) {
        return o.unsetenv_all || std::find(o.unsetenv.begin(), o.unsetenv.end(), k) != o.unsetenv.end();
    };
    env.erase(std::remove_if(env.begin(), env.end(), [&](const auto& p) { return unset(p.first) && !by_user(p.first); }),
              env.end());
}

}  // namespace burrow::engine

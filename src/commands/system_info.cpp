// `info` / `system info` and `version` / `system version`: Podman 4.3.1's report, its JSON keys in
// Go's field order, the YAML sorted as Podman prints it, and templates over the Go field names
// (*define.Info, *entities.SystemVersionReport in src/output/podman_types.cpp).
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <map>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/strings.hpp"
#include "pull/registries_conf.hpp"
#include "rootless/caps.hpp"
#include "src/cli/command.hpp"
#include "src/cli/print.hpp"
#include "src/commands/common.hpp"
#include "src/commands/register.hpp"
#include "src/engine/containers_conf.hpp"
#include "src/output/format.hpp"
#include "src/output/table.hpp"
#include "src/output/template.hpp"
#include "src/output/yaml.hpp"
#include "storage/container_store.hpp"
#include "storage/store.hpp"

#ifndef BURROW_VERSION
#define BURROW_VERSION "0.0.0"
#endif

namespace burrow::commands {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;
using cli::Context;

namespace {

// Podman's buildah library of 4.3.1: burrow builds no images, and reports the level it matches.
const char* const kBuildahVersion = "1.28.2";

std::string go_arch() {
    utsname u{};
    uname(&u);
    std::string m = u.machine;
    if (m == "x86_64") return "amd64";
    if (m == "aarch64") return "arm64";
    if (m == "i686" || m == "i386") return "386";
    if (m == "armv7l") return "arm";
    return m;
}

// When this binary was compiled (__DATE__ honours SOURCE_DATE_EPOCH), as Unix seconds.
long long built_unix() {
    static const char* const months = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const char* d = __DATE__;  // "Dec  7 2026"
    const char* t = __TIME__;  // "15:04:05"
    struct tm tm {};
    std::string mon(d, 3);
    tm.tm_mon = static_cast<int>(std::string(months).find(mon) / 3);
    tm.tm_mday = std::atoi(d + 4);
    tm.tm_year = std::atoi(d + 7) - 1900;
    tm.tm_hour = std::atoi(t);
    tm.tm_min = std::atoi(t + 3);
    tm.tm_sec = std::atoi(t + 6);
    return static_cast<long long>(timegm(&tm));
}

// Go's time.ANSIC in the local zone: "Mon Jan _2 15:04:05 2006".
std::string ansic(long long unix_seconds) {
    auto tt = static_cast<time_t>(unix_seconds);
    struct tm tm {};
    localtime_r(&tt, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Y", &tm);
    return buf;
}

std::string compiler() {
#ifdef __clang__
    return std::string("clang ") + __clang_version__;
#else
    return std::string("gcc ") + __VERSION__;
#endif
}

// define.Version in its field order.
ojson version_data() {
    ojson c;
    c["APIVersion"] = cli::kPodmanVersion;
    c["Version"] = cli::kPodmanVersion;
    c["GoVersion"] = compiler();
    c["GitCommit"] = "";
    c["BuiltTime"] = ansic(built_unix());
    c["Built"] = built_unix();
    c["OsArch"] = "linux/" + go_arch();
    c["Os"] = "linux";
    return c;
}

std::string run_template(const std::string& format, const json& data, const std::string& name, const std::string& type) {
    output::ParsedFormat pf = output::parse_format(format, "");
    return output::Template(name, pf.body).execute(data, type);
}

int version_cmd(Context& ctx) {
    std::string format = ctx.flags.get_string("format");
    ojson data = {{"Client", version_data()}};
    if (output::is_json_format(format)) {
        cli::print_out(output::go_json(data, -1) + "\n");
        return 0;
    }
    const ojson& c = data["Client"];
    if (ctx.flags.changed("format")) {
        std::string out;
        try {
            out = run_template(format, json(data), "version", "*entities.SystemVersionReport");
        } catch (const Error&) {
            // As Podman: an old-style template addresses the client's fields directly.
            std::string f = format;
            for (size_t p; (p = f.find(".Server.")) != std::string::npos;) f.replace(p, 8, ".");
            out = run_template(f, json(c), "version", "*define.Version");
        }
        cli::print_out(out);
        return 0;
    }
    std::string table = "Client:\tburrow " + std::string(BURROW_VERSION) + "\nVersion:\t" + c["Version"].get<std::string>() +
                        "\nAPI Version:\t" + c["APIVersion"].get<std::string>() + "\nGo Version:\t" +
                        c["GoVersion"].get<std::string>() + "\nBuilt:\t" + c["BuiltTime"].get<std::string>() +
                        "\nOS/Arch:\t" + c["OsArch"].get<std::string>() + "\n";
    cli::print_out(output::tabwrite(table));
    return 0;
}

// ---- info ----

std::map<std::string, std::string> os_release() {
    std::map<std::string, std::string> r;
    auto text = read_file_if_exists("/etc/os-release");
    if (!text) return r;
    for (const auto& line : split(*text, '\n')) {
        size_t eq = line.find('=');
        if (eq == std::string::npos) continue;
        std::string v = line.substr(eq + 1);
        if (v.size() >= 2 && (v[0] == '"' || v[0] == '\'')) v = v.substr(1, v.size() - 2);
        r[line.substr(0, eq)] = v;
    }
    return r;
}

ojson id_map(const std::vector<IdMapEntry>& entries) {
    if (entries.empty()) return nullptr;
    ojson a = ojson::array();
    for (const auto& e : entries) a.push_back({{"container_id", e.container_id}, {"host_id", e.host_id}, {"size", e.size}});
    return a;
}

std::string exe_dir() {
    char buf[4096];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    std::string self = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
    return self.substr(0, self.rfind('/'));
}

// burrow's container monitor (Podman's conmon) and slirp host: burrow-supervisor.
std::string supervisor_path() {
    std::string dir = exe_dir();
    for (const auto& c : {dir + "/burrow-supervisor", dir + "/../libexec/burrow/burrow-supervisor"})
        if (::access(c.c_str(), X_OK) == 0) return c;
    return "";
}

// /proc/stat's first line as Podman's CPUUsage: shares of user, system and idle time since boot.
ojson cpu_utilization() {
    ojson u = {{"userPercent", 0.0}, {"systemPercent", 0.0}, {"idlePercent", 0.0}};
    auto text = read_file_if_exists("/proc/stat");
    if (!text) return u;
    unsigned long long v[8] = {};
    if (std::sscanf(text->c_str(), "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                    &v[6], &v[7]) < 4)
        return u;
    double total = 0;
    for (auto x : v) total += static_cast<double>(x);
    if (total <= 0) return u;
    auto pct = [&](double x) { return std::round(10000.0 * x / total) / 100.0; };
    u["userPercent"] = pct(static_cast<double>(v[0] + v[1]));
    u["systemPercent"] = pct(static_cast<double>(v[2] + v[5] + v[6]));
    u["idlePercent"] = pct(static_cast<double>(v[3]));
    return u;
}

std::string cgroup_manager(const engine::ContainersConf& conf, const std::string& flag) {
    std::string m = flag.empty() ? conf.cgroup_manager : flag;
    // Podman's fallback for a rootless user without a systemd user session.
    if (m == "systemd" && ::geteuid() != 0 && !is_directory("/run/user/" + std::to_string(::geteuid()) + "/systemd"))
        return "cgroupfs";
    return m;
}

ojson host_info(Context& ctx, storage::Store& store) {
    ojson h;
    utsname u{};
    uname(&u);
    struct sysinfo si{};
    sysinfo(&si);
    struct statfs cg{};
    bool v2 = statfs("/sys/fs/cgroup", &cg) == 0 && cg.f_type == 0x63677270;  // CGROUP2_SUPER_MAGIC
    auto osr = os_release();
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    const auto& conf = engine::containers_conf();
    std::string sup = supervisor_path();
    std::string sup_version = std::string("burrow-supervisor version ") + BURROW_VERSION;
    h["arch"] = go_arch();
    h["buildahVersion"] = kBuildahVersion;
    h["cgroupManager"] = cgroup_manager(conf, ctx.globals().cgroup_manager);
    h["cgroupVersion"] = v2 ? "v2" : "v1";
    ojson controllers = ojson::array();
    if (v2)
        if (auto t = read_file_if_exists("/sys/fs/cgroup/cgroup.controllers"))
            for (const auto& c : split(std::string(trim(*t)), ' '))
                if (!c.empty()) controllers.push_back(c);
    h["cgroupControllers"] = controllers;
    h["conmon"] = {{"package", "Unknown"}, {"path", sup}, {"version", sup_version}};
    h["cpus"] = sysconf(_SC_NPROCESSORS_ONLN);
    h["cpuUtilization"] = cpu_utilization();
    ojson dist = {{"distribution", osr["ID"]}};
    if (!osr["VARIANT_ID"].empty()) dist["variant"] = osr["VARIANT_ID"];
    dist["version"] = osr["VERSION_ID"];
    if (!osr["VERSION_CODENAME"].empty()) dist["codename"] = osr["VERSION_CODENAME"];
    h["distribution"] = dist;
    h["eventLogger"] = ctx.globals().events_backend.empty() ? conf.events_logger : ctx.globals().events_backend;
    h["hostname"] = host;
    try {
        const auto& m = store.idmap();
        h["idMappings"] = {{"gidmap", id_map(m.gids)}, {"uidmap", id_map(m.uids)}};
    } catch (const Error&) {
        h["idMappings"] = {{"gidmap", nullptr}, {"uidmap", nullptr}};
    }
    h["kernel"] = u.release;
    h["logDriver"] = conf.log_driver;
    h["memFree"] = static_cast<uint64_t>(si.freeram) * si.mem_unit;
    h["memTotal"] = static_cast<uint64_t>(si.totalram) * si.mem_unit;
    h["networkBackend"] = "";
    engine::ContainersConf rc = conf;
    if (!ctx.globals().runtime.empty()) rc.runtime = ctx.globals().runtime;
    auto [rt_name, rt_path] = engine::oci_runtime(rc);
    h["ociRuntime"] = {{"name", rt_name}, {"package", "Unknown"}, {"path", rt_path}, {"version", ""}};
    h["os"] = "linux";
    std::string url = ::geteuid() == 0 ? "/run/podman/podman.sock"
                                       : (std::getenv("XDG_RUNTIME_DIR") && *std::getenv("XDG_RUNTIME_DIR")
                                              ? std::string(std::getenv("XDG_RUNTIME_DIR"))
                                              : "/tmp/podman-run-" + std::to_string(::geteuid())) + "/podman/podman.sock";
    h["remoteSocket"] = {{"path", url}};
    h["serviceIsRemote"] = false;
    std::string profile = path_exists("/usr/share/containers/seccomp.json") ? "/usr/share/containers/seccomp.json" : "";
    h["security"] = {{"apparmorEnabled", false},
                     {"capabilities", join(rootless::cap_names(rootless::default_caps()), ",")},
                     {"rootless", geteuid() != 0},
                     {"seccompEnabled", true},
                     {"seccompProfilePath", profile},
                     {"selinuxEnabled", false}};
    std::string slirp = ctx.globals().network_cmd_path.empty() ? sup : ctx.globals().network_cmd_path;
    h["slirp4netns"] = {{"executable", slirp}, {"package", "Unknown"}, {"version", sup_version}};
    h["swapFree"] = static_cast<uint64_t>(si.freeswap) * si.mem_unit;
    h["swapTotal"] = static_cast<uint64_t>(si.totalswap) * si.mem_unit;
    char up[64];
    long s = si.uptime;
    std::snprintf(up, sizeof up, "%ldh %ldm %.2fs", s / 3600, (s % 3600) / 60, static_cast<double>(s % 60));
    h["uptime"] = up;
    h["linkmode"] = "dynamic";
    return h;
}

// statfs's filesystem as containers/storage names it in graphStatus.
std::string backing_fs(const std::string& path) {
    struct statfs fs{};
    if (statfs(path.c_str(), &fs) != 0) return "<unknown>";
    switch (static_cast<unsigned long>(fs.f_type)) {
    case 0xef53: return "extfs";
    case 0x58465342: return "xfs";
    case 0x9123683e: return "btrfs";
    case 0x01021994: return "tmpfs";
    case 0x794c7630: return "overlayfs";
    case 0x2fc12fc1: return "zfs";
    default: {
        char b[32];
        std::snprintf(b, sizeof b, "<unknown (%lx)>", static_cast<unsigned long>(fs.f_type));
        return b;
    }
    }
}

ojson store_info(Context& ctx, storage::Store& store) {
    const auto& o = store.options();
    ojson s;
    size_t images = 0;
    {
        auto lock = store.lock_shared();
        images = store.images().size();
    }
    size_t number = 0, running = 0, stopped = 0;
    try {
        storage::ContainerStore cs(store);
        for (const auto& c : cs.list()) {
            ++number;
            auto st = cs.state(c.id).status;
            if (st == storage::Status::running || st == storage::Status::stopping) ++running;
            else ++stopped;
        }
    } catch (const Error&) {
    }
    struct statvfs vfs{};
    uint64_t allocated = 0, used = 0;
    if (statvfs(o.root.c_str(), &vfs) == 0) {
        allocated = static_cast<uint64_t>(vfs.f_blocks) * vfs.f_frsize;
        used = allocated - static_cast<uint64_t>(vfs.f_bfree) * vfs.f_frsize;
    }
    const char* conf_env = std::getenv("CONTAINERS_STORAGE_CONF");
    const char* xdg = std::getenv("XDG_CONFIG_HOME");
    const char* home = std::getenv("HOME");
    s["configFile"] = conf_env && *conf_env ? std::string(conf_env)
                      : ::geteuid() == 0    ? std::string("/etc/containers/storage.conf")
                      : (xdg && *xdg ? std::string(xdg) : std::string(home ? home : "") + "/.config") + "/containers/storage.conf";
    s["containerStore"] = {{"number", number}, {"paused", 0}, {"running", running}, {"stopped", stopped}};
    s["graphDriverName"] = o.driver;
    s["graphOptions"] = ojson::object();
    if (!o.mount_program.empty())
        s["graphOptions"]["overlay.mount_program"] = {{"Executable", o.mount_program}, {"Package", "Unknown"}, {"Version", ""}};
    s["graphRoot"] = o.root;
    s["graphRootAllocated"] = allocated;
    s["graphRootUsed"] = used;
    s["graphStatus"] = ojson::object();
    if (o.driver == "overlay")
        s["graphStatus"] = {{"Backing Filesystem", backing_fs(o.root)},
                            {"Native Overlay Diff", o.mount_program.empty() ? "true" : "false"},
                            {"Supports d_type", "true"},
                            {"Using metacopy", "false"}};
    const char* tmp = std::getenv("TMPDIR");
    s["imageCopyTmpDir"] = tmp && *tmp ? tmp : "/var/tmp";
    s["imageStore"] = {{"number", images}};
    s["runRoot"] = o.runroot;
    s["volumePath"] = store.volume_path();
    (void)ctx;
    return s;
}

int info_cmd(Context& ctx) {
    storage::Store& store = ctx.store();
    ojson info;
    info["host"] = host_info(ctx, store);
    info["store"] = store_info(ctx, store);
    info["registries"] = ojson::object();
    try {
        auto conf = pull::RegistriesConf::load();
        if (!conf.unqualified_search_registries.empty()) info["registries"]["search"] = conf.unqualified_search_registries;
    } catch (const Error& e) {
        cli::print_warning(e.what());
    }
    info["plugins"] = {{"volume", {"local"}},
                       {"network", ojson::array()},
                       {"log", {"k8s-file", "json-file", "none", "passthrough"}},
                       {"authorization", nullptr}};
    info["version"] = version_data();
    std::string format = ctx.flags.get_string("format");
    if (output::is_json_format(format)) {
        cli::print_out(output::go_json(info, 2) + "\n");
        return 0;
    }
    if (format.empty()) {
        cli::print_out(output::to_yaml(json(info)));
        return 0;
    }
    cli::print_out(run_template(format, json(info), "info", "*define.Info"));
    return 0;
}

}  // namespace

void register_system_info(cli::CommandTable& t) {
    cli::Command info;
    info.path = "info";
    info.use = "[options]";
    info.short_help = "Display burrow system information";
    info.long_help = "Display information pertaining to the host, current storage stats, and build of burrow.\n\n  "
                     "Useful for the user and when reporting issues.";
    info.flags = {string_flag("format", 'f', "Change the output format to JSON or a Go template"),
                  bool_flag("debug", 'D', "Display additional debug information", true), help_flag()};
    info.max_args = 0;
    info.handler = info_cmd;
    t.add(info);
    info.path = "system info";
    t.add(info);

    cli::Command version;
    version.path = "version";
    version.use = "[options]";
    version.short_help = "Display the burrow version information";
    version.flags = {string_flag("format", 'f', "Change the output format to JSON or a Go template"), help_flag()};
    version.max_args = 0;
    version.handler = version_cmd;
    t.add(version);
    version.path = "system version";
    t.add(version);
}

}  // namespace burrow::commands

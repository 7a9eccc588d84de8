// `system df`, `info` / `system info`, `version` / `system version`.
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <set>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/strings.hpp"
#include "pull/registries_conf.hpp"
#include "src/cli/print.hpp"
#include "src/commands/common.hpp"
#include "src/commands/register.hpp"
#include "src/engine/containers_conf.hpp"
#include "src/output/format.hpp"
#include "src/output/template.hpp"
#include "src/output/yaml.hpp"
#include "src/output/table.hpp"
#include "storage/store.hpp"

#ifndef BURROW_VERSION
#define BURROW_VERSION "0.0.0"
#endif

namespace burrow::commands {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;
using cli::Context;

namespace {

const char* const kApiVersion = BURROW_VERSION;
const char* const kBuiltTime = "Thu Jan  1 00:00:00 1970";

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

void print_template_or(const std::string& format, const json& data, const std::string& name,
                       const std::string& type_name, const std::function<void()>& fallback) {
    if (format.empty()) return fallback();
    output::ParsedFormat pf = output::parse_format(format, "");
    cli::print_out(output::Template(name, pf.body).execute(data, type_name));
}

// ---- version ----

ojson version_data() {
    ojson c;
    c["APIVersion"] = kApiVersion;
    c["Version"] = BURROW_VERSION;
    c["GoVersion"] = "";
    c["GitCommit"] = "";
    c["BuiltTime"] = kBuiltTime;
    c["Built"] = 0;
    c["OsArch"] = "linux/" + go_arch();
    c["Os"] = "linux";
    return c;
}

int version_cmd(Context& ctx) {
    std::string format = ctx.flags.get_string("format");
    ojson data = {{"Client", version_data()}};
    if (output::is_json_format(format)) {
        cli::print_out(output::go_json(data, -1) + "\n");
        return 0;
    }
    print_template_or(format, json(data), "version", "*entities.SystemVersionReport", [&] {
        const ojson& c = data["Client"];
        cli::print_out("Client:       burrow\nVersion:      " + c["Version"].get<std::string>() +
                       "\nAPI Version:  " + c["APIVersion"].get<std::string>() + "\nBuilt:        " + kBuiltTime +
                       "\nOS/Arch:      " + c["OsArch"].get<std::string>() + "\n");
    });
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

json id_map(const std::vector<IdMapEntry>& entries) {
    if (entries.empty()) return nullptr;
    json a = json::array();
    for (const auto& e : entries) a.push_back({{"container_id", e.container_id}, {"host_id", e.host_id}, {"size", e.size}});
    return a;
}

json host_info(storage::Store& store) {
    json h;
    utsname u{};
    uname(&u);
    struct sysinfo si{};
    sysinfo(&si);
    struct statfs cg{};
    bool v2 = statfs("/sys/fs/cgroup", &cg) == 0 && cg.f_type == 0x63677270;  // CGROUP2_SUPER_MAGIC
    auto osr = os_release();
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    h["arch"] = go_arch();
    h["cgroupVersion"] = v2 ? "v2" : "v1";
    h["cpus"] = sysconf(_SC_NPROCESSORS_ONLN);
    h["distribution"] = {{"distribution", osr["ID"]}, {"version", osr["VERSION_ID"]}, {"codename", osr["VERSION_CODENAME"]}};
    h["hostname"] = host;
    try {
        const auto& m = store.idmap();
        h["idMappings"] = {{"uidmap", id_map(m.uids)}, {"gidmap", id_map(m.gids)}};
    } catch (const Error&) {
        h["idMappings"] = {{"uidmap", nullptr}, {"gidmap", nullptr}};
    }
    h["kernel"] = u.release;
    h["memFree"] = static_cast<uint64_t>(si.freeram) * si.mem_unit;
    h["memTotal"] = static_cast<uint64_t>(si.totalram) * si.mem_unit;
    h["os"] = "linux";
    h["security"] = {{"rootless", geteuid() != 0}};
    h["swapFree"] = static_cast<uint64_t>(si.freeswap) * si.mem_unit;
    h["swapTotal"] = static_cast<uint64_t>(si.totalswap) * si.mem_unit;
    char up[64];
    long s = si.uptime;
    std::snprintf(up, sizeof up, "%ldh %ldm %.2fs", s / 3600, (s % 3600) / 60, static_cast<double>(s % 60));
    h["uptime"] = up;
    // From containers.conf (the templates' info rework may place these differently).
    const auto& conf = engine::containers_conf();
    h["eventLogger"] = conf.events_logger;
    h["logDriver"] = conf.log_driver;
    auto [rt_name, rt_path] = engine::oci_runtime(conf);
    h["ociRuntime"] = {{"name", rt_name}, {"package", ""}, {"path", rt_path}, {"version", ""}};
    return h;
}

json store_info(storage::Store& store) {
    const auto& o = store.options();
    json s;
    size_t images = 0;
    {
        auto lock = store.lock_shared();
        images = store.images().size();
    }
    struct statvfs vfs{};
    uint64_t allocated = 0, used = 0;
    if (statvfs(o.root.c_str(), &vfs) == 0) {
        allocated = static_cast<uint64_t>(vfs.f_blocks) * vfs.f_frsize;
        used = allocated - static_cast<uint64_t>(vfs.f_bfree) * vfs.f_frsize;
    }
    s["containerStore"] = {{"number", 0}, {"paused", 0}, {"running", 0}, {"stopped", 0}};
    s["graphDriverName"] = o.driver;
    s["graphOptions"] = json::object();
    if (!o.mount_program.empty()) s["graphOptions"]["overlay.mount_program"] = {{"Executable", o.mount_program}};
    s["graphRoot"] = o.root;
    s["graphRootAllocated"] = allocated;
    s["graphRootUsed"] = used;
    s["imageStore"] = {{"number", images}};
    s["runRoot"] = o.runroot;
    s["volumePath"] = join_path(o.root, "volumes");
    return s;
}

int info_cmd(Context& ctx) {
    storage::Store& store = ctx.store();
    json info;
    info["host"] = host_info(store);
    info["store"] = store_info(store);
    info["registries"] = json::object();
    try {
        auto conf = pull::RegistriesConf::load();
        if (!conf.unqualified_search_registries.empty()) info["registries"]["search"] = conf.unqualified_search_registries;
    } catch (const Error& e) {
        cli::print_warning(e.what());
    }
    info["version"] = json(version_data());
    std::string format = ctx.flags.get_string("format");
    if (output::is_json_format(format)) {
        cli::print_out(output::go_json(info, 2) + "\n");
        return 0;
    }
    print_template_or(format, info, "info", "*define.Info", [&] { cli::print_out(output::to_yaml(info)); });
    return 0;
}

// ---- system df ----

std::string reclaimable_text(uint64_t reclaimable, uint64_t total) {
    long pct = total ? std::lround(100.0 * static_cast<double>(reclaimable) / static_cast<double>(total)) : 0;
    return output::human_size_compact(static_cast<double>(reclaimable)) + " (" + std::to_string(pct) + "%)";
}

int df_cmd(Context& ctx) {
    storage::Store& store = ctx.store();
    std::vector<storage::ImageRecord> images;
    std::vector<storage::LayerRecord> layers;
    {
        auto lock = store.lock_shared();
        images = store.images();
        layers = store.layers();
    }
    std::set<std::string> used;
    for (const auto& i : images) used.insert(i.layers.begin(), i.layers.end());
    uint64_t size = 0;
    for (const auto& l : layers)
        if (used.count(l.id)) size += l.uncompressed_size;
    // No containers yet: every image is reclaimable.
    uint64_t reclaimable = size;
    struct Row {
        const char* type;
        size_t total, active;
        uint64_t size, reclaimable;
    };
    std::vector<Row> rows = {{"Images", images.size(), 0, size, reclaimable},
                             {"Containers", 0, 0, 0, 0},
                             {"Local Volumes", 0, 0, 0, 0}};
    std::string format = ctx.flags.get_string("format");
    if (output::is_json_format(format)) {
        ojson arr = ojson::array();
        for (const auto& r : rows) {
            ojson o;
            o["Type"] = r.type;
            o["Total"] = r.total;
            o["Active"] = r.active;
            o["RawSize"] = r.size;
            o["RawReclaimable"] = r.reclaimable;
            o["TotalCount"] = r.total;
            o["Size"] = output::human_size_compact(static_cast<double>(r.size));
            o["Reclaimable"] = reclaimable_text(r.reclaimable, r.size);
            arr.push_back(o);
        }
        cli::print_out(output::go_json(arr, 4) + "\n");
        return 0;
    }
    if (ctx.flags.get_bool("verbose")) {
        std::vector<json> irows;
        RowOptions ro{false, now_seconds()};
        auto lock = store.lock_shared();
        for (const auto& rec : images) {
            for (auto& r : image_rows(load_view(store, rec), ro)) {
                std::string since = r["CreatedSince"];
                if (since.size() > 4 && since.compare(since.size() - 4, 4, " ago") == 0) since.resize(since.size() - 4);
                r["CreatedSince"] = since;
                r["Size"] = output::human_size_compact(static_cast<double>(rec.size));
                r["UniqueSize"] = r["Size"];
                r["SharedSize"] = "0B";
                irows.push_back(std::move(r));
            }
        }
        json headers = image_row_headers();
        headers["UniqueSize"] = "UNIQUE SIZE";
        std::string out = "Images space usage:\n\n";
        out += output::render_rows(output::parse_format("table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}", ""),
                                   irows, headers, false, "df");
        out += "\nContainers space usage:\n\n";
        out += output::tabwrite("CONTAINER ID\tIMAGE\tCOMMAND\tLOCAL VOLUMES\tSIZE\tCREATED\tSTATUS\tNAMES\n");
        out += "\nLocal Volumes space usage:\n\n";
        out += output::tabwrite("VOLUME NAME\tLINKS\tSIZE\n");
        cli::print_out(out);
        return 0;
    }
    std::vector<json> jrows;
    for (const auto& r : rows)
        jrows.push_back({{"Type", r.type},
                         {"Total", r.total},
                         {"Active", r.active},
                         {"Size", output::human_size_compact(static_cast<double>(r.size))},
                         {"Reclaimable", reclaimable_text(r.reclaimable, r.size)},
                         {"RawSize", r.size},
                         {"RawReclaimable", r.reclaimable}});
    json headers = output::header_row({"Type", "Total", "Active", "Size", "Reclaimable", "RawSize", "RawReclaimable"}, {});
    print_rows(format, "{{.Type}}\t{{.Total}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}\n", jrows, headers, false, "df",
               "df.dfSummary");
    return 0;
}

}  // namespace

void register_system(cli::CommandTable& t) {
    cli::Command system;
    system.path = "system";
    system.short_help = "Manage burrow";
    t.add(system);
    cli::Command image;
    image.path = "image";
    image.short_help = "Manage images";
    t.add(image);

    cli::Command df;
    df.path = "system df";
    df.use = "[options]";
    df.short_help = "Show podman disk usage";
    df.short_help = "Show burrow disk usage";
    df.flags = {string_flag("format", 0, "Pretty-print images using a Go template"),
                bool_flag("verbose", 'v', "Show detailed information on disk usage"), help_flag()};
    df.max_args = 0;
    df.handler = df_cmd;
    t.add(df);

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

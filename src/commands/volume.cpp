// `volume create|ls|inspect|rm|prune|exists`: Podman's local-driver volumes.
#include <fnmatch.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "base/error.hpp"
#include "src/cli/print.hpp"
#include "src/commands/common.hpp"
#include "src/commands/register.hpp"
#include "src/output/format.hpp"
#include "src/output/template.hpp"
#include "src/engine/lifecycle.hpp"
#include "storage/container_store.hpp"
#include "storage/store.hpp"
#include "storage/volume_store.hpp"

namespace burrow::commands {

using cli::Context;
using nlohmann::json;
using ojson = nlohmann::ordered_json;
using storage::VolumeRecord;
using storage::VolumeStore;

namespace {

const char* const kTable = "{{.Driver}}\t{{.Name}}\n";

// Go's RFC3339Nano in local time, as Podman prints CreatedAt.
std::string go_rfc3339_nano(int64_t ns) {
    time_t secs = static_cast<time_t>(ns / 1000000000);
    long frac = static_cast<long>(ns % 1000000000);
    struct tm tm {};
    ::localtime_r(&secs, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::string out = buf;
    if (frac) {
        char f[16];
        std::snprintf(f, sizeof f, ".%09ld", frac);
        std::string fs = f;
        while (fs.back() == '0') fs.pop_back();
        out += fs;
    }
    long off = tm.tm_gmtoff;
    if (off == 0) return out + "Z";
    char z[40];
    std::snprintf(z, sizeof z, "%c%02ld:%02ld", off < 0 ? '-' : '+', std::labs(off) / 3600, (std::labs(off) % 3600) / 60);
    return out + z;
}

ojson inspect_json(const VolumeStore& vs, const VolumeRecord& v) {
    ojson j;
    j["Name"] = v.name;
    j["Driver"] = v.driver;
    j["Mountpoint"] = vs.data_dir(v.name);
    j["CreatedAt"] = go_rfc3339_nano(v.created);
    j["Labels"] = v.labels;
    j["Scope"] = "local";
    j["Options"] = v.options;
    j["MountCount"] = 0;
    j["NeedsCopyUp"] = v.needs_copy_up;
    j["NeedsChown"] = v.needs_chown;
    return j;
}

std::map<std::string, std::string> key_values(const std::vector<std::string>& list) {
    std::map<std::string, std::string> m;
    for (const auto& kv : list) {
        auto eq = kv.find('=');
        m[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
    }
    return m;
}

// --filter name=, label=, driver=, dangling=
bool matches(const VolumeStore& vs, const VolumeRecord& v, const std::vector<std::string>& filters) {
    for (const auto& f : filters) {
        auto eq = f.find('=');
        if (eq == std::string::npos) throw Error("invalid filter \"" + f + "\"");
        std::string k = f.substr(0, eq), val = f.substr(eq + 1);
        if (k == "name") {
            if (::fnmatch(val.c_str(), v.name.c_str(), 0) != 0 && v.name.find(val) == std::string::npos) return false;
        } else if (k == "label") {
            auto e2 = val.find('=');
            std::string lk = val.substr(0, e2);
            auto it = v.labels.find(lk);
            if (it == v.labels.end()) return false;
            if (e2 != std::string::npos && it->second != val.substr(e2 + 1)) return false;
        } else if (k == "driver") {
            if (v.driver != val) return false;
        } else if (k == "dangling") {
            bool dangling = vs.users(v.name).empty();
            if ((val == "true" || val == "1") != dangling) return false;
        } else {
            throw Error("invalid filter \"" + k + "\"");
        }
    }
    return true;
}

int create_cmd(Context& ctx) {
    std::string driver = ctx.flags.get_string("driver");
    if (!driver.empty() && driver != "local") throw Error("volume driver \"" + driver + "\" is not supported: only local volumes");
    VolumeStore vs(ctx.store());
    auto v = vs.create(ctx.args.empty() ? "" : ctx.args[0], key_values(ctx.flags.get_list("label")),
                       key_values(ctx.flags.get_list("opt")));
    std::printf("%s\n", v.name.c_str());
    return 0;
}

int ls_cmd(Context& ctx) {
    VolumeStore vs(ctx.store());
    std::vector<json> rows;
    auto filters = ctx.flags.get_list("filter");
    for (const auto& v : vs.list()) {
        if (!matches(vs, v, filters)) continue;
        json r = json(inspect_json(vs, v));
        rows.push_back(r);
    }
    if (ctx.flags.get_bool("quiet")) {
        for (const auto& r : rows) std::printf("%s\n", r["Name"].get<std::string>().c_str());
        return 0;
    }
    std::string format = ctx.flags.get_string("format");
    if (output::is_json_format(format)) {
        ojson arr = ojson::array();
        for (const auto& r : rows) arr.push_back(ojson::parse(r.dump()));
        cli::print_out(output::go_json(arr, 2) + "\n");
        return 0;
    }
    json headers{{"Driver", "DRIVER"}, {"Name", "VOLUME NAME"}, {"Mountpoint", "MOUNTPOINT"}, {"CreatedAt", "CREATED AT"},
                 {"Scope", "SCOPE"}, {"Labels", "LABELS"}, {"Options", "OPTIONS"}};
    print_rows(format, kTable, rows, headers, ctx.flags.get_bool("noheading"), "volumes", "entities.VolumeListReport");
    return 0;
}

int inspect_cmd(Context& ctx) {
    VolumeStore vs(ctx.store());
    std::vector<ojson> found;
    std::vector<std::string> errs;
    if (ctx.flags.get_bool("all")) {
        for (const auto& v : vs.list()) found.push_back(inspect_json(vs, v));
    } else {
        if (ctx.args.empty()) throw Error("provide one or more volume names or use --all");
        for (const auto& n : ctx.args) {
            auto v = vs.get(n);
            if (!v) {
                errs.push_back("no such volume " + n);
                continue;
            }
            found.push_back(inspect_json(vs, *v));
        }
    }
    std::string format = ctx.flags.get_string("format");
    if (format.empty() || output::is_json_format(format)) {
        ojson arr = ojson::array();
        for (auto& j : found) arr.push_back(j);
        cli::print_out(output::go_json(arr, 5) + "\n");
    } else {
        output::ParsedFormat pf = output::parse_format(format, "");
        output::Template t("inspect", pf.body);
        std::string out;
        for (const auto& j : found) out += t.execute(json::parse(j.dump()), "*entities.VolumeInspectReport");
        cli::print_out(out);
    }
    if (!errs.empty()) throw Error(errs.front());
    return 0;
}

int rm_cmd(Context& ctx) {
    VolumeStore vs(ctx.store());
    bool force = ctx.flags.get_bool("force");
    std::vector<std::string> names = ctx.args;
    bool all = ctx.flags.get_bool("all");
    if (all && !names.empty()) throw Error("choose either one or more volumes or all");
    if (all)
        for (const auto& v : vs.list()) names.push_back(v.name);
    else if (names.empty()) throw Error("choose either one or more volumes or all");  // --all of none is fine
    std::vector<std::string> errs;
    int code = 0;
    for (const auto& n : names) {
        if (!vs.get(n)) {
            errs.push_back("no volume with name \"" + n + "\" found: no such volume");
            code = code ? code : 1;
            continue;
        }
        auto users = vs.users(n);
        if (!users.empty()) {
            if (!force) {
                std::string list;
                for (const auto& u : users) list += (list.empty() ? "" : ", ") + u;
                errs.push_back("volume " + n + " is being used by the following container(s): " + list +
                               ": volume is being used");
                code = code ? code : 2;
                continue;
            }
            // -f removes the containers that use it (stopping running ones), as Podman does.
            for (const auto& id : users)
                if (auto c = storage::ContainerStore(ctx.store()).config(id))
                    engine::remove_container(ctx.store(), *c, true, static_cast<unsigned>(std::atoi(ctx.flags.get_string("time").c_str())));
        }
        vs.remove(n);
        std::printf("%s\n", n.c_str());
        std::fflush(stdout);
    }
    if (!errs.empty()) throw Error(combine_errors(errs), code);
    return 0;
}

int prune_cmd(Context& ctx) {
    VolumeStore vs(ctx.store());
    auto filters = ctx.flags.get_list("filter");
    if (!ctx.flags.get_bool("force") && ::isatty(0)) {
        if (!confirm("WARNING! This will remove all volumes not used by at least one container. The following volumes will be removed:\n"))
            return 0;
    }
    for (const auto& v : vs.list()) {
        if (!vs.users(v.name).empty() || !matches(vs, v, filters)) continue;
        vs.remove(v.name);
        std::printf("%s\n", v.name.c_str());
    }
    return 0;
}

int exists_cmd(Context& ctx) { return VolumeStore(ctx.store()).get(ctx.args[0]) ? 0 : 1; }

}  // namespace

void register_volume(cli::CommandTable& t) {
    cli::Command group;
    group.path = "volume";
    group.short_help = "Manage volumes";
    group.long_help = "Volumes are created in and can be shared between containers";
    t.add(group);

    cli::Command create;
    create.path = "volume create";
    create.use = "[options] [NAME]";
    create.short_help = "Create a new volume";
    create.long_help = "If using the default driver, \"local\", the volume will be created on the host in the volumes directory under container storage.";
    create.flags = {string_flag("driver", 'd', "Specify volume driver name", "local"),
                    bool_flag("ignore", 0, "Don't fail if volume already exists"),
                    list_flag("label", 'l', "Set metadata for a volume (e.g. --label mykey=value)"),
                    list_flag("opt", 'o', "Set driver specific options"), help_flag()};
    create.max_args = 1;
    create.handler = [](Context& ctx) {
        if (ctx.flags.get_bool("ignore") && !ctx.args.empty() && VolumeStore(ctx.store()).get(ctx.args[0])) {
            std::printf("%s\n", ctx.args[0].c_str());
            return 0;
        }
        return create_cmd(ctx);
    };
    t.add(create);

    cli::Command ls;
    ls.path = "volume ls";
    ls.aliases = {"list"};
    ls.use = "[options]";
    ls.short_help = "List volumes";
    ls.long_help = "List all available volumes. The output of the volumes can be filtered and the output format can be changed to JSON or a user specified Go template.";
    ls.flags = {list_flag("filter", 'f', "Filter volume output"),
                string_flag("format", 0, "Format volume output using Go template"),
                bool_flag("noheading", 'n', "Do not print headers"),
                bool_flag("quiet", 'q', "Print volume output in quiet mode"), help_flag()};
    ls.max_args = 0;
    ls.handler = ls_cmd;
    t.add(ls);

    cli::Command inspect;
    inspect.path = "volume inspect";
    inspect.use = "[options] VOLUME [VOLUME...]";
    inspect.short_help = "Display detailed information on one or more volumes";
    inspect.long_help = "Display detailed information on one or more volumes.\n\n  Use a Go template to change the format from JSON.";
    inspect.flags = {bool_flag("all", 'a', "Inspect all volumes"),
                     string_flag("format", 'f', "Format volume output using Go template", "json"), help_flag()};
    inspect.handler = inspect_cmd;
    t.add(inspect);

    cli::Command rm;
    rm.path = "volume rm";
    rm.aliases = {"remove"};
    rm.use = "[options] VOLUME [VOLUME...]";
    rm.short_help = "Remove one or more volumes";
    rm.long_help = "Remove one or more existing volumes.\n\n  By default only volumes that are not being used by any containers will be removed. To remove the volumes anyways, use the --force flag.";
    rm.flags = {bool_flag("all", 'a', "Remove all volumes"),
                bool_flag("force", 'f', "Remove a volume by force, even if it is being used by a container"),
                string_flag("time", 't', "Seconds to wait for running containers to stop before killing the container", "10"),
                help_flag()};
    rm.handler = rm_cmd;
    t.add(rm);

    cli::Command prune;
    prune.path = "volume prune";
    prune.use = "[options]";
    prune.short_help = "Remove all unused volumes";
    prune.long_help = "Remove all unused volumes. Will prompt for confirmation if not using force.";
    prune.flags = {list_flag("filter", 0, "Provide filter values (e.g. 'label=<key>=<value>')"),
                   bool_flag("force", 'f', "Do not prompt for confirmation"), help_flag()};
    prune.max_args = 0;
    prune.handler = prune_cmd;
    t.add(prune);

    cli::Command exists;
    exists.path = "volume exists";
    exists.use = "VOLUME";
    exists.short_help = "Check if volume exists";
    exists.long_help = "If the named volume exists in local storage, podman volume exists exits with 0, otherwise the exit code will be 1.";
    exists.flags = {help_flag()};
    exists.min_args = 1;
    exists.max_args = 1;
    exists.handler = exists_cmd;
    t.add(exists);
}

}  // namespace burrow::commands

// `volume create|ls|inspect|rm|prune|exists`: Podman's local-driver volumes.
#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <iostream>
#include <memory>
#include <regex>

#include "base/error.hpp"
#include "base/strings.hpp"
#include "src/cli/print.hpp"
#include "src/commands/common.hpp"
#include "src/commands/container_view.hpp"
#include "src/commands/register.hpp"
#include "src/output/format.hpp"
#include "src/output/template.hpp"
#include "src/engine/lifecycle.hpp"
#include "src/engine/volume_options.hpp"
#include "src/engine/volume_use.hpp"
#include "storage/container_store.hpp"
#include "storage/store.hpp"
#include "storage/volume_store.hpp"

namespace burrow::commands {

using cli::Context;
using nlohmann::json;
using ojson = nlohmann::ordered_json;
using storage::VolumeRecord;
using storage::VolumeStore;

void register_volume_data(cli::CommandTable& t);  // volume_data.cpp

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
    // Podman's define.InspectVolumeData: UID, GID, Anonymous, NeedsCopyUp, NeedsChown are omitempty.
    ojson j;
    j["Name"] = v.name;
    j["Driver"] = v.driver;
    j["Mountpoint"] = vs.data_dir(v.name);
    j["CreatedAt"] = go_rfc3339_nano(v.created);
    j["Labels"] = v.labels;
    j["Scope"] = "local";
    j["Options"] = v.options;
    if (v.uid) j["UID"] = v.uid;
    if (v.gid) j["GID"] = v.gid;
    if (v.anonymous) j["Anonymous"] = true;
    j["MountCount"] = engine::volume_mount_count(vs, v);
    if (v.needs_copy_up) j["NeedsCopyUp"] = true;
    if (v.needs_chown) j["NeedsChown"] = true;
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

// Podman's OutputErrors: every error but the last on stderr, the last one returned.
[[noreturn]] void throw_errors(const std::vector<std::string>& errs, int code) {
    for (size_t i = 0; i + 1 < errs.size(); ++i) std::fprintf(stderr, "Error: %s\n", errs[i].c_str());
    std::fflush(stderr);
    throw Error(errs.back(), code);
}

// One --filter of `volume ls` / `volume prune`, as Podman 4.3's GenerateVolumeFilters reads it.
using VolumePredicate = std::function<bool(const VolumeRecord&)>;

std::string regex_error_text(const std::regex_error& e, const std::string& re) {
    const char* what = "invalid regular expression";
    switch (e.code()) {
        case std::regex_constants::error_brack: what = "missing closing ]"; break;
        case std::regex_constants::error_paren: what = "missing closing )"; break;
        case std::regex_constants::error_escape: what = "trailing backslash at end of expression"; break;
        case std::regex_constants::error_badrepeat: what = "missing argument to repetition operator"; break;
        default: break;
    }
    return std::string("error parsing regexp: ") + what + ": `" + re + "`";
}

VolumePredicate volume_filter(const VolumeStore& vs, const std::string& key, const std::string& val) {
    if (key == "name") {
        std::shared_ptr<std::regex> re;
        try {
            re = std::make_shared<std::regex>(val, std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
            throw Error(regex_error_text(e, val));
        }
        return [re](const VolumeRecord& v) { return std::regex_search(v.name, *re); };
    }
    if (key == "driver") return [val](const VolumeRecord& v) { return v.driver == val; };
    if (key == "scope") return [val](const VolumeRecord&) { return val == "local"; };
    if (key == "label") {
        auto eq = val.find('=');
        std::string k = val.substr(0, eq);
        std::optional<std::string> want;
        if (eq != std::string::npos) want = val.substr(eq + 1);
        return [k, want](const VolumeRecord& v) {
            auto it = v.labels.find(k);
            return it != v.labels.end() && (!want || it->second == *want);
        };
    }
    if (key == "opt") {
        auto eq = val.find('=');
        std::string k = val.substr(0, eq), want = eq == std::string::npos ? "" : val.substr(eq + 1);
        return [k, want](const VolumeRecord& v) {
            auto it = v.options.find(k);
            return it != v.options.end() && (want.empty() || it->second == want);
        };
    }
    if (key == "until") {
        int64_t now = static_cast<int64_t>(now_seconds()) * 1000000000LL;
        auto ns = parse_input_time(val, true, now);
        if (!ns) throw Error("failed to parse value as time or duration: \"" + val + "\"");
        int64_t until = *ns;
        return [until](const VolumeRecord& v) { return v.created < until; };
    }
    if (key == "dangling") {
        std::string l = to_lower(val);
        bool want;
        if (l == "true" || l == "1") want = true;
        else if (l == "false" || l == "0") want = false;
        else throw Error("\"" + val + "\" is not a valid value for the \"dangling\" filter - must be true or false");
        return [&vs, want](const VolumeRecord& v) { return vs.users(v.name).empty() == want; };
    }
    throw Error("\"" + key + "\" is an invalid volume filter");
}

// Podman 4.3 keeps a volume that passes any one of the filters (Runtime.Volumes ORs them).
std::vector<VolumePredicate> parse_volume_filters(const VolumeStore& vs, const std::vector<std::string>& filters) {
    std::vector<VolumePredicate> out;
    for (const auto& f : filters) {
        auto eq = f.find('=');
        if (eq == std::string::npos) throw Error("filter input must be in the form of filter=value: " + f + " is invalid");
        out.push_back(volume_filter(vs, f.substr(0, eq), f.substr(eq + 1)));
    }
    return out;
}

bool matches_any(const std::vector<VolumePredicate>& preds, const VolumeRecord& v) {
    if (preds.empty()) return true;
    return std::any_of(preds.begin(), preds.end(), [&](const VolumePredicate& p) { return p(v); });
}

// `volume ls --format json` marshals with json-iterator, which writes an empty map as "{", a line
// indented one level deeper, and "}".
std::string jsoniter_empty_maps(const std::string& text) {
    std::string out;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        pos = nl == std::string::npos ? text.size() : nl + 1;
        std::string tail = line.ends_with("{},") ? "{}," : line.ends_with("{}") ? "{}" : "";
        if (!tail.empty() && line.size() > tail.size() + 1 && line[line.size() - tail.size() - 1] == ' ') {
            size_t indent = line.find_first_not_of(' ');
            std::string pad(indent, ' ');
            line = line.substr(0, line.size() - tail.size()) + "{\n" + pad + "  \n" + pad + "}" + (tail.size() == 3 ? "," : "");
        }
        out += line;
        if (nl != std::string::npos) out += "\n";
    }
    return out;
}

int create_cmd(Context& ctx) {
    engine::VolumeCreateOptions o;
    o.name = ctx.args.empty() ? "" : ctx.args[0];
    o.driver = ctx.flags.get_string("driver");
    o.labels = key_values(ctx.flags.get_list("label"));
    o.options = ctx.flags.get_list("opt");
    VolumeRecord rec = engine::volume_record_from(o);
    VolumeStore vs(ctx.store());
    auto v = vs.create(std::move(rec));
    std::printf("%s\n", v.name.c_str());
    return 0;
}

int ls_cmd(Context& ctx) {
    if (ctx.flags.get_bool("quiet") && ctx.flags.changed("format"))
        throw Error("quiet and format flags cannot be used together");
    VolumeStore vs(ctx.store());
    auto preds = parse_volume_filters(vs, ctx.flags.get_list("filter"));
    std::vector<json> rows;
    ojson arr = ojson::array();
    for (const auto& v : vs.list()) {
        if (!matches_any(preds, v)) continue;
        arr.push_back(inspect_json(vs, v));
        rows.push_back(json::parse(arr.back().dump()));
    }
    std::string format = ctx.flags.get_string("format");
    if (output::is_json_format(format)) {
        cli::print_out(jsoniter_empty_maps(output::go_json(arr, 2)) + "\n");
        return 0;
    }
    if (rows.empty()) return 0;
    if (ctx.flags.get_bool("quiet")) {
        for (const auto& r : rows) std::printf("%s\n", r["Name"].get<std::string>().c_str());
        return 0;
    }
    json headers{{"Driver", "DRIVER"}, {"Name", "VOLUME NAME"}, {"Mountpoint", "MOUNTPOINT"}, {"CreatedAt", "CREATED AT"},
                 {"Scope", "SCOPE"}, {"Labels", "LABELS"}, {"Options", "OPTIONS"}, {"MountCount", "MOUNT COUNT"},
                 {"NeedsCopyUp", "NEEDS COPY UP"}, {"NeedsChown", "NEEDS CHOWN"}, {"Anonymous", "ANONYMOUS"},
                 {"UID", "UID"}, {"GID", "GID"}};
    print_rows(format, kTable, rows, headers, ctx.flags.get_bool("noheading"), "volumes", "*entities.VolumeInspectReport");
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
    if (!errs.empty()) {
        // Podman's inspect: the later errors on stderr, the first one returned.
        std::fflush(stdout);
        for (size_t i = 1; i < errs.size(); ++i) std::fprintf(stderr, "error inspecting object: %s\n", errs[i].c_str());
        throw Error("inspecting object: " + errs.front());
    }
    return 0;
}

int rm_cmd(Context& ctx) {
    VolumeStore vs(ctx.store());
    bool force = ctx.flags.get_bool("force");
    std::vector<std::string> names = ctx.args;
    if (ctx.flags.get_bool("all")) {
        if (!names.empty()) throw Error("choose either one or more volumes or all");
        for (const auto& v : vs.list()) names.push_back(v.name);
    } else if (names.empty()) {
        throw Error("choose either one or more volumes or all");
    }
    std::vector<std::string> errs;
    int code = 0;
    unsigned timeout = static_cast<unsigned>(std::atoi(ctx.flags.get_string("time").c_str()));
    for (const auto& n : names) {
        if (!vs.get(n)) {
            if (force) continue;  // Podman: -f makes a missing volume no error
            errs.push_back("no volume with name \"" + n + "\" found: no such volume");
            code = code ? code : 1;
            continue;
        }
        auto users = vs.users(n);
        if (!users.empty()) {
            if (!force) {
                errs.push_back("volume " + n + " is being used by the following container(s): " + join(users, ", ") +
                               ": volume is being used");
                code = code ? code : 2;
                continue;
            }
            // -f removes the containers that use it (stopping running ones), as Podman does.
            for (const auto& id : users)
                if (auto c = storage::ContainerStore(ctx.store()).config(id))
                    engine::remove_container(ctx.store(), *c, true, timeout);
        }
        if (!vs.get(n)) continue;  // an anonymous volume that went with its container
        vs.remove(n);
        std::printf("%s\n", n.c_str());
        std::fflush(stdout);
    }
    if (!errs.empty()) throw_errors(errs, code);
    return 0;
}

// Podman reads one line and looks at its first letter; EOF is an error.
bool ask_line() {
    std::fflush(stdout);
    std::string answer;
    if (!std::getline(std::cin, answer)) throw Error("EOF");
    return !answer.empty() && (answer[0] == 'y' || answer[0] == 'Y');
}

int prune_cmd(Context& ctx) {
    VolumeStore vs(ctx.store());
    auto preds = parse_volume_filters(vs, ctx.flags.get_list("filter"));
    auto unused = [&](const VolumeRecord& v) { return vs.users(v.name).empty() && matches_any(preds, v); };
    if (!ctx.flags.get_bool("force")) {
        std::string out = "WARNING! This will remove all volumes not used by at least one container. The following volumes will be removed:\n";
        std::string names;
        for (const auto& v : vs.list())
            if (unused(v)) names += v.name + "\n";
        if (names.empty()) {
            cli::print_out(out + "No dangling volumes found\n");
            return 0;
        }
        cli::print_out(out + names + "Are you sure you want to continue? [y/N] ");
        if (!ask_line()) return 0;
    }
    for (const auto& v : vs.list()) {
        if (!unused(v)) continue;
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
    create.flags = {string_flag("driver", 0, "Specify volume driver name", "local"),
                    list_flag("label", 'l', "Set metadata for a volume (e.g. --label mykey=value)"),
                    list_flag("opt", 'o', "Set driver specific options"), help_flag()};
    create.max_args = 1;
    create.handler = create_cmd;
    t.add(create);

    cli::Command ls;
    ls.path = "volume ls";
    ls.aliases = {"list"};
    ls.use = "[options]";
    ls.short_help = "List volumes";
    ls.long_help = "List all available volumes. The output of the volumes can be filtered and the output format can be changed to JSON or a user specified Go template.";
    ls.flags = {list_flag("filter", 'f', "Filter volume output"),
                string_flag("format", 0, "Format volume output using Go template"),
                bool_flag("noheading", 0, "Do not print headers"),
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
    exists.short_help = "Volume exists";
    exists.long_help = "If the named volume exists in local storage, podman volume exists exits with 0, otherwise the exit code will be 1.";
    exists.flags = {help_flag()};
    exists.min_args = 1;
    exists.max_args = 1;
    exists.handler = exists_cmd;
    t.add(exists);

    register_volume_data(t);
}

}  // namespace burrow::commands

// `container inspect`, and the container documents the generic `inspect` (images.cpp) shows.
#include "src/commands/container_inspect.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <vector>

#include "base/error.hpp"
#include "rootless/caps.hpp"
#include "src/cli/print.hpp"
#include "src/commands/common.hpp"
#include "src/commands/container_view.hpp"
#include "src/commands/register.hpp"
#include "src/output/format.hpp"
#include "src/output/template.hpp"
#include "storage/container_store.hpp"

namespace burrow::commands {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;
using cli::Context;

std::optional<ojson> inspect_container(storage::Store& store, const std::string& ref) {
    storage::ContainerStore containers(store);
    auto cfg = containers.find(ref);
    if (!cfg) return std::nullopt;
    ContainerView v;
    try {
        v.st = containers.state(cfg->id);
    } catch (const Error&) {
        return std::nullopt;  // removed meanwhile
    }
    InspectPaths p;
    p.dir = containers.dir(cfg->id);
    p.upper = containers.upper_dir(cfg->id);
    p.work = containers.work_dir(cfg->id);
    p.merged = containers.merged_dir(cfg->id);
    p.userdata = containers.userdata_dir(cfg->id);
    p.log = containers.log_path(cfg->id);
    p.volumes = store.volume_path();
    for (auto it = cfg->layers.rbegin(); it != cfg->layers.rend(); ++it) p.lower_dirs.push_back(store.layer_diff_dir(*it));
    if (auto img = store.image(cfg->image_id)) p.image_digest = img->digest;
    try {
        p.caps = rootless::cap_names(rootless::resolve_caps(cfg->cap_add, cfg->cap_drop, cfg->privileged));
    } catch (const Error&) {
        // create refuses unknown capabilities; an old record with one shows none.
    }
    v.cfg = std::move(*cfg);
    return container_inspect_json(v, p);
}

json container_template_data(const ojson& doc) {
    return with_go_times(doc, {{"Created"}, {"State", "StartedAt"}, {"State", "FinishedAt"}});
}

std::string inspect_normalize(const std::string& format, bool image_type) {
    // {{\s*\.Id\s*}} -> {{.ID}}
    std::string row;
    for (size_t i = 0; i < format.size();) {
        if (format.compare(i, 2, "{{") == 0) {
            size_t j = i + 2;
            while (j < format.size() && std::isspace(static_cast<unsigned char>(format[j]))) ++j;
            if (format.compare(j, 3, ".Id") == 0) {
                size_t k = j + 3;
                while (k < format.size() && std::isspace(static_cast<unsigned char>(format[k]))) ++k;
                if (format.compare(k, 2, "}}") == 0) {
                    row += "{{.ID}}";
                    i = k + 2;
                    continue;
                }
            }
        }
        row += format[i++];
    }
    std::vector<std::pair<std::string, std::string>> pairs = {
        {".Src", ".Source"}, {".Dst", ".Destination"}, {".ImageID", ".Image"}};
    if (image_type) pairs.emplace_back(".Config.Healthcheck", ".HealthCheck");
    // strings.NewReplacer: left to right, the first pair (in argument order) that matches wins.
    std::string out;
    for (size_t i = 0; i < row.size();) {
        bool replaced = false;
        for (const auto& [from, to] : pairs)
            if (row.compare(i, from.size(), from) == 0) {
                out += to;
                i += from.size();
                replaced = true;
                break;
            }
        if (!replaced) out += row[i++];
    }
    return out;
}

void finish_inspect(const std::string& out, const std::string& missing, const std::string& print_error) {
    cli::print_out(out);
    std::vector<std::string> errs;
    if (!missing.empty()) errs.push_back(missing);
    if (!print_error.empty()) errs.push_back("printing inspect output: " + print_error);
    if (errs.empty()) return;
    if (errs.size() > 1) {
        std::fflush(stdout);
        std::fprintf(stderr, "error inspecting object: %s\n", errs[1].c_str());
    }
    throw Error("inspecting object: " + errs[0]);
}

namespace {

int container_inspect_cmd(Context& ctx) {
    std::vector<std::string> refs = ctx.args;
    storage::Store& store = ctx.store();
    if (ctx.flags.get_bool("latest")) {
        if (!refs.empty()) throw Error("--latest and containers cannot be used together");
        storage::ContainerStore containers(store);
        auto all = containers.list();
        if (all.empty()) throw Error("no containers to inspect: no such container");
        refs.push_back(std::max_element(all.begin(), all.end(), [](const auto& a, const auto& b) {
                           return a.created < b.created;
                       })->id);
    }
    if (refs.empty()) throw Error("no names or ids specified");
    std::vector<ojson> found;
    std::string missing;
    for (const auto& ref : refs) {
        auto j = inspect_container(store, ref);
        if (!j) {
            if (missing.empty()) missing = "no such container " + ref;
            continue;
        }
        found.push_back(std::move(*j));
    }
    std::string format = ctx.flags.get_string("format");
    if (format.empty() || output::is_json_format(format)) {
        ojson arr = ojson::array();
        for (auto& j : found) arr.push_back(std::move(j));
        cli::print_out(output::go_json(arr, 5) + "\n");
    } else {
        output::ParsedFormat pf = output::parse_format(inspect_normalize(format, false), "");
        output::Template t("inspect", pf.body);
        std::string out, print_error;
        try {
            for (const auto& j : found) out += t.execute(container_template_data(j), "*define.InspectContainerData");
        } catch (const Error& e) {
            print_error = e.what();
        }
        finish_inspect(out, missing, print_error);
        return 0;
    }
    finish_inspect("", missing, "");
    return 0;
}

}  // namespace

void register_container_inspect(cli::CommandTable& t) {
    cli::Command c;
    c.path = "container inspect";
    c.use = "[options] CONTAINER [CONTAINER...]";
    c.short_help = "Display the configuration of a container";
    c.long_help = "Displays the low-level information on a container identified by name or ID.";
    c.examples = {"burrow container inspect myCtr", "burrow container inspect -l --format '{{.Id}} {{.Config.Labels}}'"};
    c.flags = {string_flag("format", 'f', "Format the output to a Go template or json", "json"),
               bool_flag("latest", 'l', "Act on the latest container podman is aware of"),
               bool_flag("size", 's', "Display total file size"), help_flag()};
    c.handler = container_inspect_cmd;
    t.add(c);
}

}  // namespace burrow::commands

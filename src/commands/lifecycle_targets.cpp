#include "src/commands/lifecycle_targets.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "src/commands/common.hpp"
#include "src/commands/container_filter.hpp"
#include "storage/store.hpp"

namespace burrow::commands {

namespace {

std::vector<ContainerView> all_views(storage::ContainerStore& containers) {
    std::vector<ContainerView> out;
    for (const auto& id : containers.ids()) {
        try {
            auto st = containers.state(id);
            if (auto c = containers.config(id)) out.push_back({std::move(*c), st});
        } catch (const Error&) {
            // Removed while we listed it.
        }
    }
    std::sort(out.begin(), out.end(), [](const ContainerView& a, const ContainerView& b) { return a.cfg.created < b.cfg.created; });
    return out;
}

}  // namespace

std::vector<Target> select_targets(storage::Store& store, const TargetQuery& q) {
    storage::ContainerStore containers(store);
    std::vector<Target> out;
    if (!q.filters.empty()) {
        auto filters = parse_container_filters(q.filters);
        auto views = all_views(containers);
        for (const auto& v : views) {
            if (!filter_matches(v, filters, views)) continue;
            // With names as well, only those given by full id or exact name (as Podman).
            if (!q.names.empty() &&
                std::none_of(q.names.begin(), q.names.end(), [&](const std::string& n) { return n == v.cfg.id || n == v.cfg.name; }))
                continue;
            out.push_back({v.cfg, v.cfg.id});
        }
        return out;
    }
    if (q.latest) {
        auto cfg = latest_container(store);
        out.push_back({cfg, cfg.id});
        return out;
    }
    if (q.all) {
        for (const auto& v : all_views(containers)) out.push_back({v.cfg, v.cfg.id});
        return out;
    }
    std::optional<Error> first;
    for (const auto& n : q.names) {
        try {
            out.push_back({find_container(store, n, q.missing_code), n});
        } catch (const Error& e) {
            bool missing = std::strstr(e.what(), "no such container") != nullptr;
            if (missing && q.ignore_missing) continue;
            if (!first) first = e;
        }
    }
    if (first) throw *first;
    return out;
}

std::vector<std::string> read_cidfiles(const std::vector<std::string>& files) {
    std::vector<std::string> ids;
    for (const auto& file : files) {
        auto text = read_file_if_exists(file);
        if (!text) throw Error("reading CIDFile: open " + file + ": no such file or directory");
        ids.push_back(text->substr(0, text->find('\n')));
    }
    return ids;
}

void check_all_and_cidfile(const cli::ParsedFlags& f, size_t nargs, bool cidfile_flag) {
    bool all = f.find_long("all") && f.get_bool("all");
    bool latest = f.find_long("latest") && f.get_bool("latest");
    bool cidfile = cidfile_flag && !f.get_list("cidfile").empty();
    if (f.find_long("filter") && f.changed("filter")) {
        if (nargs > 0) throw Error("--filter takes no arguments");
        return;
    }
    if (cidfile && (all || latest)) throw Error("--all, --latest, and --cidfile cannot be used together");
    if (all && latest) throw Error("--all and --latest cannot be used together");
    if (nargs > 0 && all) throw Error("no arguments are needed with --all");
    if (nargs > 0 && latest) throw Error("--latest and containers cannot be used together");
    if (nargs > 0 && cidfile) throw Error("no arguments are needed with --latest or --cidfile");
    if (cidfile) return;
    if (nargs < 1 && !all && !latest) throw Error("you must provide at least one name or id");
}

}  // namespace burrow::commands

// `ps` / `container ls|list|ps`: the containers of the store, as Podman 4.3 lists them.
#include <algorithm>
#include <chrono>
#include <thread>

#include "base/error.hpp"
#include "src/cli/print.hpp"
#include "src/commands/common.hpp"
#include "src/commands/container_filter.hpp"
#include "src/commands/container_view.hpp"
#include "src/commands/ps_extra.hpp"
#include "src/commands/register.hpp"
#include "src/output/format.hpp"
#include "storage/container_store.hpp"
#include "storage/store.hpp"

namespace burrow::commands {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;
using cli::Context;
using storage::Status;

namespace {

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The containers with their states. Without --all only running ones are wanted: their small
// state files are read first and the other configs are not parsed at all.
std::vector<ContainerView> load_all(storage::Store& store, bool only_running) {
    storage::ContainerStore containers(store);
    std::vector<ContainerView> out;
    for (const auto& id : containers.ids()) {
        try {
            auto st = containers.state(id);
            if (only_running && st.status != Status::running && st.status != Status::stopping) continue;
            if (auto c = containers.config(id)) out.push_back({std::move(*c), st});
        } catch (const Error&) {
            // Removed while we listed it.
        }
    }
    return out;
}

void sort_views(std::vector<const ContainerView*>& v, const std::string& by, int64_t now) {
    auto key = [&](const ContainerView& x) -> std::string {
        if (by == "command") return command_text(x.cfg, true);
        if (by == "id") return x.cfg.id;
        if (by == "image") return x.cfg.image_name;
        if (by == "names") return x.cfg.name;
        if (by == "status") return status_text(x.st, now);
        return "";
    };
    std::stable_sort(v.begin(), v.end(), [&](const ContainerView* a, const ContainerView* b) {
        if (by == "created" || by == "size") return a->cfg.created < b->cfg.created;
        if (by == "runningfor") return a->cfg.created > b->cfg.created;
        return key(*a) < key(*b);
    });
}

int ps_once(Context& ctx);

int ps_cmd(Context& ctx) {
    const auto& f = ctx.flags;
    static const std::vector<std::string> sorts = {"command", "created", "id",   "image",
                                                   "names",   "runningfor", "size", "status"};
    std::string sort = f.get_string("sort");
    if (!sort.empty() && std::find(sorts.begin(), sorts.end(), sort) == sorts.end())
        throw Error("invalid argument \"" + sort + "\" for \"--sort\" flag: \"" + sort +
                    "\" is not a valid value.  Choose from: \"command, created, id, image, names, runningfor, size, status\"\n"
                    "See '" + ctx.command_path + " --help'");
    if (f.get_bool("latest") && f.changed("last")) throw Error("last and latest are mutually exclusive");
    long long watch = f.get_int("watch");
    if (watch > 0 && f.get_bool("latest")) throw Error("the watch and latest flags cannot be used together");
    if (watch <= 0) return ps_once(ctx);
    for (;;) {  // --watch: the list again every N seconds, until interrupted
        ps_once(ctx);
        std::fflush(stdout);
        std::this_thread::sleep_for(std::chrono::seconds(watch));
    }
}

int ps_once(Context& ctx) {
    const auto& f = ctx.flags;
    std::string sort = f.get_string("sort");
    if (sort.empty()) sort = "created";
    long long last = f.get_int("last");
    if (f.get_bool("latest")) last = 1;
    ContainerFilters filters = parse_container_filters(f.get_list("filter"));
    bool all = f.get_bool("all") || last > 0 || filters.count("status");

    int64_t now = now_ns();
    // before=/since= name other containers, which may not be running.
    bool need_all = all || filters.count("before") || filters.count("since");
    auto views = load_all(ctx.store(), !need_all);
    // Newest first to cut --last, then the order asked for.
    std::stable_sort(views.begin(), views.end(),
                     [](const ContainerView& a, const ContainerView& b) { return a.cfg.created > b.cfg.created; });
    std::vector<const ContainerView*> shown;
    for (const auto& v : views) {
        if (!all && v.st.status != Status::running && v.st.status != Status::stopping) continue;
        if (!filter_matches(v, filters, views)) continue;
        shown.push_back(&v);
        if (last > 0 && static_cast<long long>(shown.size()) >= last) break;
    }
    sort_views(shown, sort, now);

    bool no_trunc = f.get_bool("no-trunc");
    std::string format = f.get_string("format");
    if (f.get_bool("quiet") && format.empty()) {  // an explicit --format wins over -q, as in Podman
        std::string out;
        for (const auto* v : shown) out += (no_trunc ? v->cfg.id : v->cfg.id.substr(0, 12)) + "\n";
        cli::print_out(out);
        return 0;
    }
    if (output::is_json_format(format)) {
        ojson arr = ojson::array();
        for (const auto* v : shown) arr.push_back(ps_json(*v, now));
        cli::print_out(output::go_json(arr, 4) + "\n");
        return 0;
    }
    bool ns = f.get_bool("ns"), size = f.get_bool("size"), pod = f.get_bool("pod");
    std::vector<json> rows;
    rows.reserve(shown.size());
    for (const auto* v : shown) {
        json row = ps_row(*v, no_trunc, now);
        row["Namespaces"] = namespaces_of(*v);
        if (size || format.find(".Size") != std::string::npos) row["Size"] = size_text(container_size(ctx.store(), *v));
        rows.push_back(std::move(row));
    }
    json headers = ps_headers();
    headers["Namespaces"] = {{"Cgroup", "CGROUPNS"}, {"IPC", "IPC"},      {"MNT", "MNT"}, {"NET", "NET"},
                             {"PIDNS", "PIDNS"},     {"User", "USERNS"}, {"UTS", "UTS"}};
    print_rows(format, ps_table(ns, size, pod), rows, headers, f.get_bool("noheading"), "ps", "containers.psReporter");
    return 0;
}

}  // namespace

void register_ps(cli::CommandTable& t) {
    if (!t.find("", "container")) {
        cli::Command group;
        group.path = "container";
        group.short_help = "Manage containers";
        t.add(group);
    }
    cli::Command ps;
    ps.path = "ps";
    ps.use = "[options]";
    ps.short_help = "List containers";
    ps.long_help = "Prints out information about the containers";
    ps.examples = {"burrow ps -a", "burrow ps -a --format \"{{.ID}}  {{.Image}}  {{.Labels}}  {{.Mounts}}\"",
                   "burrow ps --size --sort names"};
    ps.flags = {bool_flag("all", 'a', "Show all the containers, default is only running containers"),
                bool_flag("external", 0, "Show containers in storage not controlled by Podman"),
                slice_flag("filter", 'f', "Filter output based on conditions given"),
                string_flag("format", 0, "Pretty-print containers to JSON or using a Go template"),
                int_flag("last", 'n', "Print the n last created containers (all states)", "-1"),
                latest_flag(),
                bool_flag("no-trunc", 0, "Display the extended information"),
                bool_flag("noheading", 0, "Do not print headers"),
                bool_flag("ns", 0, "Display namespace information"),
                bool_flag("pod", 'p', "Print the ID and name of the pod the containers are associated with"),
                bool_flag("quiet", 'q', "Print the numeric IDs of the containers only"),
                bool_flag("size", 's', "Display the total file sizes"),
                placeholder(string_flag("sort", 0, "Sort output by: command, created, id, image, names, runningfor, size, status"),
                            "choice"),
                bool_flag("sync", 0, "Sync container state with OCI runtime"),
                uint_flag("watch", 'w', "Watch the ps output on an interval in seconds"),
                help_flag()};
    ps.max_args = 0;
    ps.handler = ps_cmd;
    t.add(ps);
    cli::Command ls = ps;
    ls.path = "container list";
    ls.aliases = {"ls", "ps"};
    t.add(ls);
}

}  // namespace burrow::commands

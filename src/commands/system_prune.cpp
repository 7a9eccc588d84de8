// `system prune` (stopped containers, unused volumes with --volumes, dangling or unused images,
// repeated until nothing more goes) and `system reset` (everything, then the store itself).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/strings.hpp"
#include "src/cli/print.hpp"
#include "src/commands/common.hpp"
#include "src/commands/container_view.hpp"
#include "src/commands/register.hpp"
#include "rootless/userns_holder.hpp"
#include "src/engine/lifecycle.hpp"
#include "storage/container_store.hpp"
#include "storage/store.hpp"
#include "storage/volume_store.hpp"

namespace burrow::commands {

using cli::Context;
using storage::Status;

namespace {

// Podman reads one line and looks at its first letter; EOF is an error.
bool ask(const std::string& question) {
    cli::print_out(question);
    std::fflush(stdout);
    std::string answer;
    if (!std::getline(std::cin, answer)) throw Error("EOF");
    return !answer.empty() && (answer[0] == 'y' || answer[0] == 'Y');
}

// --filter label=K[=V], label!=K[=V], until=TIME: what system prune hands its parts.
struct PruneFilter {
    std::vector<std::pair<std::string, bool>> labels;  // "k" or "k=v", negated
    std::optional<int64_t> until;                       // unix seconds

    static PruneFilter parse(const std::vector<std::string>& filters) {
        PruneFilter p;
        for (const auto& f : filters) {
            auto eq = f.find('=');
            if (eq == std::string::npos) throw Error("filter must be of the form key=value: " + f);
            std::string key = f.substr(0, eq), value = f.substr(eq + 1);
            if (key == "label") {
                p.labels.emplace_back(value, false);
            } else if (key == "label!") {
                p.labels.emplace_back(value, true);
            } else if (key == "until") {
                auto ns = parse_input_time(value, true, now_seconds() * 1000000000LL);
                if (!ns) throw Error("failed to parse value as time or duration: \"" + value + "\"");
                p.until = *ns / 1000000000LL;
            } else {
                throw Error(key + " is an invalid filter");
            }
        }
        return p;
    }

    bool keeps(const std::map<std::string, std::string>& have, int64_t created_s) const {
        for (const auto& [lf, negate] : labels) {
            auto eq = lf.find('=');
            auto it = have.find(lf.substr(0, eq));
            bool match = it != have.end() && (eq == std::string::npos || it->second == lf.substr(eq + 1));
            if (match == negate) return false;
        }
        return !until || created_s < *until;
    }
};

// logrus's error line, which system reset prints where Podman does.
void log_error(const std::string& msg) {
    std::fflush(stdout);
    std::fprintf(stderr, "ERRO[0000] %s\n", msg.c_str());
}

struct PruneReport {
    std::vector<std::string> containers, volumes, images;
    uint64_t reclaimed = 0;
};

uint64_t size_or_zero(const std::string& path) {
    try {
        return tree_size(path);
    } catch (const Error&) {
        return 0;  // parts owned by subordinate ids may not be readable here
    }
}

size_t prune_containers(storage::Store& store, const PruneFilter& pf, PruneReport& r) {
    storage::ContainerStore cs(store);
    size_t n = 0;
    for (const auto& c : cs.list()) {
        auto st = cs.state(c.id).status;
        if (st == Status::running || st == Status::stopping) continue;
        if (!pf.keeps(c.labels, c.created / 1000000000LL)) continue;
        try {
            engine::remove_container(store, c, false, 0);
            r.containers.push_back(c.id);
            ++n;
        } catch (const Error&) {
            // started or removed meanwhile
        }
    }
    return n;
}

size_t prune_volumes(storage::Store& store, const PruneFilter& pf, PruneReport& r) {
    storage::VolumeStore vs(store);
    size_t n = 0;
    for (const auto& v : vs.list()) {
        if (!vs.users(v.name).empty() || !pf.keeps(v.labels, v.created / 1000000000LL)) continue;
        r.reclaimed += size_or_zero(vs.data_dir(v.name));
        vs.remove(v.name);
        r.volumes.push_back(v.name);
        ++n;
    }
    return n;
}

size_t prune_images(storage::Store& store, bool all, const PruneFilter& pf, PruneReport& r) {
    auto lock = store.lock_exclusive();
    storage::ContainerStore cs(store);
    auto images = store.images();
    size_t n = 0;
    for (const auto& rec : images) {
        if (!all && !rec.names.empty()) continue;
        if (!cs.using_image(rec.id).empty()) continue;
        bool parent = std::any_of(images.begin(), images.end(), [&](const storage::ImageRecord& o) {
            return o.id != rec.id && o.layers.size() > rec.layers.size() && !rec.layers.empty() &&
                   std::equal(rec.layers.begin(), rec.layers.end(), o.layers.begin());
        });
        if (!all && parent) continue;  // an intermediate image, not a dangling one
        ImageView v = load_view(store, rec);
        std::map<std::string, std::string> labels;
        if (v.config.contains("config") && v.config["config"].is_object() && v.config["config"].contains("Labels") &&
            v.config["config"]["Labels"].is_object())
            for (auto it = v.config["config"]["Labels"].begin(); it != v.config["config"]["Labels"].end(); ++it)
                if (it->is_string()) labels[it.key()] = it->get<std::string>();
        if (!pf.keeps(labels, v.created)) continue;
        store.remove_image_record(rec.id);
        r.images.push_back(rec.id);
        r.reclaimed += rec.size;
        ++n;
    }
    store.remove_unused_layers();
    return n;
}

void print_section(const char* heading, const std::vector<std::string>& ids) {
    if (ids.empty()) return;
    std::string out = std::string(heading) + "\n";
    for (const auto& id : ids) out += id + "\n";
    cli::print_out(out);
}

int system_prune(Context& ctx) {
    bool all = ctx.flags.get_bool("all"), volumes = ctx.flags.get_bool("volumes");
    if (!ctx.flags.get_bool("force")) {
        std::string vol = volumes ? "\n\t- all volumes not used by at least one container" : "";
        std::string msg = "WARNING! This command removes:\n\t- all stopped containers\n"
                          "\t- all networks not used by at least one container" + vol + "\n" +
                          (all ? "\t- all images without at least one container associated with them\n\t- all build cache\n"
                               : "\t- all dangling images\n\t- all dangling build cache\n") +
                          "\nAre you sure you want to continue? [y/N] ";
        if (!ask(msg)) return 0;
    }
    PruneFilter pf = PruneFilter::parse(ctx.flags.get_list("filter"));
    storage::Store& store = ctx.store();
    PruneReport r;
    // Removing a container can leave an image or a volume unused: go round until nothing goes.
    for (;;) {
        size_t n = prune_containers(store, pf, r);
        if (volumes) n += prune_volumes(store, pf, r);
        n += prune_images(store, all, pf, r);
        if (n == 0) break;
    }
    print_section("Deleted Containers", r.containers);
    print_section("Deleted Volumes", r.volumes);
    print_section("Deleted Images", r.images);
    cli::print_out("Total reclaimed space: " + human_size(static_cast<double>(r.reclaimed), 4, "") + "\n");
    return 0;
}

int system_reset(Context& ctx) {
    if (!ctx.flags.get_bool("force")) {
        bool yes = false;
        try {
            const auto& so = ctx.store().options();
            yes = ask("WARNING! This will remove:\n        - all containers\n        - all pods\n        - all images\n"
                      "        - all networks\n        - all build cache\n        - all machines\n        - all volumes\n"
                      "        - the graphRoot directory: \"" + so.root + "\"\n"
                      "        - the runRoot directory: \"" + so.runroot + "\"\n"
                      "Are you sure you want to continue? [y/N] ");
        } catch (const Error& e) {
            log_error(e.what());
            return 1;
        }
        if (!yes) return 0;
    }
    storage::Store& store = ctx.store();
    storage::ContainerStore cs(store);
    for (const auto& c : cs.list()) {
        try {
            engine::remove_container(store, c, true, 0);
        } catch (const Error& e) {
            log_error(e.what());
        }
    }
    // Whatever is left (images, layers, volumes, records) goes with the store's directories; then
    // the holder of the shared user namespace (Podman's pause process) is ended.
    const auto& o = store.options();
    for (const auto& dir : {o.root, o.runroot}) {
        if (dir.empty() || !path_exists(dir)) continue;
        for (const auto& name : list_dir(dir)) {
            if (dir == o.runroot && name == "userns.json") continue;  // read below
            store.remove_owned_tree(dir + "/" + name);
        }
    }
    if (!o.runroot.empty()) {
        rootless::stop_shared_userns(o.runroot);
        ::unlink((o.runroot + "/userns.json").c_str());
    }
    return 0;
}

}  // namespace

void register_system_prune(cli::CommandTable& t) {
    cli::Command prune;
    prune.path = "system prune";
    prune.use = "[options]";
    prune.short_help = "Remove unused data";
    prune.long_help = "\n\tburrow system prune\n\n        Remove unused data\n";
    prune.examples = {"burrow system prune"};
    prune.flags = {bool_flag("all", 'a', "Remove all unused data"),
                   list_flag("filter", 0, "Provide filter values (e.g. 'label=<key>=<value>')"),
                   bool_flag("force", 'f', "Do not prompt for confirmation.  The default is false"),
                   bool_flag("volumes", 0, "Prune volumes"), help_flag()};
    prune.max_args = 0;
    prune.handler = system_prune;
    t.add(prune);

    cli::Command reset;
    reset.path = "system reset";
    reset.use = "[options]";
    reset.short_help = "Reset podman storage";
    reset.long_help = "Reset podman storage back to default state\n\n  All containers will be stopped and removed, and all "
                      "images, volumes, networks and container content will be removed.\n";
    reset.flags = {bool_flag("force", 'f', "Do not prompt for confirmation"), help_flag()};
    reset.max_args = 0;
    reset.handler = system_reset;
    t.add(reset);
}

}  // namespace burrow::commands

// `tag`, `untag`, `rmi` / `image rm`, `image prune`: changes to image names and records.
#include <algorithm>

#include "base/error.hpp"
#include "src/engine/events.hpp"
#include "base/strings.hpp"
#include "src/cli/print.hpp"
#include "src/commands/common.hpp"
#include "src/commands/image_filter.hpp"
#include "src/commands/register.hpp"
#include "src/engine/lifecycle.hpp"
#include "storage/container_store.hpp"
#include "storage/store.hpp"

namespace burrow::commands {

using cli::Context;
using storage::ImageRecord;

// Podman's rmi exit codes: 1 when an image is not known, 2 when one is in use.
constexpr int kExitNoSuchImage = 1;
constexpr int kExitImageInUse = 2;

namespace {

void erase(std::vector<std::string>& v, const std::string& s) { v.erase(std::remove(v.begin(), v.end(), s), v.end()); }

ImageRecord find_or_throw(const storage::Store& store, const std::string& name) {
    auto rec = store.find_image(name);
    if (!rec) throw Error(name + ": image not known");
    return *rec;
}

int tag_cmd(Context& ctx) {
    std::vector<std::string> names;
    for (size_t i = 1; i < ctx.args.size(); ++i) names.push_back(normalize_tag_name(ctx.args[i]));
    storage::Store& store = ctx.store();
    auto lock = store.lock_exclusive();
    ImageRecord rec = find_or_throw(store, ctx.args[0]);
    for (const auto& name : names) {
        // A name belongs to one image: take it from whichever image has it now.
        for (auto other : store.images()) {
            if (other.id == rec.id) continue;
            if (std::find(other.names.begin(), other.names.end(), name) == other.names.end()) continue;
            std::vector<std::string> rest = other.names;
            erase(rest, name);
            storage::set_image_names(other, rest);
            store.put_image(other);
        }
        // New names go last, as containers/storage's AddNames does.
        std::vector<std::string> all = rec.names;
        all.push_back(name);
        storage::set_image_names(rec, all);
        store.put_image(rec);
        engine::image_event(store, "tag", rec.id, name);
    }
    return 0;
}

int untag_cmd(Context& ctx) {
    std::vector<std::string> names;
    for (size_t i = 1; i < ctx.args.size(); ++i) names.push_back(normalize_tag_name(ctx.args[i], true));
    storage::Store& store = ctx.store();
    auto lock = store.lock_exclusive();
    ImageRecord rec = find_or_throw(store, ctx.args[0]);
    if (ctx.args.size() == 1) names = rec.names;  // no name: every one, one after the other as Podman does
    for (const auto& name : names) {
        if (std::find(rec.names.begin(), rec.names.end(), name) == rec.names.end())
            throw Error(name + ": tag not known");
        std::vector<std::string> rest = rec.names;
        erase(rest, name);
        storage::set_image_names(rec, rest);
        store.put_image(rec);
        engine::image_event(store, "untag", rec.id, name);
    }
    return 0;
}

// True when `ref` names the image by (a prefix of) its id rather than by one of its names.
bool by_id(const ImageRecord& rec, const std::string& ref) {
    std::string r = ref.rfind("sha256:", 0) == 0 ? ref.substr(7) : ref;
    return r.size() >= 3 && rec.id.rfind(r, 0) == 0;
}

// Which of the image's names `ref` (as find_image resolved it) stands for.
std::string matched_name(const ImageRecord& rec, const std::string& ref) {
    size_t slash = ref.rfind('/');
    bool has_tag = ref.find('@') != std::string::npos ||
                   ref.find(':', slash == std::string::npos ? 0 : slash) != std::string::npos;
    std::string r = has_tag ? ref : ref + ":latest";
    for (const auto& n : rec.names)
        if (n == r || (n.size() > r.size() && n.compare(n.size() - r.size(), r.size(), r) == 0 && n[n.size() - r.size() - 1] == '/'))
            return n;
    return rec.names.front();
}

// rmi -f removes the stopped containers that use the images it removes, as Podman does (running
// ones keep their image: rmi then reports it in use). Done before rmi takes the store lock, since
// a container's lock comes before the store's.
void remove_stopped_users(storage::Store& store, const std::vector<std::string>& refs, bool all) {
    std::vector<std::string> ids;
    if (all) {
        for (const auto& rec : store.images()) ids.push_back(rec.id);
    } else {
        for (const auto& ref : refs)
            if (auto rec = store.find_image(ref)) ids.push_back(rec->id);
    }
    storage::ContainerStore containers(store);
    for (const auto& id : ids)
        for (const auto& c : containers.using_image(id)) {
            auto st = containers.state(c.id).status;
            if (st == storage::Status::running || st == storage::Status::stopping) continue;
            try {
                engine::remove_container(store, c, false, 0);
            } catch (const Error&) {
                // Started again meanwhile: rmi reports the image in use.
            }
        }
}

int rmi_cmd(Context& ctx) {
    const auto& f = ctx.flags;
    bool all = f.get_bool("all"), force = f.get_bool("force");
    if (all && !ctx.args.empty()) throw Error("when using the --all switch, you may not pass any images names or IDs");
    if (!all && ctx.args.empty()) throw Error("image name or ID must be specified");
    storage::Store& store = ctx.store();
    if (force) remove_stopped_users(store, ctx.args, all);
    auto lock = store.lock_exclusive();
    storage::ContainerStore containers(store);
    std::vector<std::string> errors;
    int exit_code = 0;
    std::string out;
    auto remove_whole = [&](const ImageRecord& rec) {
        if (auto users = containers.using_image(rec.id); !users.empty()) {
            errors.push_back("image used by " + users.front().id +
                             ": image is in use by a container: consider listing external containers and "
                             "force-removing image");
            if (!exit_code) exit_code = kExitImageInUse;
            return;
        }
        for (const auto& n : rec.names) out += "Untagged: " + n + "\n";
        store.remove_image_record(rec.id);
        engine::image_event(store, "remove", rec.id, rec.names.empty() ? rec.id : rec.names.front());
        out += "Deleted: " + rec.id + "\n";
    };
    if (all) {
        for (const auto& rec : store.images()) remove_whole(rec);
    }
    for (const auto& ref : ctx.args) {
        auto rec = store.find_image(ref);
        if (!rec) {
            if (!force) {
                errors.push_back(ref + ": image not known");
                exit_code = kExitNoSuchImage;
            }
            continue;
        }
        if (!by_id(*rec, ref) && rec->names.size() > 1) {
            // A name of a multi-named image: only that name goes.
            std::string name = matched_name(*rec, ref);
            std::vector<std::string> rest = rec->names;
            erase(rest, name);
            storage::set_image_names(*rec, rest);
            store.put_image(*rec);
            engine::image_event(store, "untag", rec->id, name);
            out += "Untagged: " + name + "\n";
            continue;
        }
        if (by_id(*rec, ref) && rec->names.size() > 1 && !force) {
            errors.push_back("unable to delete image \"" + rec->id + "\" by ID with more than one tag ([" +
                             join(rec->names, " ") + "]): please force removal");
            if (!exit_code) exit_code = kExitEngine;
            continue;
        }
        remove_whole(*rec);
    }
    store.remove_unused_layers();
    cli::print_out(out);
    if (!errors.empty()) throw Error(combine_errors(errors), exit_code ? exit_code : kExitEngine);
    return 0;
}

int prune_cmd(Context& ctx) {
    bool all = ctx.flags.get_bool("all");
    if (!ctx.flags.get_bool("force")) {
        std::string what = all ? "all images not in use by containers" : "all dangling images";
        if (!confirm("WARNING! This command removes " + what + ".\nAre you sure you want to continue?")) return 0;
    }
    storage::Store& store = ctx.store();
    // --filter: libimage's image filters (label, until, ...) narrow what is pruned.
    ImageFilterEnv env;
    env.now_ns = now_seconds() * 1000000000LL;
    env.created_of = [](const std::string&) -> std::optional<int64_t> { return std::nullopt; };
    ImageFilter filter = ImageFilter::compile(ctx.flags.get_list("filter"), env);
    auto lock = store.lock_exclusive();
    storage::ContainerStore containers(store);
    std::string out;
    for (const auto& rec : store.images()) {
        if (!all && !rec.names.empty()) continue;
        if (!containers.using_image(rec.id).empty()) continue;
        if (!filter.empty() && !filter.matches(load_view(store, rec), ImageFacts{})) continue;
        store.remove_image_record(rec.id);
        out += rec.id + "\n";
    }
    store.remove_unused_layers();
    cli::print_out(out);
    return 0;
}

}  // namespace

void register_image_manage(cli::CommandTable& t) {
    cli::Command tag;
    tag.path = "tag";
    tag.use = "IMAGE TARGET_NAME [TARGET_NAME...]";
    tag.short_help = "Add an additional name to a local image";
    tag.long_help = "Adds one or more additional names to locally-stored image.";
    tag.examples = {"burrow tag 0e3bbc2 fedora:latest", "burrow tag imageID:latest myNewImage:newTag"};
    tag.flags = {help_flag()};
    tag.min_args = 2;
    tag.handler = tag_cmd;
    t.add(tag);
    tag.path = "image tag";
    t.add(tag);

    cli::Command untag;
    untag.path = "untag";
    untag.use = "IMAGE [IMAGE...]";
    untag.short_help = "Remove a name from a local image";
    untag.long_help = "Removes one or more names from a locally-stored image.";
    untag.flags = {help_flag()};
    untag.min_args = 1;
    untag.handler = untag_cmd;
    t.add(untag);
    untag.path = "image untag";
    t.add(untag);

    cli::Command rmi;
    rmi.path = "rmi";
    rmi.use = "[options] IMAGE [IMAGE...]";
    rmi.short_help = "Removes one or more images from local storage";
    rmi.long_help = "Removes one or more previously pulled or locally created images.";
    rmi.flags = {bool_flag("all", 'a', "Remove all images"),
                 bool_flag("force", 'f', "Force Removal of the image"),
                 bool_flag("ignore", 'i', "Ignore errors if a specified image does not exist"),
                 bool_flag("no-prune", 0, "Do not remove dangling images"), help_flag()};
    rmi.handler = [](Context& ctx) {
        if (ctx.flags.get_bool("ignore")) ctx.flags.set("force", "true");
        return rmi_cmd(ctx);
    };
    t.add(rmi);
    rmi.path = "image rm";
    rmi.aliases = {"remove"};
    t.add(rmi);

    cli::Command prune;
    prune.path = "image prune";
    prune.use = "[options]";
    prune.short_help = "Remove unused images";
    prune.long_help = "Removes dangling or unused images from local storage.";
    // burrow's store has no external (build) containers: --external changes nothing.
    prune.flags = {bool_flag("all", 'a', "Remove all images not in use by containers, not just dangling ones"),
                   bool_flag("external", 0, "Remove images even when they are used by external containers (e.g., by build containers)"),
                   list_flag("filter", 0, "Provide filter values (e.g. 'label=<key>=<value>')"),
                   bool_flag("force", 'f', "Do not prompt for confirmation"), help_flag()};
    prune.max_args = 0;
    prune.handler = prune_cmd;
    t.add(prune);
}

}  // namespace burrow::commands

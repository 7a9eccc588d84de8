// `images` / `image ls`, `image inspect`, and the generic `inspect` (containers, then images).
#include <algorithm>
#include <map>
#include <set>

#include "base/error.hpp"
#include "base/strings.hpp"
#include "src/cli/print.hpp"
#include "src/commands/common.hpp"
#include "src/commands/container_inspect.hpp"
#include "src/commands/container_view.hpp"
#include "src/commands/image_filter.hpp"
#include "src/commands/register.hpp"
#include "src/output/format.hpp"
#include "src/output/template.hpp"
#include "storage/container_store.hpp"
#include "storage/store.hpp"

namespace burrow::commands {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;
using cli::Context;

namespace {

// Podman's default table: --digests adds DIGEST, --history adds HISTORY.
std::string default_table(bool digests, bool history) {
    std::string t = "{{.Repository}}\t{{.Tag}}\t";
    if (digests) t += "{{.Digest}}\t";
    t += "{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
    if (history) t += "\t{{if .History}}{{.History}}{{else}}<none>{{end}}";
    return t + "\n";
}

std::vector<ImageView> sorted_views(storage::Store& store) {
    auto lock = store.lock_shared();
    std::map<std::string, int> users;  // image id -> containers using it (the Containers field)
    for (const auto& c : storage::ContainerStore(store).list()) ++users[c.image_id];
    std::vector<ImageView> views;
    for (const auto& rec : store.images()) {
        views.push_back(load_view(store, rec));
        views.back().containers = users[rec.id];
    }
    std::stable_sort(views.begin(), views.end(), [](const ImageView& a, const ImageView& b) {
        return a.created != b.created ? a.created > b.created : a.rec.id < b.rec.id;
    });
    return views;
}

// Children per image (libimage's layer tree), for the dangling and intermediate filters.
std::vector<ImageFacts> image_facts(const std::vector<ImageView>& views) {
    std::vector<ImageFacts> facts(views.size());
    for (size_t i = 0; i < views.size(); ++i)
        for (const auto& other : views)
            if (image_is_child(views[i].rec, other.rec)) facts[i].has_children = true;
    return facts;
}

std::vector<ImageView> filtered_views(storage::Store& store, const std::vector<std::string>& filters) {
    std::vector<ImageView> all = sorted_views(store);
    ImageFilterEnv env;
    env.now_ns = now_seconds() * 1000000000LL;
    env.created_of = [&](const std::string& ref) -> std::optional<int64_t> {
        auto lock = store.lock_shared();
        auto rec = store.find_image(ref);
        if (!rec) return std::nullopt;
        for (const auto& v : all)
            if (v.rec.id == rec->id) return v.created;
        return std::nullopt;
    };
    ImageFilter filter = ImageFilter::compile(filters, env);
    auto facts = image_facts(all);
    std::vector<ImageView> out;
    for (size_t i = 0; i < all.size(); ++i)
        if (filter.matches(all[i], facts[i])) out.push_back(std::move(all[i]));
    return out;
}

int images_cmd(Context& ctx) {
    const auto& f = ctx.flags;
    std::vector<std::string> filters = f.get_list("filter");
    if (!filters.empty() && !ctx.args.empty()) throw Error("cannot specify an image and a filter(s)");
    if (!ctx.args.empty()) filters.push_back("reference=" + ctx.args[0]);
    // Without --all, intermediate images (untagged ones other images build on) are left out.
    if (!f.get_bool("all")) filters.push_back("intermediate=false");
    std::string sort = f.get_string("sort");
    static const std::set<std::string> sorts = {"created", "id", "repository", "size", "tag"};
    if (!sorts.count(sort))
        throw Error("\"" + sort + "\" is not a valid field for sorting. Choose from: created, id, repository, size, tag");

    std::vector<ImageView> views = filtered_views(ctx.store(), filters);

    bool no_trunc = f.get_bool("no-trunc");
    std::string format = f.get_string("format");
    if (f.get_bool("quiet")) {
        std::set<std::string> seen;
        std::string out;
        for (const auto& v : views)
            if (seen.insert(v.rec.id).second) out += short_id(v.rec.id, no_trunc) + "\n";
        cli::print_out(out);
        return 0;
    }
    if (output::is_json_format(format)) {
        ojson arr = ojson::array();
        // One entry per row of the table, as Podman's writeJSON does (an image with two tags twice).
        RowOptions ro{no_trunc, now_seconds()};
        for (const auto& v : views)
            for (size_t n = image_rows(v, ro).size(); n > 0; --n) arr.push_back(image_summary_json(v));
        cli::print_out(output::go_json(arr, 4) + "\n");
        return 0;
    }
    RowOptions ro{no_trunc, now_seconds()};
    std::vector<json> rows;
    for (const auto& v : views)
        for (auto& r : image_rows(v, ro)) rows.push_back(std::move(r));
    if (sort != "created") {
        auto key = [&](const json& r) -> std::string {
            if (sort == "id") return r["Id"];
            if (sort == "repository") return r["Repository"];
            if (sort == "tag") return r["Tag"];
            return "";
        };
        std::stable_sort(rows.begin(), rows.end(), [&](const json& a, const json& b) {
            if (sort == "size") return a["VirtualSize"].get<uint64_t>() < b["VirtualSize"].get<uint64_t>();
            return key(a) < key(b);
        });
    }
    print_rows(format, default_table(f.get_bool("digests"), f.get_bool("history")), rows, image_row_headers(),
               f.get_bool("noheading"), "images", "images.imageReporter");
    return 0;
}

GraphPaths graph_paths(const storage::Store& store, const storage::ImageRecord& rec) {
    GraphPaths g;
    if (rec.layers.empty()) return g;
    g.upper_dir = store.layer_diff_dir(rec.layers.back());
    for (size_t i = rec.layers.size() - 1; i-- > 0;) g.lower_dirs.push_back(store.layer_diff_dir(rec.layers[i]));
    return g;
}

// `inspect` (containers first, then images, as Podman's type "all" looks them up) and
// `image inspect` differ only in what they look up and in the error text.
int inspect_images(Context& ctx, bool generic) {
    const auto& f = ctx.flags;
    std::string type = generic ? f.get_string("type") : "image";
    if (type != "all" && type != "image" && type != "container")
        throw Error("invalid type \"" + type + "\": must be \"image\", \"container\", \"pod\", \"network\", \"volume\", or \"all\"");
    storage::Store& store = ctx.store();
    std::vector<std::pair<ojson, const char*>> found;
    std::string missing;
    {
        auto lock = store.lock_shared();
        for (const auto& name : ctx.args) {
            if (type != "image")
                if (auto c = inspect_container(store, name)) {
                    found.emplace_back(std::move(*c), "*define.InspectContainerData");
                    continue;
                }
            std::optional<storage::ImageRecord> rec;
            if (type != "container") rec = store.find_image(name);
            if (!rec) {
                if (missing.empty()) {
                    if (type == "all") missing = "no such object: \"" + name + "\"";
                    else if (type == "container") missing = "no such container " + name;
                    else if (auto why = image_name_error(name); !why.empty()) missing = why;
                    else missing = name + ": image not known";
                }
                continue;
            }
            found.emplace_back(image_inspect_json(load_view(store, *rec), graph_paths(store, *rec)),
                               "*entities.ImageInspectReport");
        }
    }
    std::string format = f.get_string("format");
    if (format.empty() || output::is_json_format(format)) {
        ojson arr = ojson::array();
        for (auto& j : found) arr.push_back(std::move(j.first));
        cli::print_out(output::go_json(arr, 5) + "\n");
    } else {
        output::ParsedFormat pf = output::parse_format(inspect_normalize(format, type == "image"), "");
        output::Template t("inspect", pf.body);
        std::string out, print_error;
        try {
            for (const auto& j : found)
                out += t.execute(std::string(j.second) == "*define.InspectContainerData"
                                     ? container_template_data(j.first)
                                     : with_go_times(j.first, {{"Created"}}),
                                 j.second);
        } catch (const Error& e) {
            print_error = e.what();
        }
        finish_inspect(out, missing, print_error);
        return 0;
    }
    finish_inspect("", missing, "");
    return 0;
}

std::vector<cli::FlagSpec> images_flags() {
    return {bool_flag("all", 'a', "Show all images (default hides intermediate images)"),
            bool_flag("digests", 0, "Show digests"),
            slice_flag("filter", 'f', "Filter output based on conditions provided (default [])"),
            string_flag("format", 0, "Change the output format to JSON or a Go template"),
            bool_flag("history", 0, "Display the image name history"),
            bool_flag("no-trunc", 0, "Do not truncate output"),
            bool_flag("notruncate", 0, "Do not truncate output", true),
            bool_flag("noheading", 'n', "Do not print column headings"),
            bool_flag("quiet", 'q', "Display only image IDs"),
            string_flag("sort", 0, "Sort by created, id, repository, size, tag", "created"),
            help_flag()};
}

}  // namespace

void register_images(cli::CommandTable& t) {
    cli::Command images;
    images.path = "images";
    images.use = "[options] [IMAGE]";
    images.short_help = "List images in local storage";
    images.long_help = "Lists images previously pulled to the system or created on the system.";
    images.examples = {"burrow images --format json",
                       "burrow images --sort repository --format \"table {{.ID}} {{.Repository}} {{.Tag}}\"",
                       "burrow images --filter dangling=true"};
    images.flags = images_flags();
    images.max_args = 1;
    images.handler = [](Context& ctx) {
        if (ctx.flags.get_bool("notruncate")) ctx.flags.set("no-trunc", "true");
        return images_cmd(ctx);
    };
    cli::Command ls = images;
    ls.path = "image list";
    ls.aliases = {"ls"};
    t.add(images);
    t.add(ls);

    cli::Command inspect;
    inspect.path = "inspect";
    inspect.use = "[options] {CONTAINER|IMAGE|POD|NETWORK|VOLUME} [...]";
    inspect.short_help = "Display the configuration of object denoted by ID";
    inspect.long_help = "Displays the low-level information on an object identified by name or ID.";
    inspect.flags = {string_flag("format", 'f', "Format the output to a Go template or json", "json"),
                     latest_flag(),
                     string_flag("type", 't', "Specify inspect-object type (\"image\", \"container\", \"all\")", "all"),
                     bool_flag("size", 's', "Display total file size"), help_flag()};
    inspect.handler = [](Context& ctx) {
        if (ctx.flags.get_bool("latest")) {  // the newest container, as `container inspect -l`
            if (!ctx.args.empty()) throw Error("--latest and containers cannot be used together");
            if (storage::ContainerStore(ctx.store()).list().empty()) {
                cli::print_out("[]\n");
                throw Error("inspecting object: no containers to inspect: no such container");
            }
            ctx.args = {latest_container(ctx.store()).id};
        }
        if (ctx.args.empty()) throw Error("no names or ids specified");
        return inspect_images(ctx, true);
    };
    t.add(inspect);

    cli::Command iinspect;
    iinspect.path = "image inspect";
    iinspect.use = "[options] IMAGE [IMAGE...]";
    iinspect.short_help = "Display the configuration of an image";
    iinspect.long_help = "Displays the low-level information of an image identified by name or ID.";
    iinspect.flags = {string_flag("format", 'f', "Format the output to a Go template or json", "json"), help_flag()};
    iinspect.min_args = 1;
    iinspect.handler = [](Context& ctx) { return inspect_images(ctx, false); };
    t.add(iinspect);
}

}  // namespace burrow::commands

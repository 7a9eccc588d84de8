// `system df`, `info` / `system info`, `version` / `system version`.
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
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
#include "storage/container_store.hpp"
#include "storage/store.hpp"
#include "storage/volume_store.hpp"

#ifndef BURROW_VERSION
#define BURROW_VERSION "0.0.0"
#endif

namespace burrow::commands {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;
using cli::Context;

namespace {

// ---- system df ----

std::string reclaimable_text(uint64_t reclaimable, uint64_t total) {
    long pct = total ? std::lround(100.0 * static_cast<double>(reclaimable) / static_cast<double>(total)) : 0;
    return output::human_size_compact(static_cast<double>(reclaimable)) + " (" + std::to_string(pct) + "%)";
}

std::string size_text(uint64_t n) { return output::human_size_compact(static_cast<double>(n)); }

// The bytes of the regular files under `dir` (Podman's du of a volume or a container's layer);
// what cannot be read counts nothing.
uint64_t apparent_size(const std::string& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    uint64_t total = 0;
    fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
        std::error_code e2;
        if (it->is_regular_file(e2) && !it->is_symlink(e2)) total += it->file_size(e2);
    }
    return total;
}

struct DfData {
    std::vector<storage::ImageRecord> images;
    std::map<std::string, uint64_t> image_size;       // id -> bytes of its layers
    std::map<std::string, size_t> image_users;        // id -> containers
    struct Ctr {
        storage::ContainerConfig cfg;
        storage::Status status;
        uint64_t size;
        size_t volumes;
    };
    std::vector<Ctr> containers;
    struct Vol {
        std::string name;
        size_t links;
        uint64_t size;
    };
    std::vector<Vol> volumes;
};

DfData df_data(storage::Store& store) {
    DfData d;
    std::vector<storage::LayerRecord> layers;
    {
        auto lock = store.lock_shared();
        d.images = store.images();
        layers = store.layers();
    }
    std::map<std::string, uint64_t> layer_size;
    for (const auto& l : layers) layer_size[l.id] = l.uncompressed_size;
    for (const auto& i : d.images) {
        uint64_t n = 0;
        for (const auto& l : i.layers) n += layer_size[l];
        d.image_size[i.id] = n;
    }
    storage::ContainerStore cs(store);
    std::map<std::string, size_t> volume_links;
    for (auto& c : cs.list()) {
        size_t vols = 0;
        for (const auto& m : c.mounts)
            if (m.type == "volume") {
                ++vols;
                ++volume_links[m.source];
            }
        ++d.image_users[c.image_id];
        auto st = cs.state(c.id).status;
        uint64_t size = apparent_size(cs.upper_dir(c.id));
        d.containers.push_back({std::move(c), st, size, vols});
    }
    storage::VolumeStore vs(store);
    for (const auto& v : vs.list()) d.volumes.push_back({v.name, volume_links[v.name], apparent_size(vs.data_dir(v.name))});
    return d;
}

std::string df_verbose(storage::Store& store, const DfData& d) {
    int64_t now = now_seconds();
    auto since = [&](int64_t created_s) {
        std::string s = human_duration_ago(now - created_s);
        if (s.size() > 4 && s.compare(s.size() - 4, 4, " ago") == 0) s.resize(s.size() - 4);
        return s;
    };
    std::string out = "Images space usage:\n\n";
    std::string t = "REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\tSHARED SIZE\tUNIQUE SIZE\tCONTAINERS\n";
    RowOptions ro{false, now};
    {
        auto lock = store.lock_shared();
        for (const auto& rec : d.images) {
            auto users = d.image_users.count(rec.id) ? d.image_users.at(rec.id) : 0;
            std::string size = size_text(d.image_size.at(rec.id));
            for (auto& r : image_rows(load_view(store, rec), ro)) {
                std::string created = r["CreatedSince"];
                if (created.size() > 4 && created.compare(created.size() - 4, 4, " ago") == 0) created.resize(created.size() - 4);
                t += r["Repository"].get<std::string>() + "\t" + r["Tag"].get<std::string>() + "\t" + rec.id.substr(0, 12) +
                     "\t" + created + "\t" + size + "\t0B\t" + size + "\t" + std::to_string(users) + "\n";
            }
        }
    }
    out += output::tabwrite(t);
    out += "\nContainers space usage:\n\n";
    t = "CONTAINER ID\tIMAGE\tCOMMAND\tLOCAL VOLUMES\tSIZE\tCREATED\tSTATUS\tNAMES\n";
    for (const auto& c : d.containers) {
        std::vector<std::string> argv = c.cfg.entrypoint;
        argv.insert(argv.end(), c.cfg.cmd.begin(), c.cfg.cmd.end());
        t += c.cfg.id.substr(0, 12) + "\t" + c.cfg.image_id.substr(0, 12) + "\t" + join(argv, " ") + "\t" +
             std::to_string(c.volumes) + "\t" + size_text(c.size) + "\t" + since(c.cfg.created / 1000000000LL) + "\t" +
             storage::status_name(c.status) + "\t" + c.cfg.name + "\n";
    }
    out += output::tabwrite(t);
    out += "\nLocal Volumes space usage:\n\n";
    t = "VOLUME NAME\tLINKS\tSIZE\n";
    for (const auto& v : d.volumes) t += v.name + "\t" + std::to_string(v.links) + "\t" + size_text(v.size) + "\n";
    out += output::tabwrite(t);
    return out;
}

int df_cmd(Context& ctx) {
    storage::Store& store = ctx.store();
    DfData d = df_data(store);
    std::string format = ctx.flags.get_string("format");
    if (ctx.flags.get_bool("verbose")) {
        // Podman ignores --format with --verbose.
        cli::print_out(df_verbose(store, d));
        return 0;
    }
    struct Row {
        const char* type;
        size_t total = 0, active = 0;
        uint64_t size = 0, reclaimable = 0;
    };
    Row img{"Images"}, ctr{"Containers"}, vol{"Local Volumes"};
    std::set<std::string> used_layers, free_layers;
    for (const auto& i : d.images) {
        ++img.total;
        bool used = d.image_users.count(i.id) > 0;
        if (used) ++img.active;
        for (const auto& l : i.layers) (used ? used_layers : free_layers).insert(l);
    }
    // Layers shared by several images count once; those of images no container uses are reclaimable.
    {
        std::map<std::string, uint64_t> layer_size;
        auto lock = store.lock_shared();
        for (const auto& l : store.layers()) layer_size[l.id] = l.uncompressed_size;
        for (const auto& l : used_layers) img.size += layer_size[l];
        for (const auto& l : free_layers)
            if (!used_layers.count(l)) {
                img.size += layer_size[l];
                img.reclaimable += layer_size[l];
            }
    }
    for (const auto& c : d.containers) {
        ++ctr.total;
        ctr.size += c.size;
        bool running = c.status == storage::Status::running || c.status == storage::Status::stopping;
        if (running) ++ctr.active;
        else ctr.reclaimable += c.size;
    }
    for (const auto& v : d.volumes) {
        ++vol.total;
        vol.size += v.size;
        if (v.links) ++vol.active;
        else vol.reclaimable += v.size;
    }
    std::vector<Row> rows = {img, ctr, vol};
    if (output::is_json_format(format)) {
        ojson arr = ojson::array();
        for (const auto& r : rows)
            arr.push_back({{"Type", r.type},
                           {"Total", r.total},
                           {"Active", r.active},
                           {"RawSize", r.size},
                           {"RawReclaimable", r.reclaimable},
                           {"Size", size_text(r.size)},
                           {"Reclaimable", reclaimable_text(r.reclaimable, r.size)}});
        cli::print_out(output::go_json(arr, 4) + "\n");
        return 0;
    }
    std::vector<json> jrows;
    for (const auto& r : rows)
        jrows.push_back({{"Type", r.type},
                         {"Total", r.total},
                         {"Active", r.active},
                         {"Size", size_text(r.size)},
                         {"Reclaimable", reclaimable_text(r.reclaimable, r.size)},
                         {"RawSize", r.size},
                         {"RawReclaimable", r.reclaimable}});
    json headers = output::header_row({"Type", "Total", "Active", "Size", "Reclaimable", "RawSize", "RawReclaimable"}, {});
    print_rows(format, "{{.Type}}\t{{.Total}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}\n", jrows, headers, false, "df",
               "*system.dfSummary");
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

    register_system_info(t);
}

}  // namespace burrow::commands

#include "src/commands/common.hpp"

#include <algorithm>
#include <ctime>
#include <iostream>

#include "base/error.hpp"
#include "base/strings.hpp"
#include "pull/reference.hpp"
#include "src/cli/print.hpp"
#include "src/output/format.hpp"
#include "storage/store.hpp"

namespace burrow::commands {

using json = nlohmann::json;

int64_t now_seconds() { return static_cast<int64_t>(std::time(nullptr)); }

ImageView load_view(const storage::Store& store, const storage::ImageRecord& rec) {
    std::string config = store.get_blob("sha256:" + rec.id).value_or("{}");
    std::string manifest = rec.digest.empty() ? "{}" : store.get_blob(rec.digest).value_or("{}");
    return make_view(rec, config, manifest);
}

void print_rows(const std::string& format, const std::string& default_table, const std::vector<json>& rows,
                const json& headers, bool noheading, const std::string& template_name, const std::string& type_name) {
    output::ParsedFormat f = output::parse_format(format, default_table);
    cli::print_out(output::render_rows(f, rows, headers, noheading, template_name, type_name));
}

cli::FlagSpec bool_flag(const std::string& name, char shorthand, const std::string& usage, bool hidden) {
    return {name, shorthand, cli::FlagType::Bool, "false", usage, hidden, ""};
}
cli::FlagSpec string_flag(const std::string& name, char shorthand, const std::string& usage, const std::string& def) {
    return {name, shorthand, cli::FlagType::String, def, usage, false, ""};
}
cli::FlagSpec list_flag(const std::string& name, char shorthand, const std::string& usage) {
    return {name, shorthand, cli::FlagType::StringList, "", usage, false, ""};
}

cli::FlagSpec int_flag(const std::string& name, char shorthand, const std::string& usage, const std::string& def) {
    return {name, shorthand, cli::FlagType::Int, def, usage, false, ""};
}
cli::FlagSpec uint_flag(const std::string& name, char shorthand, const std::string& usage, const std::string& def) {
    return {name, shorthand, cli::FlagType::Uint, def, usage, false, ""};
}
cli::FlagSpec slice_flag(const std::string& name, char shorthand, const std::string& usage) {
    return {name, shorthand, cli::FlagType::StringSlice, "", usage, false, ""};
}
cli::FlagSpec count_flag(const std::string& name, char shorthand, const std::string& usage) {
    return {name, shorthand, cli::FlagType::Count, "0", usage, false, ""};
}
cli::FlagSpec latest_flag() { return bool_flag("latest", 'l', "Act on the latest container podman is aware of"); }
cli::FlagSpec placeholder(cli::FlagSpec f, const std::string& value_name) {
    f.value_name = value_name;
    return f;
}
cli::FlagSpec hidden_flag(cli::FlagSpec f) {
    f.hidden = true;
    return f;
}

storage::ContainerConfig latest_container(const storage::Store& store) {
    storage::ContainerStore containers(const_cast<storage::Store&>(store));
    auto all = containers.list();
    if (all.empty()) throw Error("no such container");
    return *std::max_element(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.created < b.created; });
}

storage::ContainerConfig find_container(const storage::Store& store, const std::string& ref, int exit_code) {
    storage::ContainerStore containers(const_cast<storage::Store&>(store));
    auto c = containers.find(ref);
    if (!c) throw Error("no container with name or ID \"" + ref + "\" found: no such container", exit_code);
    return *c;
}

std::string combine_errors(const std::vector<std::string>& errs) {
    if (errs.size() == 1) return errs[0];
    std::string r = std::to_string(errs.size()) + " errors occurred:";
    for (const auto& e : errs) r += "\n\t* " + e;
    return r;
}

std::string normalize_tag_name(const std::string& name, bool untag) {
    if (name.rfind("sha256:", 0) == 0)
        throw Error(name + (untag ? ": untag by digest not supported" : ": tag by digest not supported"));
    pull::ParsedReference p;
    try {
        p = pull::parse_reference(name);
        if (!p.qualified) p = pull::parse_reference("localhost/" + name);
    } catch (const Error& e) {
        throw Error("normalizing name \"" + name + "\": normalizing name \"" + name + "\": " + e.what());
    }
    if (!untag && !p.ref.digest.empty()) throw Error(name + ": tag by digest not supported");
    return p.ref.str();
}

std::string image_name_error(const std::string& name) {
    if (name.rfind("sha256:", 0) == 0) return "";
    if (!name.empty() && name.find_first_not_of("0123456789abcdef") == std::string::npos) return "";
    try {
        pull::parse_reference(name);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

bool confirm(const std::string& question) {
    cli::print_out(question + " [y/N] ");
    std::fflush(stdout);
    std::string answer;
    if (!std::getline(std::cin, answer)) return false;
    answer = to_lower(trim(answer));
    return answer == "y" || answer == "yes";
}

}  // namespace burrow::commands

// Helpers the command families share: reading image views, printing lists and JSON.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "src/cli/command.hpp"
#include "src/commands/image_json.hpp"
#include "storage/container_store.hpp"

namespace burrow::commands {

int64_t now_seconds();

// Reads the config and manifest blobs of a record (caller holds the store lock).
ImageView load_view(const storage::Store& store, const storage::ImageRecord& rec);

// Prints rows with the user's --format (or `default_table`): JSON list, template or table.
void print_rows(const std::string& format, const std::string& default_table, const std::vector<nlohmann::json>& rows,
                const nlohmann::json& headers, bool noheading, const std::string& template_name,
                const std::string& type_name);

// A flag list helper: "--format string" etc. as FlagSpecs.
cli::FlagSpec bool_flag(const std::string& name, char shorthand, const std::string& usage, bool hidden = false);
cli::FlagSpec string_flag(const std::string& name, char shorthand, const std::string& usage, const std::string& def = "");
cli::FlagSpec list_flag(const std::string& name, char shorthand, const std::string& usage);
inline cli::FlagSpec help_flag() { return bool_flag("help", 'h', "Help for this command"); }
cli::FlagSpec int_flag(const std::string& name, char shorthand, const std::string& usage, const std::string& def = "0");
cli::FlagSpec uint_flag(const std::string& name, char shorthand, const std::string& usage, const std::string& def = "0");
cli::FlagSpec slice_flag(const std::string& name, char shorthand, const std::string& usage);  // "strings"
cli::FlagSpec count_flag(const std::string& name, char shorthand, const std::string& usage);
// -l, --latest, as every container command of Podman's has it.
cli::FlagSpec latest_flag();
// The same spec with another help placeholder ("[a-Z]", "Pathname"), as Podman's help shows it.
cli::FlagSpec placeholder(cli::FlagSpec f, const std::string& value_name);
cli::FlagSpec hidden_flag(cli::FlagSpec f);

// Podman's multi-error text: one error as is, several as "N errors occurred:\n\t* a\n\t* b".
std::string combine_errors(const std::vector<std::string>& errs);

// libimage's NormalizeName for `tag` and `untag`: "foo:bar" -> "localhost/foo:bar", "reg/x" ->
// "reg/x:latest", "reg/x:t@sha256:.." -> "reg/x@sha256:..". Throws Podman's errors: "normalizing
// name" for bad input, "tag by digest not supported" for a digest (or a "sha256:" name) when
// `untag` is false, "untag by digest not supported" for a "sha256:" name when it is true.
std::string normalize_tag_name(const std::string& name, bool untag = false);

// Why libimage finds no local image for `name`: the reference error ("invalid reference format",
// "repository name must be lowercase") when it is not a valid image name, else empty (simply not
// known). Ids, id prefixes and "sha256:" names are not parsed as references.
std::string image_name_error(const std::string& name);

// A container by id, id prefix or name; Podman's "no container with name or ID" error otherwise.
storage::ContainerConfig find_container(const storage::Store& store, const std::string& ref, int exit_code = 125);

// The most recently created container (Podman's --latest); "no such container" when there is none.
storage::ContainerConfig latest_container(const storage::Store& store);

// Asks "[y/N]" on stdin; true only for y/yes.
bool confirm(const std::string& question);

}  // namespace burrow::commands

// The command table: one entry per command, from which dispatch, help and completions come.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/cli/options.hpp"

namespace burrow::storage {
class Store;
}

namespace burrow::cli {

inline constexpr const char* kProgram = "burrow";
// The Podman release whose command line burrow implements: what `version` reports as Version and
// APIVersion, and `--version` prints, so that scripts gating on Podman's version see it.
inline constexpr const char* kPodmanVersion = "4.3.1";

// The name help, usage lines and errors show: the base name of argv[0], as Podman shows its
// os.Args[0] ("podman" through a symlink of that name). kProgram until run_app sets it.
const std::string& program_name();
void set_program_name(const std::string& argv0);

struct GlobalOptions {
    std::string root, runroot, storage_driver;
    std::string log_level = "warn";
    std::string events_backend;  // --events-backend ("" = containers.conf or file)
    std::string volume_path;     // --volumepath ("" = <graph root>/volumes)
    std::string tmp_dir;         // --tmpdir ("" = <run root>'s libpod/tmp)
    std::string runtime;         // --runtime ("" = containers.conf)
    std::string cgroup_manager;  // --cgroup-manager ("" = containers.conf)
    std::string network_cmd_path;  // --network-cmd-path
    std::vector<std::string> storage_opts;  // --storage-opt, in order
    bool storage_opts_given = false;        // --storage-opt was given (even as '')
};

// What a handler gets: the global options, the store (opened on first use) and its command line.
class Context {
public:
    explicit Context(GlobalOptions g);
    ~Context();
    const GlobalOptions& globals() const { return globals_; }
    storage::Store& store();

    std::string command_path;  // "burrow image ls", for messages
    ParsedFlags flags;
    std::vector<std::string> args;

private:
    GlobalOptions globals_;
    std::unique_ptr<storage::Store> store_;
};

using Handler = std::function<int(Context&)>;

struct Command {
    std::string path;                  // "images", "image ls", "system df"; a group has no handler
    std::vector<std::string> aliases;  // other last words under the same parent ("list")
    std::string use;                   // after the path in "Usage:": "[options] [IMAGE]"
    std::string short_help;
    std::string long_help;             // "" = short_help
    std::vector<std::string> examples;
    std::vector<FlagSpec> flags;
    int min_args = 0;
    int max_args = -1;                 // -1: no limit
    bool interspersed = true;          // false: flags end at the first positional (run, exec)
    Handler handler;

    bool is_group() const { return !handler; }
    std::string name() const;          // last word of path
    std::string parent() const;        // "" for a top-level command
};

class CommandTable {
public:
    void add(Command c);
    const std::vector<Command>& all() const { return commands_; }
    // A top-level command (parent "") or a child of `parent`, by name or alias.
    const Command* find(const std::string& parent, const std::string& name) const;
    std::vector<const Command*> children(const std::string& parent) const;

private:
    std::vector<Command> commands_;
};

// The table with every command registered (built once).
const CommandTable& command_table();

// Flags every command accepts (Podman's persistent root flags).
const std::vector<FlagSpec>& global_flags();
// Flags only the root takes, before the command (Podman's local root flags: --url, --remote,
// --connection, --noout, ...).
const std::vector<FlagSpec>& root_only_flags();
// Both, as the root's parse and help see them.
std::vector<FlagSpec> root_flags();

// Help texts, cobra's layout as Podman prints it.
std::string command_help(const CommandTable& table, const Command& cmd);
std::string root_help(const CommandTable& table);
// pflag's FlagUsages: sorted, aligned, defaults shown; hidden flags left out, and --help unless asked.
std::string flag_usages(const std::vector<FlagSpec>& flags, bool include_help = false);

// The cobra/Podman message for a wrong number of arguments, or "" when the count is fine.
std::string check_arg_count(const Command& cmd, size_t given);

}  // namespace burrow::cli

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

struct GlobalOptions {
    std::string root, runroot, storage_driver;
    std::string log_level = "warn";
    std::string events_backend;  // --events-backend ("" = containers.conf or file)
    bool noout = false;          // --noout: stdout goes to /dev/null
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

// Help texts, cobra's layout as Podman prints it.
std::string command_help(const CommandTable& table, const Command& cmd);
std::string root_help(const CommandTable& table);
// pflag's FlagUsages: sorted, aligned, defaults shown; hidden flags left out, and --help unless asked.
std::string flag_usages(const std::vector<FlagSpec>& flags, bool include_help = false);

// The cobra/Podman message for a wrong number of arguments, or "" when the count is fine.
std::string check_arg_count(const Command& cmd, size_t given);

}  // namespace burrow::cli

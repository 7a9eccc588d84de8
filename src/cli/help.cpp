// The command table's lookups and the help texts it generates (pure: no store, no I/O).
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "base/strings.hpp"
#include "src/cli/command.hpp"

namespace burrow::cli {

std::string Command::name() const {
    size_t sp = path.rfind(' ');
    return sp == std::string::npos ? path : path.substr(sp + 1);
}

std::string Command::parent() const {
    size_t sp = path.rfind(' ');
    return sp == std::string::npos ? "" : path.substr(0, sp);
}

void CommandTable::add(Command c) { commands_.push_back(std::move(c)); }

const Command* CommandTable::find(const std::string& parent, const std::string& name) const {
    for (const auto& c : commands_) {
        if (c.parent() != parent) continue;
        if (c.name() == name || std::find(c.aliases.begin(), c.aliases.end(), name) != c.aliases.end()) return &c;
    }
    return nullptr;
}

std::vector<const Command*> CommandTable::children(const std::string& parent) const {
    std::vector<const Command*> r;
    for (const auto& c : commands_)
        if (c.parent() == parent) r.push_back(&c);
    std::sort(r.begin(), r.end(), [](const Command* a, const Command* b) { return a->name() < b->name(); });
    return r;
}

namespace {
std::string g_program = kProgram;

// Podman's default service address: the user's runtime directory (or /tmp/podman-run-UID), or
// /run/podman for root.
std::string default_service_url() {
    if (::geteuid() == 0) return "unix:/run/podman/podman.sock";
    const char* xdg = std::getenv("XDG_RUNTIME_DIR");
    std::string dir = xdg && *xdg ? xdg : "/tmp/podman-run-" + std::to_string(::geteuid());
    return "unix:" + dir + "/podman/podman.sock";
}
}  // namespace

const std::string& program_name() { return g_program; }
void set_program_name(const std::string& argv0) {
    std::string base = argv0.substr(argv0.rfind('/') == std::string::npos ? 0 : argv0.rfind('/') + 1);
    g_program = base.empty() ? kProgram : base;
}

const std::vector<FlagSpec>& global_flags() {
    static const std::vector<FlagSpec> flags = {
        {"cgroup-manager", 0, FlagType::String, "", "Cgroup manager to use (\"cgroupfs\"|\"systemd\")", false, ""},
        {"cni-config-dir", 0, FlagType::String, "", "Path of the configuration directory for networks", true, ""},
        {"conmon", 0, FlagType::String, "", "Path of the conmon binary", false, ""},
        {"cpu-profile", 0, FlagType::String, "", "Path for the cpu-profiling results", true, ""},
        {"default-mounts-file", 0, FlagType::String, "", "Path to default mounts file", true, ""},
        {"events-backend", 0, FlagType::String, "file", "Events backend to use (\"file\"|\"journald\"|\"none\")", false, ""},
        {"help", 'h', FlagType::Bool, "false", "Help for " + program_name(), false, ""},
        {"hooks-dir", 0, FlagType::StringList, "", "Set the OCI hooks directory path (may be set multiple times)", false, "strings"},
        {"log-level", 0, FlagType::String, "warn",
         "Log messages above specified level (trace, debug, info, warn, warning, error, fatal, panic)", false, ""},
        {"max-workers", 0, FlagType::Int, "0", "The maximum number of workers for parallel operations", true, ""},
        {"memory-profile", 0, FlagType::String, "", "Path for the memory-profiling results", true, ""},
        {"namespace", 0, FlagType::String, "",
         "Set the libpod namespace, used to create separate views of the containers and pods on the system", false, ""},
        {"network-backend", 0, FlagType::String, "", "Network backend to use (\"cni\"|\"netavark\")", true, ""},
        {"network-cmd-path", 0, FlagType::String, "", "Path to the command for configuring the network", false, ""},
        {"network-config-dir", 0, FlagType::String, "", "Path of the configuration directory for networks", false, ""},
        {"registries-conf", 0, FlagType::String, "", "Path to a registries.conf to use for image processing", true, ""},
        {"root", 0, FlagType::String, "", "Path to the root directory in which data, including images, is stored",
         false, ""},
        {"runroot", 0, FlagType::String, "", "Path to the 'run directory' where all state information is stored",
         false, ""},
        {"runtime", 0, FlagType::String, "", "Path to the OCI-compatible binary used to run containers.", false, ""},
        {"runtime-flag", 0, FlagType::StringList, "", "add global flags for the container runtime", false, ""},
        {"storage-driver", 0, FlagType::String, "",
         "Select which storage driver is used to manage storage of images and containers", false, ""},
        {"storage-opt", 0, FlagType::StringList, "", "Used to pass an option to the storage driver", false, ""},
        {"syslog", 0, FlagType::Bool, "false", "Output logging information to syslog as well as the console (default false)", false, ""},
        {"tmpdir", 0, FlagType::String, "",
         "Path to the tmp directory for libpod state content.\n\nNote: use the environment variable 'TMPDIR' to change "
         "the temporary storage location for container images, '/var/tmp'.\n", false, ""},
        {"trace", 0, FlagType::Bool, "false", "Enable opentracing output (default false)", true, ""},
        {"volumepath", 0, FlagType::String, "", "Path to the volume directory in which volume data is stored", false, ""},
    };
    return flags;
}

const std::vector<FlagSpec>& root_only_flags() {
    static const std::vector<FlagSpec> flags = {
        {"config", 0, FlagType::String, "", "Ignored for Docker compatibility", true, ""},
        {"connection", 'c', FlagType::String, "", "Connection to use for remote Podman service", false, ""},
        {"context", 0, FlagType::String, "default",
         "Name of the context to use to connect to the daemon (This flag is a NOOP and provided solely for scripting "
         "compatibility.)", true, ""},
        {"debug", 'D', FlagType::Bool, "false", "Docker compatibility, force setting of log-level", true, ""},
        {"host", 'H', FlagType::String, "", "Used for Docker compatibility", true, ""},
        {"identity", 0, FlagType::String, "", "path to SSH identity file, (CONTAINER_SSHKEY)", false, ""},
        {"noout", 0, FlagType::Bool, "false", "do not output to stdout", false, ""},
        {"remote", 'r', FlagType::Bool, "false", "Access remote Podman service", false, ""},
        {"ssh", 0, FlagType::String, "golang", "define the ssh mode", false, ""},
        {"url", 0, FlagType::String, default_service_url(), "URL to access Podman service (CONTAINER_HOST)", false, ""},
        {"version", 'v', FlagType::Bool, "false", "version for " + program_name(), false, ""},
    };
    return flags;
}

std::vector<FlagSpec> root_flags() {
    std::vector<FlagSpec> all = root_only_flags();
    all.insert(all.end(), global_flags().begin(), global_flags().end());
    return all;
}

static std::string type_name(const FlagSpec& f) {
    if (!f.value_name.empty()) return f.value_name;
    switch (f.type) {
    case FlagType::Bool: return "";
    case FlagType::String: return "string";
    case FlagType::StringList: return "stringArray";
    case FlagType::Int: return "int";
    case FlagType::Uint: return "uint";
    case FlagType::StringSlice: return "strings";
    case FlagType::Count: return "count";
    }
    return "";
}

std::string flag_usages(const std::vector<FlagSpec>& flags, bool include_help) {
    std::vector<const FlagSpec*> shown;
    for (const auto& f : flags)
        if (!f.hidden && (include_help || f.name != "help" || !f.shorthand)) shown.push_back(&f);
    std::sort(shown.begin(), shown.end(), [](const FlagSpec* a, const FlagSpec* b) { return a->name < b->name; });
    std::vector<std::pair<std::string, std::string>> lines;
    size_t maxlen = 0;
    for (const FlagSpec* f : shown) {
        std::string left = f->shorthand ? std::string("  -") + f->shorthand + ", --" + f->name : "      --" + f->name;
        std::string tn = type_name(*f);
        if (!tn.empty()) left += " " + tn;
        maxlen = std::max(maxlen, left.size() + 1);
        std::string usage = f->usage;
        bool numeric = f->type == FlagType::Int || f->type == FlagType::Uint || f->type == FlagType::Count;
        bool zero = f->default_value.empty() || (f->type == FlagType::Bool && f->default_value == "false") ||
                    (numeric && f->default_value == "0");
        if (!zero && f->type == FlagType::StringSlice) usage += " (default [" + f->default_value + "])";
        // pflag quotes a string's default; a number read as text (create's "uint" ones) is not quoted.
        bool quoted = f->type == FlagType::String && f->value_name != "uint" && f->value_name != "int" &&
                      f->value_name != "float";
        if (!zero && f->type != FlagType::StringSlice)
            usage += quoted ? " (default \"" + f->default_value + "\")" : " (default " + f->default_value + ")";
        lines.emplace_back(left, usage);
    }
    std::string out;
    // A usage of several lines continues under its first, as pflag prints it.
    std::string continuation(maxlen + 3, ' ');  // a newline, then the usage column
    continuation[0] = '\n';
    for (const auto& [left, usage] : lines) {
        out += left;
        out.append(maxlen + 2 - left.size(), ' ');
        out += join(split(usage, '\n'), continuation);
        out += '\n';
    }
    return out;
}

static std::string commands_list(const CommandTable& table, const std::string& parent) {
    auto kids = table.children(parent);
    size_t pad = 11;
    for (const Command* c : kids) pad = std::max(pad, c->name().size());
    std::string out;
    for (const Command* c : kids) {
        std::string n = c->name();
        out += "  " + n + std::string(pad - n.size(), ' ') + " " + c->short_help + "\n";
    }
    return out;
}

std::string command_help(const CommandTable& table, const Command& cmd) {
    std::string full = program_name() + " " + cmd.path;
    std::string out = cmd.short_help + "\n\nDescription:\n  " + (cmd.long_help.empty() ? cmd.short_help : cmd.long_help) + "\n\n";
    out += "Usage:\n  " + full + (cmd.is_group() ? " [command]" : cmd.use.empty() ? "" : " " + cmd.use) + "\n\n";
    if (!cmd.aliases.empty()) {
        std::vector<std::string> names{cmd.name()};
        names.insert(names.end(), cmd.aliases.begin(), cmd.aliases.end());
        out += "Aliases:\n  " + join(names, ", ") + "\n\n";
    }
    if (!cmd.examples.empty()) out += "Examples:\n  " + join(cmd.examples, "\n  ") + "\n\n";
    if (cmd.is_group()) out += "Available Commands:\n" + commands_list(table, cmd.path) + "\n";
    std::string usages = flag_usages(cmd.flags);
    if (!usages.empty()) out += "Options:\n" + usages + "\n";
    return out;
}

std::string root_help(const CommandTable& table) {
    std::string out = "Manage pods, containers and images\n\nUsage:\n  " + program_name() + " [options] [command]\n\n";
    out += "Available Commands:\n" + commands_list(table, "") + "\n";
    out += "Options:\n" + flag_usages(root_flags(), true);
    return out;
}

std::string check_arg_count(const Command& cmd, size_t given) {
    auto n = static_cast<int>(given);
    std::string full = program_name() + " " + cmd.path;
    if (cmd.max_args == 0 && n > 0) return "`" + full + "` takes no arguments";
    if (cmd.max_args < 0) {
        if (n < cmd.min_args)
            return "requires at least " + std::to_string(cmd.min_args) + " arg(s), only received " + std::to_string(n);
        return "";
    }
    if (n >= cmd.min_args && n <= cmd.max_args) return "";
    if (cmd.min_args == 0) return "accepts at most " + std::to_string(cmd.max_args) + " arg(s), received " + std::to_string(n);
    if (cmd.min_args == cmd.max_args) return "accepts " + std::to_string(cmd.min_args) + " arg(s), received " + std::to_string(n);
    return "accepts between " + std::to_string(cmd.min_args) + " and " + std::to_string(cmd.max_args) +
           " arg(s), received " + std::to_string(n);
}

}  // namespace burrow::cli

// `run` and `create` (also `container run`, `container create`).
#include <fcntl.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "base/error.hpp"
#include "base/strings.hpp"
#include "src/cli/print.hpp"
#include "src/commands/common.hpp"
#include "src/commands/register.hpp"
#include "src/engine/container_create.hpp"
#include "src/commands/create_flags.hpp"
#include "src/engine/lifecycle.hpp"
#include "src/engine/run_exit.hpp"
#include "storage/container_store.hpp"
#include "storage/store.hpp"

namespace burrow::commands {

using cli::Context;

namespace {

storage::ContainerConfig create_from(Context& ctx) {
    engine::CreateOptions opts = create_options(ctx.flags, ctx.args);
    // Podman's words; the flag does nothing there either (and --gpus is an info-level no-op).
    if (ctx.flags.changed("kernel-memory")) cli::print_warning("The --kernel-memory flag is no longer supported. This flag is a noop.");
    opts.create_command = engine::own_command_line();
    opts.oci_runtime = ctx.globals().runtime;  // inspect's OCIRuntime shows the --runtime given
    return engine::create_container(ctx.store(), opts);
}

int create_cmd(Context& ctx) {
    auto cfg = create_from(ctx);
    std::printf("%s\n", cfg.id.c_str());
    return 0;
}

// --attach STREAM...: which of stdin, stdout, stderr the foreground run relays (all by default).
struct Attach {
    bool in = true, out = true, err = true;
};

Attach attach_streams(const Context& ctx) {
    Attach a;
    if (!ctx.flags.changed("attach")) return a;
    a = {false, false, false};
    for (const auto& s : ctx.flags.get_list("attach")) {
        std::string l = to_lower(s);
        if (l == "stdin") a.in = true;
        else if (l == "stdout") a.out = true;
        else if (l == "stderr") a.err = true;
        else throw Error("invalid stream \"" + s + "\" for --attach - must be one of stdin, stdout, or stderr: invalid argument");
    }
    return a;
}

// --preserve-fds N: fds 3..3+N-1 must have come from the caller (Podman checks the same).
unsigned preserved_fds(const Context& ctx) {
    if (!ctx.flags.changed("preserve-fds")) return 0;
    std::string v = ctx.flags.get_string("preserve-fds");
    if (v.empty() || v.size() > 6 || !std::all_of(v.begin(), v.end(), ::isdigit))
        throw Error("invalid argument \"" + v + "\" for \"--preserve-fds\" flag: strconv.ParseUint: parsing \"" + v +
                    "\": invalid syntax");
    unsigned n = static_cast<unsigned>(std::atoi(v.c_str()));
    for (unsigned fd = 3; fd < 3 + n; ++fd)
        if (::fcntl(static_cast<int>(fd), F_GETFD) < 0)
            throw Error("file descriptor " + std::to_string(fd) +
                        " is not available - the preserve-fds option requires that file descriptors must be passed");
    return n;
}

// --rmi: after the run, the image goes unless a container still uses it (then Podman logs the
// error and the run's exit code stands).
void remove_run_image(storage::Store& store, const storage::ContainerConfig& cfg) {
    auto lock = store.lock_exclusive();
    auto rec = store.image(cfg.image_id);
    if (!rec) return;
    storage::ContainerStore containers(store);
    if (auto users = containers.using_image(rec->id); !users.empty()) {
        std::fprintf(stderr, "ERRO[0000] image used by %s: image is in use by a container: consider listing external "
                             "containers and force-removing image\n", users.front().id.c_str());
        return;
    }
    if (rec->names.size() > 1 && !cfg.image_name.empty() &&
        std::find(rec->names.begin(), rec->names.end(), cfg.image_name) != rec->names.end()) {
        rec->names.erase(std::find(rec->names.begin(), rec->names.end(), cfg.image_name));
        store.put_image(*rec);
        return;
    }
    store.remove_image_record(rec->id);
    store.remove_unused_layers();
}

int run_cmd(Context& ctx) {
    bool detach = ctx.flags.get_bool("detach");
    Attach streams = attach_streams(ctx);
    unsigned preserve = preserved_fds(ctx);
    auto& store = ctx.store();
    auto cfg = create_from(ctx);
    engine::StartOptions so;
    so.attach = !detach;
    so.interactive = cfg.interactive && streams.in;
    so.sig_proxy = cfg.sig_proxy;
    so.attach_stdout = streams.out;
    so.attach_stderr = streams.err;
    so.preserve_fds = preserve;
    // Not attached to stdout or stderr: Podman prints the id, then waits as usual.
    if (!detach && !streams.out && !streams.err) std::printf("%s\n", cfg.id.c_str()), std::fflush(stdout);
    int code;
    try {
        code = engine::start_container(store, cfg, so);
    } catch (const Error& e) {
        // A container that never ran is not kept around for --rm.
        if (cfg.remove) {
            try {
                engine::remove_container(store, cfg, true, 0);
            } catch (const Error&) {
            }
        }
        throw Error(e.what(), engine::run_start_exit_code(e.what()));
    }
    if (detach) std::printf("%s\n", cfg.id.c_str());
    else if (ctx.flags.get_bool("rmi")) remove_run_image(store, cfg);
    return code;
}

// Podman's types and help placeholders for create's flags: string slices (several values per use,
// comma-separated), --network an array, the placeholders its help shows.
void podman_types(std::vector<cli::FlagSpec>& flags) {
    static const char* const slices[] = {
        "add-host", "annotation", "attach", "cap-add", "cap-drop", "cgroup-conf", "chrootdirs", "device",
        "device-cgroup-rule", "device-read-bps", "device-read-iops", "device-write-bps", "device-write-iops", "dns",
        "dns-option", "dns-search", "env-file", "expose", "gidmap", "group-add", "hostuser", "label-file", "log-opt",
        "network-alias", "publish", "requires", "sysctl", "uidmap", "ulimit"};
    static const std::pair<const char*, const char*> placeholders[] = {
        {"arch", "ARCH"}, {"os", "OS"}, {"variant", "VARIANT"}, {"blkio-weight-device", "DEVICE_NAME:WEIGHT"},
        {"memory", "<number>[<unit>]"}, {"memory-reservation", "<number>[<unit>]"}, {"shm-size", "<number>[<unit>]"},
        {"tmpfs", "tmpfs"}};
    for (auto& f : flags) {
        for (const char* n : slices)
            if (f.name == n) {
                f.type = cli::FlagType::StringSlice;
                f.value_name.clear();
            }
        for (const auto& [n, v] : placeholders)
            if (f.name == n) f.value_name = v;
        if (f.name == "network" || f.name == "preserve-fds") {
            f.type = f.name == "network" ? cli::FlagType::StringList : cli::FlagType::Uint;
            f.value_name.clear();
        }
    }
}

}  // namespace

void register_run(cli::CommandTable& t) {
    cli::Command run;
    run.path = "run";
    run.use = "[options] IMAGE [COMMAND [ARG...]]";
    run.short_help = "Run a command in a new container";
    run.long_help = "Runs a command in a new container from the given image";
    run.examples = {"burrow run imageID ls -alF /etc", "burrow run --network=host imageID dnf -y install java",
                    "burrow run --volume /var/hostdir:/var/ctrdir -i -t fedora /bin/bash"};
    run.flags = create_flags();
    for (auto& f : run_only_flags()) run.flags.push_back(f);
    run.flags.push_back(placeholder(string_flag("detach-keys", 0,
                                                "Override the key sequence for detaching a container. Format is a single character [a-Z] "
                                                "or a comma separated sequence of `ctrl-<value>`, where `<value>` is one of: `a-cf`, "
                                                "`@`, `^`, `[`, `\\`, `]`, `^` or `_`",
                                                "ctrl-p,ctrl-q"),
                                    "[a-Z]"));
    run.flags.push_back(bool_flag("help", 0, ""));  // -h is --hostname here; Podman lists --help
    podman_types(run.flags);
    run.min_args = 1;
    run.interspersed = false;
    run.handler = run_cmd;
    t.add(run);
    run.path = "container run";
    t.add(run);

    cli::Command create;
    create.path = "create";
    create.use = "[options] IMAGE [COMMAND [ARG...]]";
    create.short_help = "Create but do not start a container";
    create.long_help = "Creates a new container from the given image or storage and prepares it for running the specified command.\n\n"
                       "  The container ID is then printed to stdout. You can then start it at any time with the burrow start <container_id>\n"
                       "  command. The container will be created with the initial state 'created'.";
    create.examples = {"burrow create alpine ls", "burrow create --annotation HELLO=WORLD alpine ls",
                       "burrow create -t -i --name myctr alpine ls"};
    create.flags = create_flags();
    create.flags.push_back(bool_flag("help", 0, ""));
    podman_types(create.flags);
    create.min_args = 1;
    create.interspersed = false;
    create.handler = create_cmd;
    t.add(create);
    create.path = "container create";
    t.add(create);
}

}  // namespace burrow::commands

// `port`, `rename`, `top` and `container prune`.
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/strings.hpp"
#include "src/cli/print.hpp"
#include "src/commands/common.hpp"
#include "src/commands/container_view.hpp"
#include "src/commands/register.hpp"
#include "src/engine/lifecycle.hpp"
#include "src/engine/top.hpp"
#include "src/output/table.hpp"
#include "storage/container_store.hpp"

namespace burrow::commands {

using cli::Context;
using storage::ContainerConfig;
using storage::Status;

namespace {

bool is_running(storage::ContainerStore& cs, const std::string& id) {
    auto s = cs.state(id).status;
    return s == Status::running || s == Status::stopping;
}

ContainerConfig latest(storage::ContainerStore& cs) {
    auto all = cs.list();
    if (all.empty()) throw Error("no containers found: no such container");
    return *std::max_element(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.created < b.created; });
}

// ---- port ------------------------------------------------------------------------------------

int port_cmd(Context& ctx) {
    storage::Store& store = ctx.store();
    storage::ContainerStore cs(store);
    bool all = ctx.flags.get_bool("all"), use_latest = ctx.flags.get_bool("latest");
    std::vector<ContainerConfig> targets;
    std::string port_arg;
    if (all) {
        if (ctx.args.size() > 0) throw Error("no arguments are needed with --all");
        targets = cs.list();
        std::sort(targets.begin(), targets.end(), [](const auto& a, const auto& b) { return a.created < b.created; });
    } else if (use_latest) {
        if (ctx.args.size() > 1) throw Error("only one argument is allowed with --latest");
        targets.push_back(latest(cs));
        if (!ctx.args.empty()) port_arg = ctx.args[0];
    } else {
        if (ctx.args.empty()) throw Error("you must supply a running container name or id");
        if (ctx.args.size() > 2) throw Error("`port` accepts at most 2 arguments");
        targets.push_back(find_container(store, ctx.args[0]));
        if (ctx.args.size() == 2) port_arg = ctx.args[1];
    }
    std::string want_proto = "tcp";
    long want_port = -1;
    if (!port_arg.empty()) {
        auto slash = port_arg.find('/');
        if (slash != std::string::npos) want_proto = port_arg.substr(slash + 1);
        std::string num = port_arg.substr(0, slash);
        char* end = nullptr;
        want_port = std::strtol(num.c_str(), &end, 10);
        if (num.empty() || *end || want_port < 1 || want_port > 65535)
            throw Error("invalid port \"" + port_arg + "\"");
    }
    std::string out;
    for (const auto& c : targets) {
        // Podman shows the ports of running containers only.
        if (!is_running(cs, c.id)) continue;
        if (want_port < 0) {
            for (const auto& line : port_lines(c.ports))
                out += (all ? c.id.substr(0, 12) + "\t" : std::string()) + line + "\n";
            continue;
        }
        bool found = false;
        for (const auto& p : c.ports)
            for (unsigned i = 0; i < std::max<unsigned>(p.range, 1); ++i)
                if (p.protocol == want_proto && p.container_port + i == want_port) {
                    out += (p.host_ip.empty() ? "0.0.0.0" : p.host_ip) + ":" + std::to_string(p.host_port + i) + "\n";
                    found = true;
                }
        if (!found) throw Error("failed to find published port \"" + port_arg + "\"");
    }
    cli::print_out(out);
    return 0;
}

// ---- rename ----------------------------------------------------------------------------------

int rename_cmd(Context& ctx) {
    storage::Store& store = ctx.store();
    storage::ContainerStore cs(store);
    auto cfg = find_container(store, ctx.args[0]);
    const std::string& name = ctx.args[1];
    if (auto other = cs.by_name(name); other && other->id != cfg.id)
        throw Error("renaming container " + cfg.id + ": name " + name + " already in use, cannot rename container " +
                    cfg.id + ": container already exists");
    cs.rename(cfg.id, name);
    return 0;
}

// ---- top -------------------------------------------------------------------------------------

// Go's time.Duration.String(): "1m1.091326908s", "2.5s", "10ms", "0s".
std::string go_duration(int64_t ns) {
    if (ns == 0) return "0s";
    std::string sign = ns < 0 ? "-" : "";
    uint64_t u = static_cast<uint64_t>(ns < 0 ? -ns : ns);
    char buf[64];
    auto frac = [](uint64_t v, int digits) {
        std::string s = std::to_string(v);
        s.insert(0, static_cast<size_t>(digits) - std::min<size_t>(s.size(), static_cast<size_t>(digits)), '0');
        while (!s.empty() && s.back() == '0') s.pop_back();
        return s.empty() ? std::string() : "." + s;
    };
    if (u < 1000) return sign + std::to_string(u) + "ns";
    if (u < 1000000) return sign + std::to_string(u / 1000) + frac(u % 1000, 3) + "\xc2\xb5s";
    if (u < 1000000000) return sign + std::to_string(u / 1000000) + frac(u % 1000000, 6) + "ms";
    uint64_t secs = u / 1000000000, rem = u % 1000000000;
    std::string s = sign;
    if (secs >= 3600) s += std::to_string(secs / 3600) + "h";
    if (secs >= 60) s += std::to_string(secs / 60 % 60) + "m";
    std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(secs % 60));
    return s + buf + frac(rem, 9) + "s";
}

int top_cmd(Context& ctx) {
    storage::Store& store = ctx.store();
    storage::ContainerStore cs(store);
    std::vector<std::string> descriptors;
    ContainerConfig cfg;
    if (ctx.flags.get_bool("latest")) {
        cfg = latest(cs);
        descriptors = ctx.args;
    } else {
        if (ctx.args.empty()) throw Error("you must provide the name or id of a running container");
        cfg = find_container(store, ctx.args[0]);
        descriptors.assign(ctx.args.begin() + 1, ctx.args.end());
    }
    auto st = cs.state(cfg.id);
    if (st.status != Status::running && st.status != Status::stopping)
        throw Error("top can only be used on running containers");
    // "-eo user,pid" (ps style) and "user pid" (descriptor words) both name descriptors.
    std::vector<std::string> want;
    for (const auto& d : descriptors) {
        if (d.rfind("-", 0) == 0) {
            if (d == "-eo" || d == "-o" || d == "-ef" || d == "-e") continue;
            throw Error("unsupported ps option \"" + d + "\": give AIX format descriptors (user, pid, args, ...)");
        }
        for (const auto& w : split(d, ','))
            if (!w.empty()) want.push_back(w);
    }
    if (want.empty()) want = {"user", "pid", "ppid", "pcpu", "etime", "tty", "time", "args"};
    static const std::map<std::string, std::string> headers = {
        {"user", "USER"},   {"pid", "PID"},      {"ppid", "PPID"},   {"pcpu", "%CPU"},   {"etime", "ELAPSED"},
        {"tty", "TTY"},     {"time", "TIME"},    {"args", "COMMAND"}, {"comm", "COMMAND"}, {"uid", "UID"},
        {"gid", "GID"},     {"group", "GROUP"},  {"huser", "HUSER"}, {"hgroup", "HGROUP"}, {"hpid", "HPID"},
        {"nice", "NI"},     {"stime", "STIME"}};
    for (const auto& w : want)
        if (!headers.count(w)) throw Error("unknown descriptor: " + w);

    engine::TopSnapshot snap = engine::container_top(store, cfg);
    const auto& procs = snap.processes;
    std::map<pid_t, pid_t> inner_pid;
    for (const auto& p : procs) inner_pid[p.host_pid] = p.pid;
    const auto& users = snap.user_names;
    const auto& groups = snap.group_names;
    long hz = ::sysconf(_SC_CLK_TCK);
    // Process start times count from boot (CLOCK_BOOTTIME), in clock ticks.
    struct timespec ts {};
    ::clock_gettime(CLOCK_BOOTTIME, &ts);
    int64_t now_since_boot_ns = static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;

    std::string out;
    for (size_t i = 0; i < want.size(); ++i) out += headers.at(want[i]) + (i + 1 < want.size() ? "\t" : "\n");
    for (const auto& p : procs) {
        int64_t elapsed = std::max<int64_t>(0, now_since_boot_ns - static_cast<int64_t>(p.start * 1000000000 / hz));
        uint64_t cpu_ticks = p.utime + p.stime;
        auto name_of = [](const std::map<uint32_t, std::string>& m, uint32_t id) {
            auto it = m.find(id);
            return it != m.end() ? it->second : std::to_string(id);
        };
        uint32_t uid = p.inner_uid, gid = p.inner_gid;
        for (size_t i = 0; i < want.size(); ++i) {
            const auto& w = want[i];
            std::string v;
            if (w == "user") v = name_of(users, uid);
            else if (w == "uid") v = std::to_string(uid);
            else if (w == "group") v = name_of(groups, gid);
            else if (w == "gid") v = std::to_string(gid);
            else if (w == "huser") v = std::to_string(p.uid);
            else if (w == "hgroup") v = std::to_string(p.gid);
            else if (w == "pid") v = std::to_string(p.pid);
            else if (w == "hpid") v = std::to_string(p.host_pid);
            else if (w == "ppid") v = std::to_string(inner_pid.count(p.host_ppid) ? inner_pid[p.host_ppid] : 0);
            else if (w == "pcpu") {
                char buf[32];
                double secs = elapsed / 1e9;
                std::snprintf(buf, sizeof buf, "%.3f", secs > 0 ? 100.0 * cpu_ticks / hz / secs : 0.0);
                v = buf;
            } else if (w == "etime") v = go_duration(elapsed);
            else if (w == "time") v = go_duration(static_cast<int64_t>(cpu_ticks * 1000000000 / hz));
            else if (w == "tty") {
                unsigned major = (static_cast<unsigned>(p.tty_nr) >> 8) & 0xfff, minor = (p.tty_nr & 0xff) | ((p.tty_nr >> 12) & 0xfff00);
                v = p.tty_nr == 0 ? "?" : major == 136 ? "pts/" + std::to_string(minor) : "tty" + std::to_string(minor);
            } else if (w == "args") v = p.args;
            else if (w == "comm") v = p.comm;
            else if (w == "nice") v = "0";
            else if (w == "stime") v = std::to_string(p.start / hz);
            out += v + (i + 1 < want.size() ? "\t" : "\n");
        }
    }
    cli::print_out(output::tabwrite(out));
    return 0;
}

// ---- container prune -------------------------------------------------------------------------

int prune_cmd(Context& ctx) {
    if (!ctx.flags.get_bool("force") &&
        !confirm("WARNING! This will remove all non running containers.\nAre you sure you want to continue?"))
        return 0;
    std::vector<std::pair<std::string, std::string>> label_filters;
    int64_t until = -1;
    for (const auto& f : ctx.flags.get_list("filter")) {
        auto eq = f.find('=');
        if (eq == std::string::npos) throw Error("invalid filter \"" + f + "\"");
        std::string key = f.substr(0, eq), value = f.substr(eq + 1);
        if (key == "label") {
            auto leq = value.find('=');
            label_filters.emplace_back(value.substr(0, leq), leq == std::string::npos ? "\x01" : value.substr(leq + 1));
        } else if (key == "until") {
            auto t = parse_input_time(value, true, 0);
            if (!t) throw Error("parsing --filter until \"" + value + "\": unable to interpret time value");
            until = *t;
        } else {
            throw Error(key + " is an invalid filter");
        }
    }
    storage::Store& store = ctx.store();
    storage::ContainerStore cs(store);
    auto all = cs.list();
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.created < b.created; });
    std::string out;
    std::vector<std::string> errs;
    for (const auto& c : all) {
        try {
            if (is_running(cs, c.id)) continue;
        } catch (const Error&) {
            continue;  // removed meanwhile
        }
        bool keep = false;
        for (const auto& [k, v] : label_filters) {
            auto it = c.labels.find(k);
            if (it == c.labels.end() || (v != "\x01" && it->second != v)) keep = true;
        }
        if (until >= 0 && c.created >= until) keep = true;
        if (keep) continue;
        try {
            engine::remove_container(store, c, false, 0);
            out += c.id + "\n";
        } catch (const Error& e) {
            errs.push_back(e.what());
        }
    }
    cli::print_out(out);
    if (!errs.empty()) throw Error(combine_errors(errs));
    return 0;
}

}  // namespace

void register_container_misc(cli::CommandTable& t) {
    cli::Command port;
    port.path = "port";
    port.use = "[options] CONTAINER [PRIVATE_PORT[/PROTO]]";
    port.short_help = "List port mappings or a specific mapping for the container";
    port.examples = {"burrow port --all", "burrow port ctrID 80/tcp", "burrow port --latest 80"};
    port.flags = {bool_flag("all", 'a', "Display port information for all containers"),
                  bool_flag("latest", 'l', "Act on the latest container podman is aware of"), help_flag()};
    port.handler = port_cmd;
    t.add(port);
    port.path = "container port";
    t.add(port);

    cli::Command rename;
    rename.path = "rename";
    rename.use = "CONTAINER NAME";
    rename.short_help = "Rename an existing container";
    rename.examples = {"burrow rename containerA newName"};
    rename.flags = {help_flag()};
    rename.min_args = 2;
    rename.max_args = 2;
    rename.handler = rename_cmd;
    t.add(rename);
    rename.path = "container rename";
    t.add(rename);

    cli::Command top;
    top.path = "top";
    top.use = "[options] CONTAINER [FORMAT-DESCRIPTORS|ARGS...]";
    top.short_help = "Display the running processes of a container";
    top.long_help = "Display the running processes of a container.\n\n  The top command extends the ps(1) "
                    "compatible AIX descriptors with container-specific ones as shown below.";
    top.examples = {"burrow top ctrID", "burrow top --latest", "burrow top ctrID pid seccomp args %C",
                    "burrow top ctrID -eo user,pid,comm"};
    top.flags = {bool_flag("latest", 'l', "Act on the latest container podman is aware of"), help_flag()};
    top.interspersed = false;
    top.handler = top_cmd;
    t.add(top);
    top.path = "container top";
    t.add(top);

    cli::Command prune;
    prune.path = "container prune";
    prune.use = "[options]";
    prune.short_help = "Remove all non running containers";
    prune.long_help = "burrow container prune\n\n\tRemoves all non running containers";
    prune.examples = {"burrow container prune"};
    prune.flags = {list_flag("filter", 0, "Provide filter values (e.g. 'label=<key>=<value>')"),
                   bool_flag("force", 'f', "Do not prompt for confirmation.  The default is false"), help_flag()};
    prune.max_args = 0;
    prune.handler = prune_cmd;
    t.add(prune);
}

}  // namespace burrow::commands

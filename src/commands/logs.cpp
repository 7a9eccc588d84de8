// `logs` / `container logs`: a container's k8s-file log, stdout lines to stdout and stderr lines
// to stderr, as Podman prints them; -f follows until the container is no longer running.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "src/commands/common.hpp"
#include "src/commands/container_view.hpp"
#include "src/engine/lifecycle.hpp"
#include "src/commands/register.hpp"
#include "src/engine/container_log.hpp"
#include "storage/container_store.hpp"

namespace burrow::commands {

using cli::Context;
using engine::LogLine;

namespace {

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

struct Options {
    std::optional<int64_t> since, until;
    long long tail = -1;
    bool timestamps = false;
    std::string prefix_name;  // set when several containers are shown
    std::string color;        // --color: the container's ANSI color, as Podman picks it by position
};

// libpod's colors for --color, by the container's position on the command line.
std::string log_color(size_t index) {
    static const char* const colors[] = {"\033[37m", "\033[31m", "\033[33m", "\033[34m", "\033[35m", "\033[36m", "\033[32m"};
    return colors[index % 7];
}

// Writes records to stdout/stderr, flushing the other stream when they alternate so that a
// terminal shows them in the order they were logged.
class Printer {
public:
    void print(const LogLine& l, const Options& o) {
        if (o.since && l.time_ns < *o.since) return;
        if (o.until && l.time_ns > *o.until) return;
        FILE* f = l.stream == 2 ? stderr : stdout;
        if (last_ && last_ != f) std::fflush(last_);
        last_ = f;
        std::string out = o.color;
        if (!o.prefix_name.empty()) out += o.prefix_name + " ";
        if (o.timestamps) out += rfc3339_nano(l.time_ns) + " ";
        out += l.text;
        if (!o.color.empty()) out += "\033[0m";
        if (!l.partial) out += '\n';
        std::fwrite(out.data(), 1, out.size(), f);
    }
    void flush() {
        std::fflush(stdout);
        std::fflush(stderr);
    }

private:
    FILE* last_ = nullptr;
};

// One container's log, read from where the last read stopped.
struct Source {
    storage::ContainerConfig cfg;
    Options opts;
    UniqueFd fd;
    std::string pending;  // bytes after the last newline
    bool done = false;

    std::vector<LogLine> read_new() {
        std::vector<LogLine> out;
        if (!fd) {
            int f = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
            if (f < 0) return out;
            fd.reset(f);
        }
        char buf[65536];
        for (;;) {
            ssize_t n = ::read(fd.get(), buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            pending.append(buf, static_cast<size_t>(n));
        }
        size_t start = 0;
        for (;;) {
            size_t nl = pending.find('\n', start);
            if (nl == std::string::npos) break;
            if (auto l = engine::parse_log_line(pending.substr(start, nl - start))) out.push_back(std::move(*l));
            start = nl + 1;
        }
        pending.erase(0, start);
        return out;
    }
    std::string path;
};

bool running(storage::ContainerStore& containers, const std::string& id) {
    try {
        auto s = containers.state(id).status;
        return s == storage::Status::running || s == storage::Status::stopping;
    } catch (const Error&) {
        return false;  // removed (--rm)
    }
}

int logs_cmd(Context& ctx) {
    const auto& f = ctx.flags;
    storage::Store& store = ctx.store();
    storage::ContainerStore containers(store);
    std::vector<storage::ContainerConfig> targets;
    if (f.get_bool("latest")) {
        if (!ctx.args.empty()) throw Error("--latest and containers cannot be used together");
        targets.push_back(latest_container(store));
    } else {
        if (ctx.args.empty()) throw Error("specify at least one container name or ID to log");
        for (const auto& ref : ctx.args) targets.push_back(find_container(store, ref));
    }

    Options base;
    int64_t now = now_ns();
    for (const char* flag : {"since", "until"}) {
        if (!f.changed(flag)) continue;
        std::string v = f.get_string(flag);
        auto t = parse_input_time(v, std::string(flag) == "since", now);
        if (!t) throw Error(std::string("parsing --") + flag + " \"" + v + "\": unable to interpret time value");
        (std::string(flag) == "since" ? base.since : base.until) = t;
    }
    base.tail = f.get_int("tail");
    base.timestamps = f.get_bool("timestamps");
    bool multi = targets.size() > 1, follow = f.get_bool("follow");

    std::vector<Source> sources;
    for (auto& c : targets) {
        Source s;
        s.opts = base;
        if (f.get_bool("color")) s.opts.color = log_color(sources.size());
        if (multi) s.opts.prefix_name = f.get_bool("names") ? c.name : c.id.substr(0, 12);
        // Podman's words for the drivers that keep no log; burrow writes no journal either.
        if (c.log_driver == "none" || c.log_driver == "passthrough" || c.log_driver == "journald")
            throw Error("this container is using the '" + c.log_driver +
                        "' log driver, cannot read logs: this container is not logging output");
        s.path = engine::log_file(containers, c);
        s.cfg = std::move(c);
        sources.push_back(std::move(s));
    }

    Printer out;
    for (auto& s : sources) {
        auto lines = s.read_new();
        if (s.opts.since || s.opts.until) {
            std::erase_if(lines, [&](const LogLine& l) {
                return (s.opts.since && l.time_ns < *s.opts.since) || (s.opts.until && l.time_ns > *s.opts.until);
            });
        }
        std::vector<bool> partial;
        for (const auto& l : lines) partial.push_back(l.partial);
        for (size_t i = tail_start(partial, s.opts.tail); i < lines.size(); ++i) out.print(lines[i], s.opts);
    }
    out.flush();

    while (follow) {
        bool any = false;
        for (auto& s : sources) {
            if (s.done) continue;
            // Liveness first: what was written before the exit is read after it.
            bool alive = running(containers, s.cfg.id);
            for (const auto& l : s.read_new()) out.print(l, s.opts);
            if (!alive) s.done = true;
            any = any || !s.done;
        }
        out.flush();
        if (!any) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return 0;
}

}  // namespace

void register_logs(cli::CommandTable& t) {
    cli::Command logs;
    logs.path = "logs";
    logs.use = "[options] CONTAINER [CONTAINER...]";
    logs.short_help = "Fetch the logs of one or more containers";
    logs.long_help = "Retrieves logs for one or more containers.\n\n  This does not guarantee execution order when "
                     "combined with podman run (i.e., your run may not have generated any logs at the time you "
                     "execute podman logs).";
    logs.examples = {"burrow logs ctrID", "burrow logs --names ctrID1 ctrID2", "burrow logs --tail 2 mywebserver",
                     "burrow logs --follow=true --since 10m ctrID", "burrow logs mywebserver mydbserver"};
    logs.flags = {bool_flag("color", 0, "Output the containers with different colors in the log."),
                  bool_flag("follow", 'f', "Follow log output.  The default is false"),
                  latest_flag(),
                  bool_flag("names", 'n', "Output the container name in the log"),
                  string_flag("since", 0, "Show logs since TIMESTAMP"),
                  {"tail", 0, cli::FlagType::Int, "-1",
                   "Output the specified number of LINES at the end of the logs.  Defaults to -1, which prints all "
                   "lines",
                   false, ""},
                  bool_flag("timestamps", 't', "Output the timestamps in the log"),
                  string_flag("until", 0, "Show logs until TIMESTAMP"),
                  help_flag()};
    logs.handler = logs_cmd;
    t.add(logs);
    logs.path = "container logs";
    t.add(logs);
}

}  // namespace burrow::commands

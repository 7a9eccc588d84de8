// `events`: Podman's events as the file backend keeps them (src/engine/events.hpp), with its
// filters, --since/--until, --format, --stream and --no-trunc.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "src/commands/common.hpp"
#include "src/commands/container_view.hpp"
#include "src/commands/events_view.hpp"
#include "src/commands/register.hpp"
#include "src/engine/events.hpp"
#include "src/output/format.hpp"
#include "storage/store.hpp"

namespace burrow::commands {

using cli::Context;

namespace {

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

struct Printer {
    std::string format;
    bool json = false, truncate = false;
    output::ParsedFormat parsed;

    void print(const engine::Event& e, const std::string& line) const {
        std::string out;
        if (json) out = line + "\n";
        else if (!format.empty()) out = output::render_rows(parsed, {event_template_row(e)}, nlohmann::json::object(), true, "events");
        else out = event_human(e, truncate) + "\n";
        std::fwrite(out.data(), 1, out.size(), stdout);
        std::fflush(stdout);
    }
};

// Reads whole lines from `fd` from its current offset; a partial last line waits for its end.
struct LineReader {
    int fd;
    std::string pending;
    template <typename F>
    void drain(F&& on_line) {
        char buf[65536];
        for (;;) {
            ssize_t n = ::read(fd, buf, sizeof buf);
            if (n <= 0) return;
            pending.append(buf, static_cast<size_t>(n));
            size_t start = 0, nl;
            while ((nl = pending.find('\n', start)) != std::string::npos) {
                on_line(pending.substr(start, nl - start));
                start = nl + 1;
            }
            pending.erase(0, start);
        }
    }
};

int events_cmd(Context& ctx) {
    const auto& f = ctx.flags;
    const auto& cfg = engine::events_config();
    if (cfg.backend == "none") throw Error("cannot read events with the \"none\" backend");
    int64_t now = now_ns();
    EventQuery q = parse_event_query(f.get_list("filter"), f.get_string("since"), f.get_string("until"), now);
    bool stream = f.changed("stream") ? f.get_bool("stream") : true;
    // With --since or --until the whole log is read; otherwise only what comes from now on.
    bool from_start = !f.get_string("since").empty() || !f.get_string("until").empty() || !stream;

    Printer p;
    p.format = f.changed("format") ? f.get_string("format") : "";
    p.json = f.changed("format") && output::is_json_format(p.format);
    if (!p.format.empty() && !p.json) p.parsed = output::parse_format(p.format, "");
    p.truncate = f.changed("no-trunc") && !f.get_bool("no-trunc");

    std::string path = engine::events_target(ctx.store());
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd && errno == ENOENT) {  // Podman creates it so that a reader never waits for nothing
        std::string dir = path.substr(0, path.rfind('/'));
        for (size_t pos = 1; (pos = dir.find('/', pos)) != std::string::npos; ++pos) ::mkdir(dir.substr(0, pos).c_str(), 0700);
        ::mkdir(dir.c_str(), 0700);
        fd = UniqueFd(::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0600));
    }
    if (!fd) throw_errno("open the events log `" + path + "`");
    if (!from_start) ::lseek(fd.get(), 0, SEEK_END);
    LineReader reader{fd.get(), {}};
    auto on_line = [&](const std::string& line) {
        auto e = event_from_json(line);
        if (e && event_matches(*e, q)) p.print(*e, line);
    };
    reader.drain(on_line);
    if (!stream) return 0;
    for (;;) {
        if (q.until && now_ns() >= *q.until) return 0;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        reader.drain(on_line);
    }
}

}  // namespace

void register_events(cli::CommandTable& t) {
    cli::Command c;
    c.path = "events";
    c.use = "[options]";
    c.short_help = "Show podman events";
    c.long_help = "Monitor podman events";
    cli::FlagSpec filter = list_flag("filter", 'f', "filter output");
    cli::FlagSpec no_trunc = bool_flag("no-trunc", 0, "do not truncate the output");
    no_trunc.default_value = "true";
    cli::FlagSpec stream = bool_flag("stream", 0, "stream new events; for testing only", true);
    stream.default_value = "true";
    c.flags = {filter,
               string_flag("format", 0, "format the output using a Go template"),
               no_trunc,
               string_flag("since", 0, "show all events created since timestamp"),
               stream,
               string_flag("until", 0, "show all events until timestamp"),
               help_flag()};
    c.max_args = 0;
    c.handler = events_cmd;
    t.add(c);
    c.path = "system events";
    t.add(c);
}

}  // namespace burrow::commands

// burrow-supervisor: what a detached container keeps resident. burrow starts the container,
// then execs this small program in the same process, so the container stays its child:
//   burrow-supervisor ROOT ID PID OUT_FD ERR_FD REMOVE BURROW_EXE RUNROOT [net=NETWORK] [in=FD attach=FD]
//                     [log=PATH] [events=LOG] [timeout=SECONDS]
// log=: the log file ("" = none, for the none/journald/passthrough drivers; default ctr.log).
// net=: net/network_runtime.hpp's encoding of tap0 and the published ports; in= and attach= for
// -i: the container's stdin and the attach FIFO that feeds it; events= the events log that gets
// the container's "died" ("" = the none backend).
// It copies the container's output into the log, runs its network, records the exit code and
// time, and for --rm hands the removal to burrow itself.
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "net/network_runtime.hpp"
#include "src/engine/events.hpp"
#include "src/engine/supervisor.hpp"
#include "storage/container_store.hpp"
#include "base/fs.hpp"
#include "storage/lock.hpp"

using namespace burrow;

namespace {

void died_event(const std::string& log, const std::string& dir, int code) {
    if (log.empty()) return;
    try {
        auto text = burrow::read_file_if_exists(dir + "/config.json");
        if (!text) return;
        auto cfg = storage::config_from_json(*text);
        engine::Event e;
        e.type = "container";
        e.status = "died";
        e.id = cfg.id;
        e.name = cfg.name;
        e.image = cfg.image_name.empty() ? cfg.raw_image_name : cfg.image_name;
        e.exit_code = code;
        e.attributes = cfg.labels;
        e.has_attributes = true;
        engine::append_event(log, std::move(e));
    } catch (const std::exception&) {
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 9) return 125;
    std::string root = argv[1], id = argv[2];
    pid_t pid = std::atoi(argv[3]);
    engine::SuperviseOptions o;
    o.pid = pid;
    o.out_fd = std::atoi(argv[4]);
    o.err_fd = std::atoi(argv[5]);
    bool remove = std::string(argv[6]) == "1";
    std::string network_arg, events_log;
    bool events_none = false;
    std::optional<std::string> log_arg;
    for (int i = 9; i < argc; ++i) {
        std::string a = argv[i];
        if (a.rfind("net=", 0) == 0) network_arg = a.substr(4);
        else if (a.rfind("log=", 0) == 0) log_arg = a.substr(4);
        else if (a.rfind("timeout=", 0) == 0) o.timeout_s = static_cast<unsigned>(std::atoi(a.c_str() + 8));
        else if (a.rfind("in=", 0) == 0) o.in_fd = std::atoi(a.c_str() + 3);
        else if (a.rfind("attach=", 0) == 0) o.attach_in_fd = std::atoi(a.c_str() + 7);
        else if (a.rfind("events=", 0) == 0) events_log = a.substr(7), events_none = events_log.empty();
    }
    std::string burrow_exe = argv[7], runroot = argv[8];
    // Paths as storage/container_store.hpp lays them out; the store classes themselves are not
    // linked here (they bring TOML and libcrypto, which would cost every running container memory).
    std::string dir = root + "/containers/" + id;
    std::unique_ptr<net::NetworkRuntime> network;
    if (!network_arg.empty()) {
        try {
            auto decoded = net::decode_network(network_arg, pid);
            network = std::move(decoded.runtime);
            // A port libslirp cannot bind (taken since the caller tried it) costs that port only.
            network->add_slirp_forwards(decoded.slirp_forwards);
        } catch (const std::exception&) {
            // Without its network (or some port) the container still runs and is still supervised.
        }
    }
    o.network = network.get();
    try {
        o.log_path = log_arg ? *log_arg : dir + "/ctr.log";
        int code = engine::supervise(o);
        // The ports are free again before the exit is on record: a restart that sees the exit
        // binds them at once.
        o.network = nullptr;
        network.reset();
        if (burrow::path_exists(dir + "/config.json")) {
            auto lock = storage::Lock::acquire(root + "/locks/container-" + id + ".lock", storage::Lock::Mode::exclusive);
            auto text = burrow::read_file_if_exists(dir + "/state.json");
            if (text && burrow::path_exists(dir + "/config.json")) {
                storage::ContainerState st = storage::state_from_json(*text);
                if (st.pid == pid) {
                    st.status = storage::Status::exited;
                    st.exit_code = code;
                    st.exit_known = true;
                    st.finished_at = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count();
                    burrow::atomic_write_file(dir + "/state.json", storage::state_to_json(st), 0600, false);
                    died_event(events_log, dir, code);
                }
            }
        }
    } catch (const std::exception&) {
        return 125;
    }
    if (remove) {
        std::vector<std::string> args{"burrow", "--root", root, "--runroot", runroot};
        if (events_none) args.insert(args.end(), {"--events-backend", "none"});  // as the run was told
        args.insert(args.end(), {"rm", "--force", "--ignore", "--volumes", id});
        std::vector<char*> av;
        for (auto& a : args) av.push_back(a.data());
        av.push_back(nullptr);
        ::execv(burrow_exe.c_str(), av.data());
        return 125;
    }
    return 0;
}

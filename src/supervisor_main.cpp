// burrow-supervisor: what a detached container keeps resident. burrow starts the container,
// then execs this small program in the same process, so the container stays its child:
//   burrow-supervisor ROOT ID PID OUT_FD ERR_FD REMOVE BURROW_EXE RUNROOT
// It copies the container's output into the log, records the exit code and time, and for
// --rm hands the removal to burrow itself.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "src/engine/supervisor.hpp"
#include "storage/container_store.hpp"
#include "storage/store.hpp"

using namespace burrow;

int main(int argc, char** argv) {
    if (argc < 9) return 125;
    std::string root = argv[1], id = argv[2];
    pid_t pid = std::atoi(argv[3]);
    engine::SuperviseOptions o;
    o.pid = pid;
    o.out_fd = std::atoi(argv[4]);
    o.err_fd = std::atoi(argv[5]);
    bool remove = std::string(argv[6]) == "1";
    std::string burrow_exe = argv[7], runroot = argv[8];
    try {
        storage::StoreOptions opts;
        opts.root = root;
        opts.runroot = runroot;
        storage::Store store(opts);
        storage::ContainerStore containers(store);
        o.log_path = containers.log_path(id);
        int code = engine::supervise(o);
        if (containers.config(id)) {
            auto lock = containers.lock(id);
            storage::ContainerState st = containers.raw_state(id);
            if (containers.config(id) && st.pid == pid) {
                st.status = storage::Status::exited;
                st.exit_code = code;
                st.exit_known = true;
                st.finished_at = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
                containers.put_state(id, st);
            }
        }
    } catch (const std::exception&) {
        return 125;
    }
    if (remove) {
        std::vector<std::string> args{"burrow", "--root", root, "--runroot", runroot, "rm", "--force", "--ignore", id};
        std::vector<char*> av;
        for (auto& a : args) av.push_back(a.data());
        av.push_back(nullptr);
        ::execv(burrow_exe.c_str(), av.data());
        return 125;
    }
    return 0;
}

#include "src/engine/container_fs.hpp"

#include "base/error.hpp"
#include "rootless/container_process.hpp"
#include "rootless/rootfs_session.hpp"
#include "src/engine/container_setup.hpp"
#include "storage/store.hpp"

namespace burrow::engine {

int run_in_container_fs(storage::Store& store, const storage::ContainerConfig& cfg, const std::function<int()>& fn) {
    storage::ContainerStore containers(store);
    auto st = containers.state(cfg.id);
    if (st.status == storage::Status::running || st.status == storage::Status::stopping)
        return rootless::run_in_container_mounts(st.pid, fn);
    auto lock = containers.lock(cfg.id);
    st = containers.state(cfg.id);
    if (st.status == storage::Status::running) {  // started while we waited for the lock
        lock.release();
        return rootless::run_in_container_mounts(st.pid, fn);
    }
    PreparedContainer prep = prepare_container(store, cfg);
    return rootless::run_in_stopped_rootfs(prep.spec, prep.map, fn);
}

}  // namespace burrow::engine

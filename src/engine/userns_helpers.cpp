#include "src/engine/userns_helpers.hpp"

#include "rootless/userns.hpp"

namespace burrow::engine {
namespace {

class UsernsChild final : public storage::HelperProcess {
public:
    explicit UsernsChild(rootless::Child c) : child_(std::move(c)) {}
    int wait() override { return child_.wait(); }

private:
    rootless::Child child_;
};

class UsernsHelpers final : public storage::HelperRunner {
public:
    std::unique_ptr<storage::HelperProcess> spawn(const IdMapping& map, const std::vector<std::string>& args,
                                                  const std::vector<int>& pass_fds) const override {
        return std::make_unique<UsernsChild>(rootless::spawn_in_userns(map, args, pass_fds));
    }
    void run(const IdMapping& map, const std::vector<std::string>& args) const override {
        rootless::run_in_userns(map, args);
    }
};

}  // namespace

const storage::HelperRunner& userns_helpers() {
    static const UsernsHelpers helpers;
    return helpers;
}

}  // namespace burrow::engine

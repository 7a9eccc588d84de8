// `image exists` and `container exists`: exit 0 when the object is there, 1 when it is not, 125
// when the name cannot be looked up at all (Podman's codes). `volume exists` lives with volumes.
#include "base/error.hpp"
#include "base/strings.hpp"
#include "src/commands/common.hpp"
#include "src/commands/register.hpp"
#include "storage/container_store.hpp"
#include "storage/store.hpp"

namespace burrow::commands {

using cli::Context;

namespace {

constexpr int kExitMissing = 1;

bool all_hex(const std::string& s) {
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

// The lookups libimage refuses outright (Podman then fails with 125 rather than answering 1):
// a transport other than local storage, and "sha256:" without a full 64-digit hex id.
void check_image_name(const std::string& name) {
    auto colon = name.find(':');
    if (colon != std::string::npos && name.compare(colon, 3, "://") == 0 && name.find('/') > colon)
        throw Error("unsupported transport \"" + name.substr(0, colon) + "\" for looking up local images");
    if (name.rfind("sha256:", 0) == 0) {
        std::string hex = name.substr(7);
        if (hex.size() != 64 || !all_hex(hex)) throw Error(name + ": invalid format: no 64-byte hexadecimal value");
    }
}

int image_exists(Context& ctx) {
    const std::string& name = ctx.args[0];
    check_image_name(name);
    storage::Store& store = ctx.store();
    auto lock = store.lock_shared();
    if (store.find_image(name)) return 0;
    if (auto why = image_name_error(name); !why.empty()) throw Error(why);
    return kExitMissing;
}

int container_exists(Context& ctx) {
    storage::ContainerStore containers(ctx.store());
    return containers.find(ctx.args[0]) ? 0 : kExitMissing;
}

}  // namespace

void register_exists(cli::CommandTable& t) {
    cli::Command image;
    image.path = "image exists";
    image.use = "IMAGE";
    image.short_help = "Check if an image exists in local storage";
    image.long_help =
        "If the named image exists in local storage, podman image exists exits with 0, otherwise the exit code will be 1.";
    image.examples = {"burrow image exists ID", "burrow image exists IMAGE && burrow pull IMAGE"};
    image.flags = {help_flag()};
    image.min_args = 1;
    image.max_args = 1;
    image.handler = image_exists;
    t.add(image);

    cli::Command ctr;
    ctr.path = "container exists";
    ctr.use = "[options] CONTAINER";
    ctr.short_help = "Check if a container exists in local storage";
    ctr.long_help =
        "If the named container exists in local storage, podman container exists exits with 0, otherwise the exit code will be 1.";
    ctr.examples = {"burrow container exists --external containerID",
                    "burrow container exists myctr || burrow run --name myctr [etc...]"};
    // burrow's store holds only its own containers, so "external ones as well" adds nothing to look at.
    ctr.flags = {bool_flag("external", 0, "Check external storage containers as well as Podman containers"), help_flag()};
    ctr.min_args = 1;
    ctr.max_args = 1;
    ctr.handler = container_exists;
    t.add(ctr);
}

}  // namespace burrow::commands

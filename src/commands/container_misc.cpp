// placeholder: being written
#include "src/commands/register.hpp"

namespace burrow::commands {
void register_container_misc(cli::CommandTable&) {}
}  // namespace burrow::commands

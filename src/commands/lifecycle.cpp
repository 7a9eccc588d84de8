// placeholder: being written
#include "src/commands/register.hpp"

namespace burrow::commands {
void register_lifecycle(cli::CommandTable&) {}
}  // namespace burrow::commands

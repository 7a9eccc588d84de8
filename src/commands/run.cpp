// placeholder: being written
#include "src/commands/register.hpp"

namespace burrow::commands {
void register_run(cli::CommandTable&) {}
}  // namespace burrow::commands

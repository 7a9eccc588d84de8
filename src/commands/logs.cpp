// placeholder: being written
#include "src/commands/register.hpp"

namespace burrow::commands {
void register_logs(cli::CommandTable&) {}
}  // namespace burrow::commands

#pragma once

namespace burrow::cli {
// Parses global flags, dispatches to the command table, prints "Error: ..." and returns the exit code.
int run_app(int argc, char** argv);
}

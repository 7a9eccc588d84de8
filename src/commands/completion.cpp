// `completion`: print (or write with -f) a shell completion script made from the command table.
#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/strings.hpp"
#include "src/cli/completion.hpp"
#include "src/cli/print.hpp"
#include "src/commands/register.hpp"

namespace burrow::commands {
namespace {

int completion_cmd(cli::Context& ctx) {
    std::string script = cli::completion_script(cli::command_table(), cli::global_flags(), ctx.args.at(0));
    // --no-desc: only fish's script carries descriptions (each line's last option, -d '...').
    if (ctx.flags.get_bool("no-desc")) {
        std::string bare;
        for (const auto& line : split(script, '\n')) {
            size_t d = line.find(" -d '");
            bare += (d == std::string::npos ? line : line.substr(0, d)) + "\n";
        }
        bare.pop_back();  // split gave one more (empty) piece after the last newline
        script = bare;
    }
    std::string file = ctx.flags.get_string("file");
    if (file.empty() || file == "-") {
        cli::print_out(script);
    } else {
        atomic_write_file(file, script, 0644);
    }
    return 0;
}

}  // namespace

void register_completion(cli::CommandTable& t) {
    cli::Command c;
    c.path = "completion";
    c.use = "[options] {bash|zsh|fish}";
    c.short_help = "Generate shell autocompletions";
    c.long_help = "Generates shell completion scripts from burrow's command table (bash, zsh, fish).";
    c.examples = {"burrow completion bash > ~/.local/share/bash-completion/completions/burrow",
                  "burrow completion -f ~/.config/fish/completions/burrow.fish fish"};
    c.flags = {cli::FlagSpec{"file", 'f', cli::FlagType::String, "", "Output the completion to file rather than stdout.", false, "string"},
               cli::FlagSpec{"no-desc", 0, cli::FlagType::Bool, "false", "Don't include descriptions in the completion output.", false, ""}};
    c.min_args = 1;
    c.max_args = 1;
    c.handler = completion_cmd;
    t.add(std::move(c));
}

}  // namespace burrow::commands

// `login` / `logout`: credentials in auth.json, checked against the registry first.
#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "base/error.hpp"
#include "base/strings.hpp"
#include "pull/auth.hpp"
#include "pull/registries_conf.hpp"
#include "src/cli/print.hpp"
#include "src/commands/common.hpp"
#include "src/commands/login_verify.hpp"
#include "src/commands/register.hpp"

namespace burrow::commands {

using cli::Context;

namespace {

// "https://reg:5000/" -> "reg:5000"; a path after the host is kept ("reg/ns" logs in for a namespace).
std::string registry_key(std::string s) {
    for (const char* scheme : {"https://", "http://"})
        if (s.rfind(scheme, 0) == 0) s = s.substr(std::string(scheme).size());
    while (!s.empty() && s.back() == '/') s.pop_back();
    return s;
}

std::string prompt_line(const std::string& prompt, bool secret) {
    cli::print_out(prompt);
    std::fflush(stdout);
    termios old{};
    bool restore = secret && tcgetattr(STDIN_FILENO, &old) == 0;
    if (restore) {
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    std::string line;
    std::getline(std::cin, line);
    if (restore) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        cli::print_out("\n");
    }
    return line;
}

int login_cmd(Context& ctx) {
    const auto& f = ctx.flags;
    if (ctx.args.empty()) throw Error("please provide a registry to login to");
    std::string key = registry_key(ctx.args[0]);
    std::string authfile = f.get_string("authfile");
    if (f.get_bool("get-login")) {
        auto creds = pull::lookup_credentials(key, authfile);
        if (!creds || creds->username.empty()) throw Error("not logged into " + key);
        cli::print_out(creds->username + "\n");
        return 0;
    }
    std::string user = f.get_string("username"), pass = f.get_string("password");
    if (f.get_bool("password-stdin")) {
        if (f.changed("password")) throw Error("can't specify both --password-stdin and --password");
        if (user.empty()) throw Error("must provide --username with --password-stdin");
        std::string all((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
        while (!all.empty() && (all.back() == '\n' || all.back() == '\r')) all.pop_back();
        pass = all;
    }
    if (user.empty() && pass.empty()) {
        if (auto existing = pull::lookup_credentials(key, authfile)) {
            cli::print_out("Authenticating with existing credentials for " + key + "\n");
            try {
                verify_login(ctx, key, *existing);
                cli::print_out("Existing credentials are valid. Already logged in to " + key + "\n");
                return 0;
            } catch (const Error&) {
                cli::print_out("Existing credentials are invalid, please enter valid username and password\n");
            }
        }
    }
    bool tty = isatty(STDIN_FILENO);
    if (user.empty()) {
        if (!tty) throw Error("username is required: use --username (stdin is not a terminal)");
        user = std::string(trim(prompt_line("Username: ", false)));
    }
    if (pass.empty()) {
        if (!tty) throw Error("password is required: use --password or --password-stdin (stdin is not a terminal)");
        pass = prompt_line("Password: ", true);
    }
    if (user.empty()) throw Error("username can't be empty");
    if (pass.empty()) throw Error("password can't be empty");
    pull::Credentials creds{user, pass, ""};
    verify_login(ctx, key, creds);
    pull::store_credentials(key, creds, authfile);
    // -v: the file written, as Podman names it.
    if (f.get_bool("verbose")) cli::print_out("Used:  " + pull::auth_file_paths(authfile).front() + "\n");
    cli::print_out("Login Succeeded!\n");
    return 0;
}

int logout_cmd(Context& ctx) {
    std::string authfile = ctx.flags.get_string("authfile");
    if (ctx.flags.get_bool("all")) {
        if (!ctx.args.empty()) throw Error("--all takes no arguments");
        pull::remove_all_credentials(authfile);
        cli::print_out("Removed login credentials for all registries\n");
        return 0;
    }
    if (ctx.args.empty()) throw Error("please provide a registry to logout from");
    std::string key = registry_key(ctx.args[0]);
    if (!pull::remove_credentials(key, authfile)) throw Error("not logged into " + key);
    cli::print_out("Removed login credentials for " + key + "\n");
    return 0;
}

}  // namespace

void register_login(cli::CommandTable& t) {
    cli::Command login;
    login.path = "login";
    login.use = "[options] [REGISTRY]";
    login.short_help = "Login to a container registry";
    login.long_help = "Login to a container registry on a specified server.";
    login.examples = {"burrow login quay.io", "burrow login --username USERNAME --password-stdin 127.0.0.1:5000"};
    login.flags = {string_flag("authfile", 0, "path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override"),
                   string_flag("cert-dir", 0, "use certificates at the specified path to access the registry"),
                   bool_flag("get-login", 0, "Return the current login user for the registry"),
                   string_flag("password", 'p', "Password for registry"),
                   bool_flag("password-stdin", 0, "Take the password from stdin"),
                   bool_flag("tls-verify", 0, "Require HTTPS and verify certificates when contacting registries"),
                   string_flag("username", 'u', "Username for registry"),
                   bool_flag("verbose", 'v', "Write more detailed information to stdout"),
                   help_flag()};
    login.max_args = 1;
    login.handler = login_cmd;
    t.add(login);

    cli::Command logout;
    logout.path = "logout";
    logout.use = "[options] [REGISTRY]";
    logout.short_help = "Logout of a container registry";
    logout.long_help = "Remove the cached username and password for the registry.";
    logout.flags = {bool_flag("all", 'a', "Remove the cached credentials for all registries in the auth file"),
                    string_flag("authfile", 0, "path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override"),
                    help_flag()};
    logout.max_args = 1;
    logout.handler = logout_cmd;
    t.add(logout);
}

}  // namespace burrow::commands

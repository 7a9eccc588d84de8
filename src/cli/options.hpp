// A pflag-style option parser: the flag forms and error texts of Go's spf13/pflag as Podman's
// cobra commands show them, so scripts written for Podman parse the same way.
#pragma once
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace burrow::cli {

// Bool, String, Int as pflag's; StringList is pflag's stringArray (one value per use), StringSlice
// its string slice ("strings": each use may hold several, comma-separated), Uint rejects a sign,
// Count takes no value and counts its uses ("-vvv", or "--verbose=3").
enum class FlagType { Bool, String, StringList, Int, Uint, StringSlice, Count };

// Whether a flag is given without a value ("--all", "-v"), as bools and counts are.
inline bool takes_no_value(FlagType t) { return t == FlagType::Bool || t == FlagType::Count; }

struct FlagSpec {
    std::string name;        // long name without "--"
    char shorthand = 0;      // 0: none
    FlagType type = FlagType::Bool;
    std::string default_value;  // as text; shown in help when non-empty (not for bools "false")
    std::string usage;
    bool hidden = false;     // accepted but not listed in help (old spellings)
    std::string value_name;  // help placeholder: "string", "stringArray", "int"... ("" = from type)
};

// The values a parse produced. Lookups are by long name; a name the command did not declare throws
// (a programming error, caught by the unit tests).
class ParsedFlags {
public:
    bool changed(const std::string& name) const;
    bool get_bool(const std::string& name) const;
    std::string get_string(const std::string& name) const;
    std::vector<std::string> get_list(const std::string& name) const;  // a slice split at its commas
    long long get_int(const std::string& name) const;

    // Used by the parser.
    void declare(const FlagSpec& spec);
    void set(const std::string& name, const std::string& value);
    const FlagSpec* find_long(const std::string& name) const;
    const FlagSpec* find_short(char c) const;

private:
    const FlagSpec& spec(const std::string& name) const;
    std::vector<FlagSpec> specs_;
    std::map<std::string, std::vector<std::string>> values_;  // only flags given on the line
};

struct ParseResult {
    ParsedFlags flags;
    std::vector<std::string> args;  // positionals, in order
    bool dashdash = false;          // "--" was seen
};

// Thrown for a bad command line; the app prints "Error: <msg>" plus "See '<cmd> --help'".
class FlagError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// interspersed: flags may follow positionals; otherwise the first positional ends flag parsing
// (what `run IMAGE CMD -x` needs). Throws FlagError.
ParseResult parse_flags(const std::vector<FlagSpec>& specs, const std::vector<std::string>& argv, bool interspersed);

// Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False.
std::optional<bool> parse_go_bool(const std::string& s);

}  // namespace burrow::cli

#include "command_line_text.h"

#include <memory>
#include <regex>
#include <vector>

#include "hamlet/display_text.h"
#include "hamlet/language.h"
#include "table.h"

namespace hamlet::cli {

namespace {

// CLI11 writes group headings itself; this one shows them in the chosen
// language.
class TranslatedFormatter : public CLI::Formatter {
 public:
  TranslatedFormatter() {
    for (const char* key : {TrMark("Usage"), TrMark("OPTIONS"), TrMark("SUBCOMMAND"), TrMark("SUBCOMMANDS"),
                            TrMark("REQUIRED"), TrMark("Env"), TrMark("Needs"), TrMark("Excludes"),
                            TrMark("Positionals"), TrMark("TEXT"), TrMark("INT"), TrMark("UINT"), TrMark("FLOAT"),
                            TrMark("FILE"), TrMark("DIR")}) {
      // Labels CLI11 looks up by these names; make_option_opts translates
      // the value types it shows.
      label(key, Tr(key));
    }
  }

  // CLI11 pads by bytes; Vietnamese takes two or three bytes a letter.
  std::string make_option(const CLI::Option* opt, bool is_positional) const override {
    return Line(make_option_name(opt, is_positional) + make_option_opts(opt), make_option_desc(opt));
  }

  // CLI11 names a checked value by both types ("TEXT:FILE", "UINT:INT in
  // [1 - 100]", "TEXT:{a,b}"); the second is enough, in the chosen language.
  std::string make_option_opts(const CLI::Option* opt) const override {
    static const std::regex kBoth("\\b(?:TEXT|UINT|INT):(?=[A-Z{])");
    static const std::regex kWord("\\b(TEXT|UINT|INT|FLOAT|FILE|DIR|in)\\b");
    std::string opts = std::regex_replace(CLI::Formatter::make_option_opts(opt), kBoth, "");
    std::string out;
    auto end = std::sregex_iterator();
    size_t at = 0;
    for (auto it = std::sregex_iterator(opts.begin(), opts.end(), kWord); it != end; ++it) {
      out += opts.substr(at, static_cast<size_t>(it->position()) - at);
      out += it->str() == "in" ? Tr("in") : Tr(it->str().c_str());
      at = static_cast<size_t>(it->position() + it->length());
    }
    return out + opts.substr(at);
  }

  std::string make_subcommand(const CLI::App* sub) const override {
    return Line(sub->get_display_name(true), sub->get_description());
  }

  std::string make_group(std::string group, bool is_positional, std::vector<const CLI::Option*> opts) const override {
    return CLI::Formatter::make_group(Tr(group.c_str()), is_positional, std::move(opts));
  }

  std::string make_subcommands(const CLI::App* app, CLI::AppFormatMode mode) const override {
    std::string out = CLI::Formatter::make_subcommands(app, mode);
    const std::string heading = "\nSubcommands:\n";
    if (size_t at = out.find(heading); at != std::string::npos) {
      out.replace(at, heading.size(), std::string("\n") + Tr("Subcommands") + ":\n");
    }
    return out;
  }

 private:
  std::string Line(const std::string& name, const std::string& description) const {
    std::string out = "  " + name;
    if (!description.empty()) {
      size_t width = CharacterCount(out);
      out += width >= column_width_ ? "\n" + std::string(column_width_, ' ') : std::string(column_width_ - width, ' ');
      for (char c : description) {
        out += c;
        if (c == '\n') out += std::string(column_width_, ' ');
      }
    }
    return out + "\n";
  }
};

// The group headings CLI11 gives by default, for the catalogue.
[[maybe_unused]] constexpr const char* kHeadings[] = {TrMark("Options"), TrMark("Subcommands")};

struct Pattern {
  const char* english;  // CLI11's message, as a regular expression.
  const char* format;   // The sentence, with the expression's groups in order.
};

// CLI11's usage errors that a person meets. The formats take the groups of
// the expression as strings, in the order they appear in English; a
// translation may reorder them with %1$s, %2$s.
const Pattern kPatterns[] = {
    {"^A subcommand is required$", TrMark("a command is missing")},
    {"^(.+) is required$", TrMark("%s is required")},
    {"^The following arguments? (?:was|were) not expected: (.+)$", TrMark("not expected here: %s")},
    {"^Could not convert: (.+) = (.*)$", TrMark("%s does not take '%s'")},
    {"^The value (.+) is not an allowed value for (.+)$", TrMark("'%s' is not an allowed value for %s")},
    {"^(.+): File does not exist: (.+)$", TrMark("%s: there is no file %s")},
    {"^(.+): Directory does not exist: (.+)$", TrMark("%s: there is no folder %s")},
    {"^(.+): File is actually a directory: (.+)$", TrMark("%s: %s is a folder, not a file")},
    {"^(.+): Directory is actually a file: (.+)$", TrMark("%s: %s is a file, not a folder")},
    {"^(.+): Value (.+) not in range (.+) to (.+)$", TrMark("%s: %s is not between %s and %s")},
    {"^(.+): (.+) not in \\{(.+)\\}$", TrMark("%s: '%s' is not one of %s")},
    {"^(.+): Failed parsing (.+) as a (.+)$", TrMark("%s: '%s' is not a number")},
    {"^(.+) excludes (.+)$", TrMark("%s cannot be given together with %s")},
    {"^(.+) requires (.+)$", TrMark("%s needs %s as well")},
    {"^(.+): [0-9]+ required .+ missing$", TrMark("%s needs a value")},
    {"^Expected exactly ([0-9]+) arguments? to (.+), got ([0-9]+)$", TrMark("%2$s takes %1$s values, not %3$s")},
    {"^(.+): too many inputs for a flag$", TrMark("%s takes no value")},
};

std::string Apply(const char* format, const std::vector<std::string>& groups) {
  switch (groups.size()) {
    case 1: return Format(Tr(format), groups[0].c_str());
    case 2: return Format(Tr(format), groups[0].c_str(), groups[1].c_str());
    case 3: return Format(Tr(format), groups[0].c_str(), groups[1].c_str(), groups[2].c_str());
    case 4: return Format(Tr(format), groups[0].c_str(), groups[1].c_str(), groups[2].c_str(), groups[3].c_str());
    default: return Tr(format);
  }
}

}  // namespace

void TranslateHelp(CLI::App* app) {
  app->formatter(std::make_shared<TranslatedFormatter>());
  app->set_help_flag("-h,--help", Tr("Show this help and end"));
}

std::string DescribeUsageError(const CLI::Error& e) {
  const std::string what = e.what();
  for (const Pattern& p : kPatterns) {
    std::smatch m;
    if (!std::regex_match(what, m, std::regex(p.english))) continue;
    std::vector<std::string> groups;
    for (size_t i = 1; i < m.size(); i++) groups.push_back(m[i].str());
    return Apply(p.format, groups);
  }
  return Format(Tr("the command line is not right: %s"), what.c_str());
}

}  // namespace hamlet::cli

#include "commands.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "hamlet/display_text.h"
#include "hamlet/language.h"
#include "office/record_kinds.h"
#include "office/record_writes.h"
#include "table.h"

namespace hamlet::cli {

namespace {

using nlohmann::json;

// What search looks through: every kind of record, and follow-ups.
struct Searched {
  std::string collection;
  const char* noun;
  std::string date_field, title_field;
};

std::vector<Searched> SearchedCollections() {
  std::vector<Searched> out;
  for (const RecordSpec& s : Specs()) out.push_back({s.collection, s.noun, s.date_field, s.title_field});
  out.push_back({"followups", TrMark("follow-up"), "date", "note"});
  return out;
}

std::string FieldText(const Record& r, const std::string& name) {
  auto it = r.fields.find(name);
  return it == r.fields.end() ? "" : Show(it->second);
}

int Search(const Context& c, const std::vector<std::string>& words, size_t limit, bool as_json) {
  std::string text;
  for (const std::string& w : words) text += (text.empty() ? "" : " ") + w;
  if (text.find_first_not_of(' ') == std::string::npos) {
    return Refuse("search", Status::InvalidArgument(Tr("give words to look for")));
  }
  Opened o;
  if (int rc = Open(c, "search", &o); rc != kExitOk) return rc;
  std::vector<std::vector<std::string>> rows{{Tr("KIND"), Tr("ID"), Tr("DATE"), Tr("WHAT")}};
  json results = json::array();
  size_t total = 0, shown = 0;
  for (const Searched& s : SearchedCollections()) {
    Query q;
    q.workspace = o.ws;
    q.collection = s.collection;
    q.text = text;
    q.limit = limit;
    QueryResult res;
    Status st = o.replica->Find(q, &res);
    if (!st.ok()) return Refuse("search", st);
    total += res.total;
    for (Record& r : res.records) {
      if (shown == limit) break;
      shown++;
      if (as_json) {
        results.push_back(ReadableJson(*o.replica, o.ws, r));
        continue;
      }
      std::string what = FieldText(r, s.title_field);
      if (s.collection == "followups") {
        what = Format(Tr("on concern %s: %s"), FieldText(r, "concern").substr(0, 8).c_str(), what.c_str());
      }
      rows.push_back({Tr(s.noun), r.id.Hex().substr(0, 8), s.date_field.empty() ? "-" : FieldText(r, s.date_field),
                      ClipCharacters(what, 60)});
    }
  }
  if (as_json) {
    std::printf("%s\n", json{{"total", total}, {"records", results}}.dump().c_str());
    return kExitOk;
  }
  if (shown) PrintTable(rows);
  Say(Format(Tr("%zu of %zu found."), shown, total));
  return kExitOk;
}

int ListConflicts(const Context& c, bool as_json) {
  Opened o;
  if (int rc = Open(c, "conflicts", &o); rc != kExitOk) return rc;
  std::vector<Conflict> all;
  Status s = o.replica->Conflicts(o.ws, &all);
  if (!s.ok()) return Refuse("conflicts", s);
  if (as_json) {
    json out = json::array();
    for (const Conflict& k : all) {
      json values = json::array({ReadableValue(*o.replica, o.ws, k.winner)});
      for (const Value& v : k.others) values.push_back(ReadableValue(*o.replica, o.ws, v));
      out.push_back({{"record", k.record.Hex()}, {"collection", k.collection}, {"field", k.field}, {"values", values}});
    }
    std::printf("%s\n", json{{"conflicts", out}}.dump().c_str());
    return kExitOk;
  }
  if (all.empty()) {
    Say(Tr("No conflicts: every field has one value."));
    return kExitOk;
  }
  for (const Conflict& k : all) {
    const RecordSpec* spec = SpecFor(k.collection);
    Say(Format(Tr("%s %s, %s:"), spec ? Tr(spec->noun) : k.collection.c_str(), k.record.Hex().substr(0, 8).c_str(),
               FieldLabel(spec, k.field).c_str()));
    Say("  1. " + ReadableValue(*o.replica, o.ws, k.winner) + "  " + Tr("(shown now)"));
    for (size_t i = 0; i < k.others.size(); i++) {
      std::printf("  %zu. %s\n", i + 2, ReadableValue(*o.replica, o.ws, k.others[i]).c_str());
    }
  }
  Say(Format(TrN("%zu field with concurrent values. Settle one with: hamlet conflicts settle ID FIELD --pick N",
                  "%zu fields with concurrent values. Settle one with: hamlet conflicts settle ID FIELD --pick N",
                  all.size()),
             all.size()));
  return kExitOk;
}

struct SettleArgs {
  std::string id, field, value;
  size_t pick = 0;
};

int Settle(const Context& c, const SettleArgs& a) {
  const std::string what = "conflicts settle";
  if ((a.pick == 0) == a.value.empty()) {
    return Refuse(what, Status::InvalidArgument(Tr("give either --pick N or --value TEXT")));
  }
  if (a.id.size() < 6) return Refuse(what, Status::InvalidArgument(Tr("give at least 6 digits of the id")));
  Opened o;
  if (int rc = Open(c, what, &o); rc != kExitOk) return rc;
  std::vector<Conflict> all;
  Status s = o.replica->Conflicts(o.ws, &all);
  if (!s.ok()) return Refuse(what, s);
  std::vector<const Conflict*> matching;
  for (const Conflict& k : all) {
    if (k.record.Hex().rfind(a.id, 0) == 0 && k.field == a.field) matching.push_back(&k);
  }
  if (matching.empty()) {
    return Refuse(what, Status::NotFound(Format(Tr("no conflict on field %s of a record starting with %s"),
                                                a.field.c_str(), a.id.c_str())));
  }
  if (matching.size() > 1) {
    return Refuse(what, Status::InvalidArgument(Format(Tr("several records start with %s"), a.id.c_str())));
  }
  const Conflict& k = *matching[0];
  const RecordSpec* spec = SpecFor(k.collection);
  WriteBatch b;
  Value chosen;
  s = PrepareSettle(*o.replica, o.ws, k, a.pick, a.value, &b, &chosen);
  if (!s.ok()) return Refuse(what, s);
  s = WriteWithWarnings(*o.replica, o.ws, b);
  if (!s.ok()) return Refuse(what, s);
  Say(Format(Tr("Settled %s of %s %s: %s"), FieldLabel(spec, a.field).c_str(),
             spec ? Tr(spec->noun) : k.collection.c_str(), k.record.Hex().c_str(),
             ReadableValue(*o.replica, o.ws, chosen).c_str()));
  return kExitOk;
}

}  // namespace

void AddBrowseCommands(CLI::App* app, const Context* c) {
  auto words = std::make_shared<std::vector<std::string>>();
  auto limit = std::make_shared<size_t>(50);
  auto search_json = std::make_shared<bool>(false);
  CLI::App* search = app->add_subcommand("search", Tr("Find dialogues, concerns, models and follow-ups by words"));
  search->add_option("text", *words, Tr("Words that must all occur (accents optional)"))->required();
  search->add_option("--limit", *limit, Tr("At most this many"))->check(CLI::Range(1, 100000))->capture_default_str();
  search->add_flag("--json", *search_json, Tr("Print JSON"));
  OnRun(search, [c, words, limit, search_json] { return Search(*c, *words, *limit, *search_json); });

  auto conflicts_json = std::make_shared<bool>(false);
  CLI::App* conflicts = app->add_subcommand("conflicts", Tr("List fields edited on several devices at once"));
  conflicts->add_flag("--json", *conflicts_json, Tr("Print JSON"));
  OnRunAlone(conflicts, [c, conflicts_json] { return ListConflicts(*c, *conflicts_json); });
  auto args = std::make_shared<SettleArgs>();
  CLI::App* settle =
      conflicts->add_subcommand("settle", Tr("Keep one of a field's concurrent values, or write another"));
  settle->add_option("id", args->id, Tr("The record's id, or its first 6 or more digits"))->required();
  settle->add_option("field", args->field, Tr("The field, as hamlet conflicts names it"))->required();
  settle->add_option("--pick", args->pick, Tr("The number of the value to keep, as hamlet conflicts lists them"));
  settle->add_option("--value", args->value, Tr("A new value instead"));
  OnRun(settle, [c, args] { return Settle(*c, *args); });
}

}  // namespace hamlet::cli

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "commands.h"
#include "hamlet/env.h"
#include "hamlet/hub_client.h"
#include "hamlet/json.h"
#include "hamlet/language.h"
#include "office/attachments.h"
#include "office/record_kinds.h"
#include "office/sync_round.h"
#include "stop_signal.h"
#include "table.h"

namespace hamlet::cli {

namespace {

struct AttachArgs {
  std::string id, file, name, type;
};

int Attach(const Context& c, const RecordSpec& spec, const AttachArgs& a) {
  const std::string what = spec.command + " attach";
  struct stat st;
  if (stat(a.file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Refuse(what, Status::InvalidArgument(Format(Tr("%s is not a file this program can read"), a.file.c_str())));
  }
  std::string bytes;
  Status s = Env::Default()->ReadFile(a.file, &bytes);
  if (!s.ok()) return Refuse(what, s);
  Opened o;
  if (int rc = Open(c, what, &o); rc != kExitOk) return rc;
  Record rec;
  s = FindRecord(*o.replica, o.ws, spec, a.id, &rec);
  if (!s.ok()) return Refuse(what, s);
  std::string name = a.name.empty() ? SafeFileName(a.file) : a.name;
  std::string type = a.type.empty() ? MediaTypeFor(name) : a.type;
  PrintWarnings(*o.replica, o.ws);
  Attachment att;
  s = o.replica->Attach(o.ws, rec.id, bytes, name, type, &att);
  if (!s.ok()) return Refuse(what, s);
  Say(Format(Tr("Attached %s (%s) to %s %s as attachment %s. It goes to the hub at the next sync."), name.c_str(),
             ByteSize(bytes.size()).c_str(), Tr(spec.noun), rec.id.Hex().substr(0, 8).c_str(),
             att.reference.Hex().substr(0, 8).c_str()));
  return kExitOk;
}

struct ListArgs {
  std::string record;
  bool as_json = false;
};

int List(const Context& c, const ListArgs& a) {
  const std::string what = "attachment list";
  Opened o;
  if (int rc = Open(c, what, &o); rc != kExitOk) return rc;
  std::vector<Attachment> list;
  Status s;
  if (a.record.empty()) {
    s = o.replica->Attachments(o.ws, nullptr, &list);
  } else {
    // The record may be of any kind: find it among them all.
    Record rec;
    s = Status::NotFound(Format(Tr("no record starts with %s"), a.record.c_str()));
    for (const RecordSpec& spec : Specs()) {
      Status found = FindRecord(*o.replica, o.ws, spec, a.record, &rec);
      if (found.code() != Code::kNotFound) {
        s = found;
        break;
      }
    }
    if (s.ok()) s = o.replica->Attachments(o.ws, &rec.id, &list);
  }
  if (!s.ok()) return Refuse(what, s);
  if (a.as_json) {
    std::printf("%s\n", AttachmentsToJson(list).c_str());
    return kExitOk;
  }
  if (list.empty()) {
    Say(Tr("No attachments."));
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows{{Tr("ID"), Tr("RECORD"), Tr("NAME"), Tr("SIZE"), Tr("WHERE")}};
  for (const Attachment& att : list) {
    rows.push_back({att.reference.Hex().substr(0, 8), att.record.Hex().substr(0, 8), AttachmentName(att),
                    ByteSize(att.size), AttachmentStateText(att)});
  }
  PrintTable(rows);
  return kExitOk;
}

struct GetArgs {
  std::string id, out, hub, ca_file;
  int give_up_after_s = 120;
};

int Get(const Context& c, const GetArgs& a) {
  const std::string what = "attachment get";
  Opened o;
  if (int rc = Open(c, what, &o); rc != kExitOk) return rc;
  Attachment att;
  Status s = FindAttachment(*o.replica, o.ws, a.id, &att);
  if (!s.ok()) return Refuse(what, s);
  const std::string out = a.out.empty() ? SafeFileName(att.name) : a.out;
  struct stat st;
  if (out != "-" && stat(out.c_str(), &st) == 0) {
    return Refuse(what, Status::AlreadyExists(Format(
                            Tr("%s exists already: name another file with --out, or remove it first"), out.c_str())));
  }
  if (!att.held) {
    SyncOptions options;
    s = c.PickHub(*o.replica, o.ws, a.hub, &options.hub);
    if (!s.ok()) return Refuse(what, s);
    options.ca_file = a.ca_file;
    options.give_up_after_ms = int64_t{a.give_up_after_s} * 1000;
    const bool tty = isatty(STDERR_FILENO);
    bool drew = false;
    if (tty) {
      options.progress = [&](const SyncProgress& p) {
        std::fprintf(stderr, "\r\033[K%s%s", PhaseText(p).c_str(), LinkDownText(p).c_str());
        drew = true;
      };
    }
    HubClient client(o.replica.get(), options);
    {
      StopOnSignal stop([&] { client.Cancel(); });
      s = client.FetchAttachment(o.ws, att.reference);
    }
    if (drew) std::fprintf(stderr, "\n");
    if (!s.ok()) return Report(what, s);
  }
  std::string bytes;
  s = o.replica->ReadAttachment(att.reference, &bytes);
  if (s.ok()) {
    if (out == "-") {
      s = std::fwrite(bytes.data(), 1, bytes.size(), stdout) == bytes.size() && std::fflush(stdout) == 0
              ? Status::OK()
              : Status::Unavailable(Tr("cannot write to standard output"));
    } else {
      s = Env::Default()->WriteFileAtomic(out, bytes);
    }
  }
  if (!s.ok()) return Report(what, s);
  if (out != "-")
    Say(Format(Tr("Wrote %s (%s) to %s."), AttachmentName(att).c_str(), ByteSize(bytes.size()).c_str(), out.c_str()));
  return kExitOk;
}

int Drop(const Context& c, const std::string& id) {
  const std::string what = "attachment drop";
  Opened o;
  if (int rc = Open(c, what, &o); rc != kExitOk) return rc;
  Attachment att;
  Status s = FindAttachment(*o.replica, o.ws, id, &att);
  if (s.ok()) s = o.replica->DropAttachment(att.reference);
  if (!s.ok()) return Refuse(what, s);
  Say(att.sent || !att.held
          ? Format(Tr("Dropped attachment %s (%s) from its record."), att.reference.Hex().substr(0, 8).c_str(),
                   AttachmentName(att).c_str())
          : Format(Tr("Dropped attachment %s (%s) from its record; its bytes stay on this device until the hub has "
                      "them."),
                   att.reference.Hex().substr(0, 8).c_str(), AttachmentName(att).c_str()));
  return kExitOk;
}

}  // namespace

void AddAttachCommand(CLI::App* cmd, const Context* c, const RecordSpec* spec) {
  auto args = std::make_shared<AttachArgs>();
  CLI::App* attach = cmd->add_subcommand(
      "attach", Format(Tr("Attach a file (a photo of a letter, a signed record) to a %s, sealed on this device"),
                       Tr(spec->noun)));
  attach->add_option("id", args->id, Tr("Its id, or its first 6 or more digits"))->required();
  attach->add_option("file", args->file, Tr("The file to attach"))->required();
  attach->add_option("--name", args->name, Tr("The name others see (default: the file's name)"));
  attach->add_option("--type", args->type, Tr("Its media type, such as image/jpeg (default: from the name)"));
  OnRun(attach, [c, spec, args] { return Attach(*c, *spec, *args); });
}

void AddAttachmentCommands(CLI::App* app, const Context* c) {
  CLI::App* cmd = app->add_subcommand("attachment", Tr("List, fetch and drop the files attached to records"));
  cmd->require_subcommand(1);

  auto list_args = std::make_shared<ListArgs>();
  CLI::App* list = cmd->add_subcommand("list", Tr("List the attachments, of one record or of all"));
  list->add_option("record", list_args->record, Tr("A record's id, or its first 6 or more digits"));
  list->add_flag("--json", list_args->as_json, Tr("Print JSON"));
  OnRun(list, [c, list_args] { return List(*c, *list_args); });

  auto get_args = std::make_shared<GetArgs>();
  if (const char* hub = std::getenv("HAMLET_HUB")) get_args->hub = hub;
  CLI::App* get =
      cmd->add_subcommand("get", Tr("Write an attachment to a file, fetching it from the hub if this device lacks it"));
  get->add_option("id", get_args->id, Tr("The attachment's id, or its first 6 or more digits"))->required();
  get->add_option("-o,--out", get_args->out, Tr("Where to write it (default: its name, here; - for standard output)"));
  get->add_option("--hub", get_args->hub,
                  Tr("The hub, http://HOST:PORT or https://HOST:PORT (default: $HAMLET_HUB, else the workspace's)"));
  get->add_option("--ca-file", get_args->ca_file, Tr("PEM bundle of the CA that signed the hub's certificate"))
      ->check(CLI::ExistingFile);
  get->add_option("--give-up-after", get_args->give_up_after_s,
                  Tr("Seconds to keep trying when nothing comes through the link; as long as something does, "
                     "the sync goes on"))
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  OnRun(get, [c, get_args] { return Get(*c, *get_args); });

  auto drop_id = std::make_shared<std::string>();
  CLI::App* drop = cmd->add_subcommand(
      "drop", Tr("Detach a file from its record; its bytes leave this device once the hub has them"));
  drop->add_option("id", *drop_id, Tr("The attachment's id, or its first 6 or more digits"))->required();
  OnRun(drop, [c, drop_id] { return Drop(*c, *drop_id); });
}

}  // namespace hamlet::cli

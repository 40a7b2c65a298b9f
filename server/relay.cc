#include "relay.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "chunk.h"
#include "crypto.h"
#include "format.h"
#include "hamlet/language.h"
#include "hex.h"
#include "hub_transfer.h"
#include "identity.h"
#include "request_auth.h"

namespace hamlet::hub {

using nlohmann::json;

namespace {

constexpr char kSeedMeta[] = "relay-seed";
constexpr char kWorkspacesMeta[] = "relay-workspaces";

// Where this hub stands at the upstream for ws: the upstream's instance id
// and the position pulled up to.
std::string PositionMeta(const WorkspaceId& ws) { return "relay-position:" + ws.Hex(); }
// How the last round of ws went (RelayRound, as JSON).
std::string RoundMeta(const WorkspaceId& ws) { return "relay-round:" + ws.Hex(); }

}  // namespace

Status RelayIdentity::Load(HubStore* store, std::unique_ptr<RelayIdentity>* out) {
  std::string seed;
  bool found = false;
  HAMLET_RETURN_IF_ERROR(store->GetMeta(kSeedMeta, &seed, &found));
  if (!found) return Status::NotFound(Tr("this hub has no relay identity yet: run hamlet-hub relay key"));
  if (seed.size() != 32) return Status::DataLoss(Tr("the hub's relay identity is damaged"));
  auto id = std::make_unique<RelayIdentity>();
  SignKeyPair sign = SignKeygenFromSeed(Hash(seed + "sign", 32));
  KxKeyPair kx = KxKeygenFromSeed(Hash(seed + "kx", 32));
  id->sign_pk_ = sign.public_key;
  id->sign_sk_ = sign.secret_key;
  id->kx_pk_ = kx.public_key;
  *out = std::move(id);
  return Status::OK();
}

Status RelayIdentity::LoadOrMake(HubStore* store, std::unique_ptr<RelayIdentity>* out) {
  Status s = Load(store, out);
  if (s.code() != Code::kNotFound) return s;
  HAMLET_RETURN_IF_ERROR(store->PutMeta(kSeedMeta, RandomBytes(32)));
  return Load(store, out);
}

DeviceId RelayIdentity::device() const { return DeviceIdFor(sign_pk_); }

Status RelayIdentity::Authorize(const WorkspaceId&, std::string_view method, std::string_view target,
                                std::string_view challenge, uint64_t counter, std::string_view body,
                                std::string* header) {
  if (challenge.size() != kChallengeBytes) return Status::InvalidArgument(Tr("a session challenge is 16 bytes"));
  *header = SignRequest(device(), sign_sk_, method, target, challenge, counter, body);
  return Status::OK();
}

std::string RelayIdentity::JoinRequest() const { return EncodeJoinRequest(sign_pk_, kx_pk_, sign_sk_); }

Status RelayedWorkspaces(HubStore* store, std::vector<WorkspaceId>* out) {
  out->clear();
  std::string list;
  bool found = false;
  HAMLET_RETURN_IF_ERROR(store->GetMeta(kWorkspacesMeta, &list, &found));
  if (list.size() % 16 != 0) return Status::DataLoss(Tr("the hub's list of relayed workspaces is damaged"));
  for (size_t i = 0; i < list.size(); i += 16) out->push_back(*WorkspaceId::FromBytes(list.substr(i, 16)));
  return Status::OK();
}

Status AddRelayedWorkspace(HubStore* store, Env* env, std::string_view file, WorkspaceId* ws) {
  std::unique_ptr<RelayIdentity> id;
  HAMLET_RETURN_IF_ERROR(RelayIdentity::Load(store, &id));
  Certificate admin, relay;
  HAMLET_RETURN_IF_ERROR(ParseRelayFile(file, &admin, &relay));
  if (relay.sign_public_key != id->sign_public_key()) {
    return Status::InvalidArgument(
        Format(Tr("the relay certificate is for another hub's identity (device %s; this hub is %s)"),
               relay.device().Hex().c_str(), id->device().Hex().c_str()));
  }
  *ws = admin.workspace;
  std::string known_pk;
  Status s = store->AdminKey(*ws, &known_pk);
  if (s.code() == Code::kNotFound) {
    // The workspace is new here: it is served on the admin's word, as a
    // publish token would let it be.
    std::string token = HexEncode(RandomBytes(16));
    HAMLET_RETURN_IF_ERROR(store->AddToken(Hash(token), env->NowMillis()));
    s = store->PublishWorkspace(Hash(token), *ws, admin.sign_public_key, admin.bytes, admin.device(), env->NowMillis());
    if (s.code() == Code::kAlreadyExists) s = store->AdminKey(*ws, &known_pk);
    HAMLET_RETURN_IF_ERROR(s);
    HAMLET_RETURN_IF_ERROR(store->AdminKey(*ws, &known_pk));
  }
  HAMLET_RETURN_IF_ERROR(s);
  if (known_pk != admin.sign_public_key) {
    return Status::InvalidArgument(Format(Tr("this hub serves workspace %s under another admin"), ws->Hex().c_str()));
  }
  HAMLET_RETURN_IF_ERROR(store->PutDevice(*ws, relay.device(), relay.bytes));
  std::vector<WorkspaceId> relayed;
  HAMLET_RETURN_IF_ERROR(RelayedWorkspaces(store, &relayed));
  for (const WorkspaceId& w : relayed) {
    if (w == *ws) return Status::OK();
  }
  std::string list;
  for (const WorkspaceId& w : relayed) list += w.View();
  list += ws->View();
  return store->PutMeta(kWorkspacesMeta, list);
}

Status LastRelayRound(HubStore* store, const WorkspaceId& ws, RelayRound* out, bool* found) {
  *out = RelayRound();
  std::string text;
  HAMLET_RETURN_IF_ERROR(store->GetMeta(RoundMeta(ws), &text, found));
  if (!*found) return Status::OK();
  json j = json::parse(text, nullptr, false);
  try {
    out->upstream = j.at("upstream").get<std::string>();
    out->at = j.at("at").get<int64_t>();
    out->last_ok = j.at("last_ok").get<int64_t>();
    out->error = j.at("error").get<std::string>();
  } catch (const json::exception&) {
    return Status::DataLoss(Tr("the record of the last relay round is damaged"));
  }
  return Status::OK();
}

namespace {

// The pages of a relay's pull go into this hub's store, checked as a
// bundle's are; where the pull stands is kept in the store.
class StorePullTarget final : public PullTarget {
 public:
  StorePullTarget(Hub* hub, HubStore* store, const WorkspaceId& ws, const std::string& instance,
                  HubConnection::Page* partial, Relay::Report* report)
      : hub_(hub), store_(store), ws_(ws), instance_(instance), partial_(partial), report_(report) {}

  Status TakePartialPage(uint64_t position, HubConnection::Page* page) override {
    if (partial_->named && partial_->after == position && !partial_->bytes.empty()) *page = std::move(*partial_);
    *partial_ = HubConnection::Page();
    return Status::OK();
  }
  Status KeepPartialPage(const HubConnection::Page& page) override {
    if (page.named && !page.bytes.empty() && page.bytes.size() < page.size) *partial_ = page;
    return Status::OK();
  }
  Status Apply(const std::string& page, size_t* commits) override {
    AppendResult appended;
    HAMLET_RETURN_IF_ERROR(hub_->ImportChunk(ws_, page, &appended));
    *commits = appended.stored + appended.duplicates;
    report_->pulled += *commits;
    report_->stored += appended.stored;
    return Status::OK();
  }
  Status SetPosition(uint64_t position) override {
    return store_->PutMeta(PositionMeta(ws_), instance_ + "\n" + std::to_string(position));
  }
  Status ShortOf(const std::map<DeviceId, uint64_t>& heads, bool* short_of) override {
    *short_of = false;
    for (const auto& [author, n] : heads) {
      uint64_t held = 0;
      HAMLET_RETURN_IF_ERROR(store_->Contiguous(ws_, author, &held));
      if (held < n) *short_of = true;
    }
    return Status::OK();
  }

 private:
  Hub* hub_;
  HubStore* store_;
  WorkspaceId ws_;
  std::string instance_;
  HubConnection::Page* partial_;
  Relay::Report* report_;
};

}  // namespace

Relay::Relay(Hub* hub, HubStore* store, Env* env, RelayOptions options)
    : hub_(hub), store_(store), env_(env), options_(std::move(options)) {
  options_.sync.hub = options_.upstream;
}

Relay::~Relay() { Stop(); }

Status Relay::RunOnce(Report* report) {
  *report = Report();
  if (identity_ == nullptr) HAMLET_RETURN_IF_ERROR(RelayIdentity::Load(store_, &identity_));
  std::vector<WorkspaceId> relayed;
  HAMLET_RETURN_IF_ERROR(RelayedWorkspaces(store_, &relayed));
  Status first;
  for (const WorkspaceId& ws : relayed) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return HubConnection::Stopped();
    }
    report->workspaces++;
    Status s = RunWorkspace(ws, report);
    RelayRound round;
    bool found = false;
    if (!LastRelayRound(store_, ws, &round, &found).ok()) round = RelayRound();
    round.upstream = options_.upstream;
    round.at = env_->NowMillis();
    if (s.ok()) round.last_ok = round.at;
    round.error = s.ok() ? "" : s.ToString();
    Status kept = store_->PutMeta(RoundMeta(ws), json{{"upstream", round.upstream},
                                                      {"at", round.at},
                                                      {"last_ok", round.last_ok},
                                                      {"error", round.error}}
                                                     .dump());
    if (s.ok()) s = kept;
    if (!s.ok()) {
      report->failed++;
      std::fprintf(stderr, "hamlet-hub: %s\n",
                   Format(Tr("relay of workspace %s to %s: %s"), ws.Hex().c_str(), options_.upstream.c_str(),
                          s.ToString().c_str())
                       .c_str());
      if (first.ok()) first = s;
    }
  }
  return first;
}

Status Relay::RunWorkspace(const WorkspaceId& ws, Report* report) {
  SyncMeter meter(options_.sync);
  meter.Start();
  HubConnection c(identity_.get(), options_.sync, &meter, 0);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return HubConnection::Stopped();
    current_ = &c;
  }
  struct Clear {
    Relay* r;
    ~Clear() {
      std::lock_guard<std::mutex> lock(r->mu_);
      r->current_ = nullptr;
    }
  } clear{this};

  uint64_t unused = 0;
  HubSession session;
  std::map<DeviceId, uint64_t> upstream_heads;
  HAMLET_RETURN_IF_ERROR(c.OpenSession(ws, &unused, &session, &upstream_heads));
  // Membership first: a revocation decides what of the commits counts.
  HAMLET_RETURN_IF_ERROR(LevelMembership(&c, ws, report));

  // Pull what the upstream has after where this hub stood there.
  std::string kept;
  bool found = false;
  uint64_t position = 0;
  HAMLET_RETURN_IF_ERROR(store_->GetMeta(PositionMeta(ws), &kept, &found));
  size_t nl = kept.find('\n');
  if (found && nl != std::string::npos && kept.substr(0, nl) == session.instance) {
    position = std::strtoull(kept.c_str() + nl + 1, nullptr, 10);
  }
  StorePullTarget target(hub_, store_, ws, session.instance, &partial_[ws], report);
  HAMLET_RETURN_IF_ERROR(PullPages(&c, ws, position, upstream_heads, &target));

  // Push what this hub holds of each chain above the upstream's heads.
  uint64_t head = 0;
  std::map<DeviceId, uint64_t> local;
  HAMLET_RETURN_IF_ERROR(store_->Heads(ws, &head, &local));
  std::map<DeviceId, uint64_t> held = upstream_heads, after;
  c.meter()->Begin(0, "push");
  return PushPages(
      &c, ws,
      [&](size_t page_bytes, ExportResult* ex) -> Status {
        after = held;
        Chunk chunk;
        chunk.workspace = ws;
        size_t bytes = 0;
        for (const auto& [author, n] : local) {
          for (uint64_t seq = held[author] + 1; seq <= n; seq++) {
            std::string raw;
            bool have = false;
            HAMLET_RETURN_IF_ERROR(store_->GetCommit(ws, author, seq, &raw, &have));
            if (!have) break;  // Dropped since (a revocation): what follows does not count.
            if (!chunk.commits.empty() && bytes + raw.size() > page_bytes) {
              ex->more = true;
              break;
            }
            SealedCommit commit;
            HAMLET_RETURN_IF_ERROR(ParseCommit(raw, &commit));
            bytes += raw.size();
            chunk.commits.push_back(std::move(commit));
            after[author] = seq;
          }
          if (ex->more) break;
        }
        if (chunk.commits.empty()) return Status::OK();
        for (const auto& [author, n] : after) {
          if (n == held[author]) continue;
          DeviceRecord rec;
          HAMLET_RETURN_IF_ERROR(store_->GetDevice(ws, author, &rec));
          chunk.certificates.push_back(rec.certificate);
        }
        ex->commits = chunk.commits.size();
        ex->chunk = EncodeChunk(chunk);
        return Status::OK();
      },
      [&](const json& j, const ExportResult&, bool* done) {
        report->pushed += j["stored"].get<size_t>();
        held = after;
        *done = false;
        return Status::OK();
      },
      [&] { return c.OpenSession(ws, &unused); });
}

Status Relay::LevelMembership(HubConnection* c, const WorkspaceId& ws, Report* report) {
  const std::string target = "/v1/workspaces/" + ws.Hex() + "/membership";
  Hub::Membership here;
  std::string digest;
  HAMLET_RETURN_IF_ERROR(hub_->ReadMembership(ws, &here));
  HAMLET_RETURN_IF_ERROR(hub_->MembershipDigest(ws, here, &digest));
  httplib::Result r(nullptr, httplib::Error::Unknown);
  HAMLET_RETURN_IF_ERROR(c->Signed(ws, "GET", target + "?digest=" + digest, "", &r));
  Hub::Membership there;
  std::string there_digest;
  HAMLET_RETURN_IF_ERROR(Hub::DecodeMembership(r->body, &there, &there_digest).WithContext("upstream: "));
  if (there_digest == digest) return Status::OK();
  size_t taken = 0;
  HAMLET_RETURN_IF_ERROR(hub_->TakeMembership(ws, there, &taken).WithContext("the upstream's membership: "));
  report->members_down += taken;
  HAMLET_RETURN_IF_ERROR(hub_->ReadMembership(ws, &here));
  HAMLET_RETURN_IF_ERROR(hub_->MembershipDigest(ws, here, &digest));
  if (digest == there_digest) return Status::OK();
  HAMLET_RETURN_IF_ERROR(c->Signed(ws, "POST", target, Hub::EncodeMembership(here, digest), &r));
  json answer = json::parse(r->body, nullptr, false);
  if (answer.is_discarded() || !answer.contains("taken") || !answer["taken"].is_number_unsigned()) {
    return Status::DataLoss(Tr("upstream: malformed membership answer"));
  }
  report->members_up += answer["taken"].get<size_t>();
  return Status::OK();
}

void Relay::Start() {
  thread_ = std::thread([this] {
    for (;;) {
      Report report;
      Status s = RunOnce(&report);
      if (report.pushed + report.stored + report.members_up + report.members_down > 0) {
        std::printf("hamlet-hub: %s\n",
                    Format(Tr("relay to %s: %zu commits up, %zu down (%zu new here), membership %zu up, %zu down"),
                           options_.upstream.c_str(), report.pushed, report.pulled, report.stored, report.members_up,
                           report.members_down)
                        .c_str());
        std::fflush(stdout);
      }
      if (!s.ok() && s.code() == Code::kNotFound && identity_ == nullptr) {
        std::fprintf(stderr, "hamlet-hub: relay: %s\n", s.ToString().c_str());
      }
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(options_.every_ms), [this] { return stop_; });
      if (stop_) return;
    }
  });
}

void Relay::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    if (current_ != nullptr) {
      current_->meter()->Stop();
      current_->Interrupt();
    }
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace hamlet::hub

#include "link_scenario.h"

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <signal.h>

#include <chrono>
#include <random>
#include <sstream>
#include <stdexcept>

#include "hamlet/hub_client.h"
#include "plain_replicas.h"
#include "run_cli.h"

namespace hamlet::test {

namespace {

void Must(const Status& s, const char* what) {
  if (!s.ok()) throw std::runtime_error(std::string("link scenario: ") + what + ": " + s.ToString());
}

std::unique_ptr<Replica> InMemory(uint64_t n) {
  std::unique_ptr<Replica> r;
  Must(OpenInMemory(n, &r), "open");
  return r;
}

void Join(Replica& admin, const WorkspaceId& ws, Replica& device) { Must(JoinDirect(admin, ws, device), "join"); }

// A concern as a cadre records one: a few fields and a summary of a
// typical length, one commit each.
void WriteConcerns(Replica& r, const WorkspaceId& ws, int n, std::mt19937_64& rng) {
  static const char* const kWords[] = {"đường", "thôn",  "nước",  "sạch",   "hộ",    "nghèo", "đất",
                                       "đai",   "cầu",   "tràn",  "mùa",    "mưa",   "lũ",    "trường",
                                       "học",   "điện",  "chiếu", "sáng",   "kênh",  "mương"};
  for (int i = 0; i < n; i++) {
    std::string summary;
    size_t words = 20 + rng() % 60;
    for (size_t w = 0; w < words; w++) summary += std::string(w ? " " : "") + kWords[rng() % 20];
    WriteBatch b;
    b.Insert("concerns", {{"kind", Value(std::string("request"))},
                          {"summary", Value(summary)},
                          {"hamlet", Value("Thôn " + std::to_string(1 + rng() % 20))},
                          {"status", Value(std::string("open"))}});
    Must(r.Commit(ws, b), "commit");
  }
}

}  // namespace

LinkScenario::LinkScenario(const std::string& dir, ScenarioSize size, uint64_t seed)
    : dir_(dir), db_(dir + "/cadre.db"), passphrase_("mật khẩu của cán bộ thôn"), size_(size) {
  hub_ = std::make_unique<HubProcess>(dir + "/hub");
  operator_token_ = hub_->CreateToken(true);
  std::mt19937_64 rng(seed);
  auto admin = InMemory(seed * 1000);
  Must(admin->CreateWorkspace(&ws_), "workspace");
  SyncOptions direct;
  direct.hub = hub_->url();
  HubClient admin_client(admin.get(), direct);
  Must(admin_client.Publish(ws_, hub_->CreateToken()), "publish");

  OpenOptions fast;
  fast.pwhash_opslimit = crypto_pwhash_OPSLIMIT_MIN;
  fast.pwhash_memlimit = crypto_pwhash_MEMLIMIT_MIN;
  std::unique_ptr<Replica> cadre;
  Must(Replica::OpenWithPassphrase(db_, passphrase_, fast, &cadre), "cadre replica");
  cadre_ = cadre->device_id();
  Join(*admin, ws_, *cadre);
  Must(admin_client.RegisterDevice(ws_, cadre_), "register");

  std::vector<std::unique_ptr<Replica>> others;
  for (int i = 0; i < size_.other_devices; i++) {
    others.push_back(InMemory(seed * 1000 + 1 + static_cast<uint64_t>(i)));
    Join(*admin, ws_, *others.back());
    Must(admin_client.RegisterDevice(ws_, others.back()->device_id()), "register");
  }
  SyncReport rep;
  Must(admin_client.Sync(ws_, &rep), "admin sync");
  auto spread = [&](int total) {
    for (int i = 0; i < size_.other_devices; i++) {
      int n = total / size_.other_devices + (i < total % size_.other_devices ? 1 : 0);
      WriteConcerns(*others[static_cast<size_t>(i)], ws_, n, rng);
      HubClient c(others[static_cast<size_t>(i)].get(), direct);
      Must(c.Sync(ws_, &rep), "other device's sync");
    }
  };
  {
    // The cadre reaches the hub at the link's address, before as later.
    LinkEmulator setup(hub_->port(), LinkProfile::Loopback());
    link_port_ = setup.port();
    // As `hamlet join` leaves it: the workspace's hub.
    Must(cadre->SetLocalSetting("hub:" + ws_.Hex(), LinkUrl()), "hub setting");
    if (size_.synced_before > 0) {
      spread(size_.synced_before);
      SyncOptions via;
      via.hub = "http://127.0.0.1:" + std::to_string(link_port_);
      HubClient c(cadre.get(), via);
      Must(c.Sync(ws_, &rep), "the cadre's earlier sync");
    }
  }
  spread(size_.others);
  WriteConcerns(*cadre, ws_, size_.own, rng);
  Must(admin_client.Sync(ws_, &rep), "admin sync");
  std::vector<ChainStatus> chains;
  Must(admin->Chains(ws_, &chains), "chains");
  for (const ChainStatus& c : chains) {
    if (c.device != cadre_) expected_.emplace_back(c.device, c.contiguous);
  }
  uint64_t own_before = 0;
  Must(cadre->Chains(ws_, &chains), "chains");
  for (const ChainStatus& c : chains) {
    if (c.device == cadre_) own_before = c.contiguous;
  }
  expected_.emplace_back(cadre_, own_before);
}

LinkScenario::~LinkScenario() = default;

std::vector<std::pair<std::string, std::string>> LinkScenario::CadreEnv() const {
  return {{"HAMLET_DB", db_}, {"HAMLET_PASSPHRASE", passphrase_}};
}

uint64_t LinkScenario::HubRequests() {
  httplib::Client http(hub_->url());
  auto r = http.Get("/metrics", httplib::Headers{{"Authorization", "Bearer " + operator_token_}});
  if (!r || r->status != 200) throw std::runtime_error("link scenario: the hub's metrics did not answer");
  std::istringstream lines(r->body);
  std::string line;
  uint64_t total = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("hamlet_requests_total{", 0) != 0 || line.find("\"metrics\"") != std::string::npos) continue;
    total += std::stoull(line.substr(line.rfind(' ') + 1));
  }
  return total;
}

SyncOutcome LinkScenario::Sync(const LinkProfile& profile, const std::string& hamlet,
                               const std::vector<std::string>& extra_args, int max_runs,
                               const std::function<bool(const std::string&)>& interrupt) {
  SyncOutcome out;
  uint64_t before = HubRequests();
  LinkEmulator link(hub_->port(), profile, link_port_);
  std::vector<std::string> args{"sync", "--hub", LinkUrl()};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  auto start = std::chrono::steady_clock::now();
  while (out.runs < max_runs) {
    CliResult r = interrupt ? RunProgramSignalled(hamlet, args, CadreEnv(), interrupt, SIGINT)
                            : RunProgram(hamlet, args, CadreEnv());
    out.runs++;
    out.exit_code = r.exit_code;
    out.exits.push_back(r.exit_code);
    out.out = r.out;
    out.err = r.err;
    if (r.exit_code != 75) break;
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.link = link.counts();
  out.requests = HubRequests() - before;
  return out;
}

Status LinkScenario::Verify() {
  std::unique_ptr<Replica> cadre;
  HAMLET_RETURN_IF_ERROR(Replica::OpenWithPassphrase(db_, passphrase_, OpenOptions(), &cadre));
  std::vector<ChainStatus> chains;
  HAMLET_RETURN_IF_ERROR(cadre->Chains(ws_, &chains));
  uint64_t own = 0;
  for (const auto& [device, n] : expected_) {
    uint64_t held = 0;
    for (const ChainStatus& c : chains) {
      if (c.device == device) held = c.head == c.contiguous ? c.contiguous : 0;
    }
    if (device == cadre_) {
      own = held;
      continue;
    }
    if (held != n) {
      return Status::DataLoss("the cadre holds " + std::to_string(held) + " of the " + std::to_string(n) +
                              " commits of device " + device.Hex());
    }
  }
  // The cadre still holds its whole chain, and the hub holds all of it.
  httplib::Client http(hub_->url());
  auto st = http.Get("/v1/status", httplib::Headers{{"Authorization", "Bearer " + operator_token_}});
  if (!st || st->status != 200) return Status::Unavailable("the hub's status page did not answer");
  nlohmann::json j = nlohmann::json::parse(st->body, nullptr, false);
  uint64_t at_hub = 0;
  if (!j.is_discarded()) {
    for (const auto& w : j["workspaces"]) {
      for (const auto& d : w["devices"]) {
        if (d["device"] == cadre_.Hex()) at_hub = d["commits"].get<uint64_t>();
      }
    }
  }
  uint64_t expected_own = expected_.back().second;
  if (own != expected_own || at_hub != expected_own) {
    return Status::DataLoss("of the cadre's " + std::to_string(expected_own) + " commits, it holds " +
                            std::to_string(own) + " and the hub " + std::to_string(at_hub));
  }
  return Status::OK();
}

}  // namespace hamlet::test

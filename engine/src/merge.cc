#include "merge.h"

#include <algorithm>
#include <cassert>

#include "coding.h"
#include "hamlet/language.h"
#include "value_coding.h"

namespace hamlet {

std::vector<WriteRef> Register::HeadIds() const {
  std::vector<WriteRef> ids;
  ids.reserve(heads.size());
  for (const Version& v : heads) ids.push_back(v.id);
  return ids;
}

bool RecordState::Alive() const {
  const Version* w = alive.winner();
  return w && std::get_if<bool>(&w->value) && std::get<bool>(w->value);
}

void ApplyWrite(Register* reg, const Version& v, const std::vector<WriteRef>& base, const AppliedFn& applied) {
  for (const Version& h : reg->heads) {
    if (h.id == v.id) return;  // Already applied.
  }
  bool superseded = false;
  auto orphan = std::find(reg->orphans.begin(), reg->orphans.end(), v.id);
  if (orphan != reg->orphans.end()) {
    reg->orphans.erase(orphan);
    superseded = true;
  }
  for (const WriteRef& b : base) {
    if (b == v.id) continue;
    auto head = std::find_if(reg->heads.begin(), reg->heads.end(), [&](const Version& h) { return h.id == b; });
    if (head != reg->heads.end()) {
      reg->heads.erase(head);
    } else if (!applied(b) && std::find(reg->orphans.begin(), reg->orphans.end(), b) == reg->orphans.end()) {
      reg->orphans.push_back(b);
    }
  }
  if (!superseded) {
    auto pos = std::find_if(reg->heads.begin(), reg->heads.end(), [&](const Version& h) { return Outranks(v, h); });
    reg->heads.insert(pos, v);
  }
}

void ApplyOp(RecordState* st, const RecordOp& op, const DeviceId& author, uint64_t seq, uint64_t hlc,
             const AppliedFn& applied) {
  // Honest writers always name the record's one collection. Should two ops
  // disagree, the smallest name is kept: a choice independent of order.
  if (st->collection.empty() || op.collection < st->collection) st->collection = op.collection;
  WriteRef id{author, seq};
  ApplyWrite(&st->alive, Version{id, hlc, Value(op.alive)}, op.alive_base, applied);
  for (const FieldWrite& f : op.fields) {
    ApplyWrite(&st->fields[f.name], Version{id, hlc, f.value}, f.base, applied);
  }
}

namespace {

struct DeviceTable {
  std::map<DeviceId, uint64_t> index;
  std::vector<DeviceId> order;
  void Add(const DeviceId& d) {
    if (index.emplace(d, order.size()).second) order.push_back(d);
  }
};

void CollectDevices(const Register& r, DeviceTable* t) {
  for (const Version& v : r.heads) t->Add(v.id.device);
  for (const WriteRef& o : r.orphans) t->Add(o.device);
}

void EncodeRegister(const Register& r, const DeviceTable& t, Writer& w) {
  w.Varint(r.heads.size());
  for (const Version& v : r.heads) {
    w.Varint(t.index.at(v.id.device));
    w.Varint(v.id.seq);
    w.Fixed64(v.hlc);
    EncodeValue(v.value, w);
  }
  w.Varint(r.orphans.size());
  for (const WriteRef& o : r.orphans) {
    w.Varint(t.index.at(o.device));
    w.Varint(o.seq);
  }
}

bool DecodeRegister(Reader& r, const std::vector<DeviceId>& devices, Register* reg) {
  uint64_t n = r.Varint();
  if (n > r.remaining()) return false;
  reg->heads.resize(n);
  for (Version& v : reg->heads) {
    uint64_t d = r.Varint();
    if (d >= devices.size()) return false;
    v.id.device = devices[d];
    v.id.seq = r.Varint();
    v.hlc = r.Fixed64();
    if (!DecodeValue(r, &v.value)) return false;
  }
  n = r.Varint();
  if (n > r.remaining()) return false;
  reg->orphans.resize(n);
  for (WriteRef& o : reg->orphans) {
    uint64_t d = r.Varint();
    if (d >= devices.size()) return false;
    o.device = devices[d];
    o.seq = r.Varint();
  }
  return r.ok();
}

}  // namespace

void EncodeState(const RecordState& st, std::string* out) {
  DeviceTable t;
  CollectDevices(st.alive, &t);
  for (const auto& [name, reg] : st.fields) CollectDevices(reg, &t);
  out->clear();
  Writer w(out);
  w.Varint(t.order.size());
  for (const DeviceId& d : t.order) w.Raw(d.View());
  w.Bytes(st.collection);
  EncodeRegister(st.alive, t, w);
  w.Varint(st.fields.size());
  for (const auto& [name, reg] : st.fields) {
    w.Bytes(name);
    EncodeRegister(reg, t, w);
  }
}

Status DecodeState(std::string_view in, RecordState* st) {
  Reader r(in);
  uint64_t nd = r.Varint();
  if (!r.ok() || nd > r.remaining() / 16) return Status::DataLoss(Tr("record state is malformed"));
  std::vector<DeviceId> devices(nd);
  for (DeviceId& d : devices) d = *DeviceId::FromBytes(r.Raw(16));
  st->collection = std::string(r.Bytes());
  st->fields.clear();
  bool ok = DecodeRegister(r, devices, &st->alive);
  uint64_t nf = ok ? r.Varint() : 0;
  for (uint64_t i = 0; ok && i < nf && r.ok(); i++) {
    std::string name(r.Bytes());
    ok = DecodeRegister(r, devices, &st->fields[name]);
  }
  if (!ok || !r.done()) return Status::DataLoss(Tr("record state is malformed"));
  return Status::OK();
}

namespace {
void DigestRegister(const Register& reg, std::string* buf) {
  std::vector<Version> heads = reg.heads;
  std::sort(heads.begin(), heads.end(), [](const Version& a, const Version& b) { return Outranks(a, b); });
  Writer w(buf);
  w.Varint(heads.size());
  for (const Version& v : heads) {
    w.Raw(v.id.device.View());
    w.Varint(v.id.seq);
    w.Fixed64(v.hlc);
    EncodeValue(v.value, w);
  }
}
}  // namespace

void DigestRecord(const RecordId& id, const RecordState& st, Hasher* h) {
  std::string buf;
  Writer w(&buf);
  w.Raw(id.View());
  w.Bytes(st.collection);
  DigestRegister(st.alive, &buf);
  size_t nonempty = 0;
  for (const auto& [name, reg] : st.fields) nonempty += !reg.heads.empty();
  w.Varint(nonempty);
  for (const auto& [name, reg] : st.fields) {
    if (reg.heads.empty()) continue;
    w.Bytes(name);
    DigestRegister(reg, &buf);
  }
  h->Update(buf);
}

}  // namespace hamlet

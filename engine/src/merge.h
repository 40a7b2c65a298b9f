// The merge rules (protocol.md, "Merge").
//
// Every field of a record, and the record's alive flag, is a register. Each
// write to a register names the writes it supersedes (its base: the heads the
// writer saw). A register's heads are the writes that no applied write names;
// the winner is the head with the greatest (hlc, device). The other heads are
// the field's conflicts: concurrent values that nobody has settled yet.
//
// The heads are a function of the set of applied writes alone, so applying
// commits in any order, any number of times, in any batching, gives the same
// state. Because supersession follows what writers saw and not their clocks,
// a device with a wrong clock cannot beat an edit made after its value arrived.
//
// Functions here are pure and thread compatible.
#ifndef HAMLET_MERGE_H_
#define HAMLET_MERGE_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "commit.h"
#include "crypto.h"
#include "hamlet/status.h"
#include "hamlet/types.h"

namespace hamlet {

struct Version {
  WriteRef id;
  uint64_t hlc = 0;
  Value value;
  bool operator==(const Version&) const = default;
};

// True when a outranks b: greater stamp, then greater device id.
inline bool Outranks(const Version& a, const Version& b) {
  if (a.hlc != b.hlc) return a.hlc > b.hlc;
  return a.id.device > b.id.device;
}

struct Register {
  std::vector<Version> heads;      // Winner first, then the rest by rank.
  std::vector<WriteRef> orphans;   // Named as base by an applied write, not yet arrived.

  const Version* winner() const { return heads.empty() ? nullptr : &heads.front(); }
  std::vector<WriteRef> HeadIds() const;
};

struct RecordState {
  std::string collection;
  Register alive;
  std::map<std::string, Register> fields;

  bool Known() const { return !alive.heads.empty(); }
  bool Alive() const;
};

// Tells whether the commit that made a write has been applied to this replica.
using AppliedFn = std::function<bool(const WriteRef&)>;

// Applies one write, with the refs it supersedes, to a register.
void ApplyWrite(Register* reg, const Version& v, const std::vector<WriteRef>& base, const AppliedFn& applied);

// Applies one record op of commit (author, seq) stamped hlc.
void ApplyOp(RecordState* st, const RecordOp& op, const DeviceId& author, uint64_t seq, uint64_t hlc,
             const AppliedFn& applied);

// The record state's own serialisation (kept encrypted at rest by the store).
void EncodeState(const RecordState& st, std::string* out);
Status DecodeState(std::string_view in, RecordState* st);

// Feeds the canonical form of a record's heads into a digest. Orphans are left
// out: only the heads are a function of the commit set.
void DigestRecord(const RecordId& id, const RecordState& st, Hasher* h);

}  // namespace hamlet

#endif  // HAMLET_MERGE_H_

// What the local index keeps of each collection (Replica::SetIndex).
#include "replica_impl.h"

#include "hamlet/language.h"

namespace hamlet {

Status Replica::SetIndex(std::string_view collection, const IndexSpec& spec) {
  if (collection.empty()) return Status::InvalidArgument(Tr("an index spec names a collection"));
  for (const auto& [field, level] : spec.fields) {
    if (field.empty()) return Status::InvalidArgument(Tr("an index spec names a field with an empty name"));
    if (level > FieldIndex::kNone)
      return Status::InvalidArgument(Format(Tr("an index spec gives field %s no level"), field.c_str()));
  }
  if (spec.others > FieldIndex::kNone) return Status::InvalidArgument(Tr("an index spec gives other fields no level"));
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  const IndexSpec before = m.index_specs.For(collection);
  if (before == spec) return Status::OK();
  std::vector<std::pair<WorkspaceId, std::string>> spaces;
  HAMLET_RETURN_IF_ERROR(m.store->ListWorkspaces(&spaces));
  Status s = InTransaction(&m, [&] {
    HAMLET_RETURN_IF_ERROR(m.applier->Flush());
    for (const auto& space : spaces) {
      const WorkspaceId& ws = space.first;
      HAMLET_RETURN_IF_ERROR(m.store->RetagRecords(
          ws, [&](const RecordId& id, std::string_view sealed, TagChange* c) {
            RecordState st;
            HAMLET_RETURN_IF_ERROR(Applier::OpenState(m.keys->record_key(), id, ws, sealed, &st));
            if (st.collection != collection) return Status::OK();
            std::string old_tags = m.tagger->ForRecord(ws, st, before);
            std::string new_tags = m.tagger->ForRecord(ws, st, spec);
            c->before = !old_tags.empty();
            c->after = !new_tags.empty();
            Tagger::Diff(old_tags, new_tags, &c->removed, &c->added);
            return Status::OK();
          }));
    }
    m.index_specs.Set(collection, spec);
    return m.index_specs.Save(m.store.get(), m.keys->record_key());
  });
  if (!s.ok()) m.index_specs.Set(collection, before);
  return s;
}

IndexSpec Replica::GetIndex(std::string_view collection) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->index_specs.For(collection);
}

}  // namespace hamlet

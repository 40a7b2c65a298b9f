#include "hamlet/json.h"

#include <nlohmann/json.hpp>

#include "hamlet/language.h"

namespace hamlet {

using nlohmann::json;

namespace {

json ValueToJson(const Value& v) {
  switch (TypeOf(v)) {
    case ValueType::kNull: return nullptr;
    case ValueType::kText: return std::get<std::string>(v);
    case ValueType::kInteger: return std::get<int64_t>(v);
    case ValueType::kBool: return std::get<bool>(v);
    case ValueType::kTimestamp: return json{{"$ts", std::get<Timestamp>(v).millis}};
  }
  return nullptr;
}

Status ValueFromJson(const json& j, const std::string& where, Value* out) {
  if (j.is_null()) {
    *out = std::monostate{};
  } else if (j.is_string()) {
    *out = j.get<std::string>();
  } else if (j.is_boolean()) {
    *out = j.get<bool>();
  } else if (j.is_number_integer()) {
    *out = j.get<int64_t>();
  } else if (j.is_object() && j.size() == 1 && j.contains("$ts") && j["$ts"].is_number_integer()) {
    *out = Timestamp{j["$ts"].get<int64_t>()};
  } else {
    return Status::InvalidArgument(
        Format(Tr("%s: values are null, strings, integers, booleans or {\"$ts\": ms}"), where.c_str()));
  }
  return Status::OK();
}

Status FieldsFromJson(const json& j, const std::string& where, std::map<std::string, Value>* out) {
  if (!j.is_object()) return Status::InvalidArgument(Format(Tr("%s: \"fields\" must be an object"), where.c_str()));
  for (auto& [k, v] : j.items()) {
    HAMLET_RETURN_IF_ERROR(ValueFromJson(v, where + ".fields." + k, &(*out)[k]));
  }
  return Status::OK();
}

Status IdFromJson(const json& j, const std::string& where, RecordId* out) {
  if (!j.is_string())
    return Status::InvalidArgument(Format(Tr("%s: \"id\" must be a 32-digit hex string"), where.c_str()));
  auto id = RecordId::FromHex(j.get<std::string>());
  if (!id) return Status::InvalidArgument(Format(Tr("%s: \"id\" must be a 32-digit hex string"), where.c_str()));
  *out = *id;
  return Status::OK();
}

json RecordJson(const Record& r) {
  json fields = json::object();
  for (auto& [k, v] : r.fields) fields[k] = ValueToJson(v);
  json j{{"id", r.id.Hex()},
         {"workspace", r.workspace.Hex()},
         {"collection", r.collection},
         {"deleted", r.deleted},
         {"updated", r.updated_millis},
         {"fields", fields}};
  if (!r.conflicts.empty()) {
    json c = json::object();
    for (auto& [k, vs] : r.conflicts) {
      json arr = json::array();
      for (const Value& v : vs) arr.push_back(ValueToJson(v));
      c[k] = arr;
    }
    j["conflicts"] = c;
  }
  return j;
}

template <class Fn>
Status Guard(Fn&& fn) {
  try {
    return fn();
  } catch (const json::exception& e) {
    return Status::InvalidArgument(std::string("JSON: ") + e.what());
  }
}

}  // namespace

std::string RecordToJson(const Record& r) { return RecordJson(r).dump(); }

std::string QueryResultToJson(const QueryResult& r) {
  json arr = json::array();
  for (const Record& rec : r.records) arr.push_back(RecordJson(rec));
  return json{{"total", r.total}, {"records", arr}}.dump();
}

std::string ConflictsToJson(const std::vector<Conflict>& cs) {
  json arr = json::array();
  for (const Conflict& c : cs) {
    json others = json::array();
    for (const Value& v : c.others) others.push_back(ValueToJson(v));
    arr.push_back({{"record", c.record.Hex()},
                   {"collection", c.collection},
                   {"field", c.field},
                   {"winner", ValueToJson(c.winner)},
                   {"others", others}});
  }
  return arr.dump();
}

namespace {

json AttachmentObject(const Attachment& a) {
  return {{"id", a.reference.Hex()},  {"workspace", a.workspace.Hex()},
          {"record", a.record.Hex()}, {"file", a.file},
          {"name", a.name},           {"type", a.type},
          {"size", a.size},           {"deleted", a.deleted},
          {"held", a.held},           {"sent", a.sent},
          {"wanted", a.wanted},       {"confidential", a.confidential}};
}

}  // namespace

std::string AttachmentToJson(const Attachment& a) { return AttachmentObject(a).dump(); }

std::string AttachmentsToJson(const std::vector<Attachment>& list) {
  json arr = json::array();
  for (const Attachment& a : list) arr.push_back(AttachmentObject(a));
  return arr.dump();
}

Status ParseWriteBatchJson(std::string_view text, WriteBatch* batch, std::vector<RecordId>* inserted) {
  return Guard([&]() -> Status {
    json j = json::parse(text);
    if (!j.is_array()) return Status::InvalidArgument(Tr("a write batch is a JSON array of operations"));
    for (size_t i = 0; i < j.size(); i++) {
      const json& op = j[i];
      std::string where = "operation " + std::to_string(i);
      if (!op.is_object() || !op.contains("op") || !op["op"].is_string()) {
        return Status::InvalidArgument(where + ": needs \"op\"");
      }
      std::string kind = op["op"].get<std::string>();
      std::map<std::string, Value> fields;
      if (op.contains("fields")) HAMLET_RETURN_IF_ERROR(FieldsFromJson(op["fields"], where, &fields));
      RecordId id;
      if (kind == "insert") {
        if (!op.contains("collection") || !op["collection"].is_string()) {
          return Status::InvalidArgument(Format(Tr("%s: an insert needs \"collection\""), where.c_str()));
        }
        std::string coll = op["collection"].get<std::string>();
        if (op.contains("id")) {
          HAMLET_RETURN_IF_ERROR(IdFromJson(op["id"], where, &id));
          batch->InsertWithId(id, coll, std::move(fields));
        } else {
          id = batch->Insert(coll, std::move(fields));
        }
        if (inserted) inserted->push_back(id);
        continue;
      }
      if (!op.contains("id")) return Status::InvalidArgument(where + ": needs \"id\"");
      HAMLET_RETURN_IF_ERROR(IdFromJson(op["id"], where, &id));
      if (kind == "update") {
        batch->Update(id, std::move(fields));
      } else if (kind == "delete") {
        batch->Delete(id);
      } else if (kind == "restore") {
        batch->Restore(id);
      } else {
        return Status::InvalidArgument(Format(Tr("%s: \"op\" is insert, update, delete or restore"), where.c_str()));
      }
    }
    return Status::OK();
  });
}

Status ParseQueryJson(std::string_view text, Query* q) {
  return Guard([&]() -> Status {
    json j = json::parse(text);
    if (!j.is_object()) return Status::InvalidArgument(Tr("a query is a JSON object"));
    if (!j.contains("collection") || !j["collection"].is_string()) {
      return Status::InvalidArgument(Tr("a query needs \"collection\""));
    }
    q->collection = j["collection"].get<std::string>();
    if (j.contains("workspace")) {
      auto ws = j["workspace"].is_string() ? WorkspaceId::FromHex(j["workspace"].get<std::string>()) : std::nullopt;
      if (!ws) return Status::InvalidArgument(Tr("query: \"workspace\" must be a 32-digit hex string"));
      q->workspace = *ws;
    }
    if (j.contains("equals")) {
      if (!j["equals"].is_object()) return Status::InvalidArgument(Tr("query: \"equals\" must be an object"));
      for (auto& [k, v] : j["equals"].items()) {
        Value val;
        HAMLET_RETURN_IF_ERROR(ValueFromJson(v, "query.equals." + k, &val));
        q->equals.emplace_back(k, std::move(val));
      }
    }
    auto str = [&](const char* key, std::string* out) -> Status {
      if (!j.contains(key)) return Status::OK();
      if (!j[key].is_string())
        return Status::InvalidArgument(
            Format(Tr("query: \"%s\" must be a string"), key));
      *out = j[key].get<std::string>();
      return Status::OK();
    };
    HAMLET_RETURN_IF_ERROR(str("text", &q->text));
    HAMLET_RETURN_IF_ERROR(str("time_field", &q->time_field));
    HAMLET_RETURN_IF_ERROR(str("order_by", &q->order_by));
    for (const char* key : {"from", "to"}) {
      if (!j.contains(key)) continue;
      const json& t = j[key];
      int64_t ms = 0;
      if (t.is_number_integer()) {
        ms = t.get<int64_t>();
      } else if (t.is_object() && t.contains("$ts") && t["$ts"].is_number_integer()) {
        ms = t["$ts"].get<int64_t>();
      } else {
        return Status::InvalidArgument(
            Format(Tr("query: \"%s\" must be milliseconds or {\"$ts\": ms}"), key));
      }
      (std::string(key) == "from" ? q->from : q->to) = Timestamp{ms};
    }
    if (j.contains("descending")) {
      if (!j["descending"].is_boolean()) return Status::InvalidArgument(Tr("query: \"descending\" must be a boolean"));
      q->descending = j["descending"].get<bool>();
    }
    for (const char* key : {"offset", "limit"}) {
      if (!j.contains(key)) continue;
      if (!j[key].is_number_unsigned()) {
        return Status::InvalidArgument(
            Format(Tr("query: \"%s\" must be a non-negative integer"), key));
      }
      (std::string(key) == "offset" ? q->offset : q->limit) = j[key].get<size_t>();
    }
    return Status::OK();
  });
}

Status ParseIndexSpecJson(std::string_view text, IndexSpec* spec) {
  return Guard([&]() -> Status {
    json j = json::parse(text);
    if (!j.is_object()) return Status::InvalidArgument(Tr("an index spec is a JSON object"));
    auto level = [](const json& v, const std::string& where, FieldIndex* out) -> Status {
      static const std::pair<const char*, FieldIndex> kLevels[] = {
          {"words", FieldIndex::kWords}, {"exact", FieldIndex::kExact}, {"none", FieldIndex::kNone}};
      if (v.is_string()) {
        for (const auto& [name, l] : kLevels) {
          if (v.get<std::string>() == name) {
            *out = l;
            return Status::OK();
          }
        }
      }
      return Status::InvalidArgument(
          Format(Tr("index spec: %s must be \"words\", \"exact\" or \"none\""), where.c_str()));
    };
    IndexSpec parsed;
    for (auto& [k, v] : j.items()) {
      if (k == "others") {
        HAMLET_RETURN_IF_ERROR(level(v, "\"others\"", &parsed.others));
      } else if (k == "fields") {
        if (!v.is_object()) return Status::InvalidArgument(Tr("index spec: \"fields\" must be an object"));
        for (auto& [field, l] : v.items()) {
          HAMLET_RETURN_IF_ERROR(level(l, "field \"" + field + "\"", &parsed.fields[field]));
        }
      } else {
        return Status::InvalidArgument(Format(Tr("index spec: unknown member \"%s\""), k.c_str()));
      }
    }
    *spec = std::move(parsed);
    return Status::OK();
  });
}

}  // namespace hamlet

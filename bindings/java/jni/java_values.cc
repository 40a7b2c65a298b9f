#include "java_values.h"

#include "hamlet.h"
#include "java_types.h"

namespace hamlet::jni {
namespace {

using nlohmann::json;

bool IsA(JNIEnv* env, jobject o, jclass c) { return env->IsInstanceOf(o, c) == JNI_TRUE; }

bool MapToJson(JNIEnv* env, jobject map, const std::string& where, json* out) {
  const JavaTypes& t = Java();
  *out = json::object();
  jobject entries = env->CallObjectMethod(map, t.map_entry_set);
  if (Pending(env)) return false;
  jobject it = env->CallObjectMethod(entries, t.set_iterator);
  env->DeleteLocalRef(entries);
  if (Pending(env)) return false;
  bool ok = true;
  while (ok) {
    jboolean more = env->CallBooleanMethod(it, t.iterator_has_next);
    if (Pending(env)) {
      ok = false;
      break;
    }
    if (more != JNI_TRUE) break;
    jobject entry = env->CallObjectMethod(it, t.iterator_next);
    if (Pending(env)) {
      ok = false;
      break;
    }
    jobject key = env->CallObjectMethod(entry, t.entry_get_key);
    jobject value = Pending(env) ? nullptr : env->CallObjectMethod(entry, t.entry_get_value);
    std::string name;
    if (Pending(env)) {
      ok = false;
    } else if (key == nullptr || !IsA(env, key, t.string_class)) {
      ThrowIllegalArgument(env, where + ": names are strings");
      ok = false;
    } else if (ToUtf8(env, static_cast<jstring>(key), &name)) {
      ok = ToJson(env, value, where + "." + name, &(*out)[name]);
    } else {
      ok = false;
    }
    env->DeleteLocalRef(entry);
    if (key) env->DeleteLocalRef(key);
    if (value) env->DeleteLocalRef(value);
  }
  env->DeleteLocalRef(it);
  return ok;
}

bool ListToJson(JNIEnv* env, jobject list, const std::string& where, json* out) {
  const JavaTypes& t = Java();
  *out = json::array();
  jint n = env->CallIntMethod(list, t.list_size);
  if (Pending(env)) return false;
  for (jint i = 0; i < n; i++) {
    jobject item = env->CallObjectMethod(list, t.list_get, i);
    if (Pending(env)) return false;
    json j;
    bool ok = ToJson(env, item, where + "[" + std::to_string(i) + "]", &j);
    if (item) env->DeleteLocalRef(item);
    if (!ok) return false;
    out->push_back(std::move(j));
  }
  return true;
}

}  // namespace

bool ToJson(JNIEnv* env, jobject value, const std::string& where, json* out) {
  const JavaTypes& t = Java();
  if (value == nullptr) {
    *out = nullptr;
    return true;
  }
  if (IsA(env, value, t.string_class)) {
    std::string s;
    if (!ToUtf8(env, static_cast<jstring>(value), &s)) return false;
    *out = std::move(s);
    return true;
  }
  if (IsA(env, value, t.long_class) || IsA(env, value, t.integer_class) || IsA(env, value, t.short_class) ||
      IsA(env, value, t.byte_class)) {
    *out = static_cast<int64_t>(env->CallLongMethod(value, t.number_long_value));
    return !Pending(env);
  }
  if (IsA(env, value, t.boolean_class)) {
    *out = env->CallBooleanMethod(value, t.boolean_value) == JNI_TRUE;
    return !Pending(env);
  }
  if (IsA(env, value, t.instant_class)) {
    jlong ms = env->CallLongMethod(value, t.instant_to_epoch_milli);  // ArithmeticException beyond a long
    if (Pending(env)) return false;
    *out = json{{"$ts", static_cast<int64_t>(ms)}};
    return true;
  }
  if (IsA(env, value, t.map_class)) return MapToJson(env, value, where, out);
  if (IsA(env, value, t.list_class)) return ListToJson(env, value, where, out);
  ThrowIllegalArgument(env, where + ": values are String, Long, Integer, Boolean, Instant or null");
  return false;
}

jobject FromJson(JNIEnv* env, const json& j) {
  const JavaTypes& t = Java();
  switch (j.type()) {
    case json::value_t::null:
      return nullptr;
    case json::value_t::string:
      return NewString(env, j.get_ref<const std::string&>());
    case json::value_t::boolean:
      return env->CallStaticObjectMethod(t.boolean_class, t.boolean_value_of, j.get<bool>() ? JNI_TRUE : JNI_FALSE);
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return env->CallStaticObjectMethod(t.long_class, t.long_value_of, static_cast<jlong>(j.get<int64_t>()));
    case json::value_t::object: {
      if (j.size() == 1 && j.contains("$ts") && j["$ts"].is_number_integer()) {
        return env->CallStaticObjectMethod(t.instant_class, t.instant_of_epoch_milli,
                                           static_cast<jlong>(j["$ts"].get<int64_t>()));
      }
      jobject map = env->NewObject(t.linked_hash_map_class, t.linked_hash_map_new);
      if (Pending(env)) return nullptr;
      for (auto it = j.begin(); it != j.end(); ++it) {
        jstring key = NewString(env, it.key());
        if (key == nullptr) return nullptr;
        jobject value = FromJson(env, it.value());
        if (Pending(env)) return nullptr;
        jobject previous = env->CallObjectMethod(map, t.map_put, key, value);
        if (Pending(env)) return nullptr;
        if (previous) env->DeleteLocalRef(previous);
        env->DeleteLocalRef(key);
        if (value) env->DeleteLocalRef(value);
      }
      return map;
    }
    case json::value_t::array: {
      jobject list = env->NewObject(t.array_list_class, t.array_list_new, static_cast<jint>(j.size()));
      if (Pending(env)) return nullptr;
      for (const json& item : j) {
        jobject value = FromJson(env, item);
        if (Pending(env)) return nullptr;
        env->CallBooleanMethod(list, t.list_add, value);
        if (Pending(env)) return nullptr;
        if (value) env->DeleteLocalRef(value);
      }
      return list;
    }
    default:
      ThrowIllegalArgument(env, "the engine answered with a number that is not an integer");
      return nullptr;
  }
}

jobject FromJsonText(JNIEnv* env, const char* text) {
  json j = json::parse(text ? text : "null", nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    ThrowIllegalArgument(env, "the engine answered with text that is not JSON");
    return nullptr;
  }
  return FromJson(env, j);
}

}  // namespace hamlet::jni

// The engine's JSON forms (protocol.md 9) as Java objects, both ways, so that
// the Java classes never parse or print JSON themselves.
//
//   JSON                 Java
//   null                 null
//   string               String
//   integer              Long (Integer, Short and Byte accepted going in)
//   true / false         Boolean
//   {"$ts": ms}          java.time.Instant (to the millisecond)
//   object               Map<String, Object> (LinkedHashMap coming out)
//   array                List<Object> (ArrayList coming out)
#ifndef HAMLET_BINDINGS_JAVA_JNI_JAVA_VALUES_H_
#define HAMLET_BINDINGS_JAVA_JNI_JAVA_VALUES_H_

#include <jni.h>

#include <nlohmann/json.hpp>
#include <string>

namespace hamlet::jni {

// Converts value (may be null) into *out. False with an exception pending:
// IllegalArgumentException naming where for an object of another type (a
// Double, say: the engine's numbers are integers).
bool ToJson(JNIEnv* env, jobject value, const std::string& where, nlohmann::json* out);

// A new local reference for j, or nullptr: for JSON null with no exception
// pending, else with one pending.
jobject FromJson(JNIEnv* env, const nlohmann::json& j);

// Parses the JSON text the C API returned and converts it; nullptr with an
// exception pending if the text is not JSON (which would be a bug).
jobject FromJsonText(JNIEnv* env, const char* text);

}  // namespace hamlet::jni

#endif  // HAMLET_BINDINGS_JAVA_JNI_JAVA_VALUES_H_

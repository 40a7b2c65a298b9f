#include "java_types.h"

#include <cassert>

#include "hamlet.h"

namespace hamlet::jni {
namespace {

JavaTypes types;

// A global reference to the class, or nullptr with an exception pending.
jclass Global(JNIEnv* env, const char* name) {
  jclass local = env->FindClass(name);
  if (local == nullptr) return nullptr;
  auto global = static_cast<jclass>(env->NewGlobalRef(local));
  env->DeleteLocalRef(local);
  return global;
}

bool Load(JNIEnv* env) {
  JavaTypes& t = types;
  if (!(t.string_class = Global(env, "java/lang/String"))) return false;
  t.string_from_bytes = env->GetMethodID(t.string_class, "<init>", "([BLjava/nio/charset/Charset;)V");
  t.string_get_bytes = env->GetMethodID(t.string_class, "getBytes", "(Ljava/nio/charset/Charset;)[B");
  jclass charsets = env->FindClass("java/nio/charset/StandardCharsets");
  if (!charsets || !t.string_from_bytes || !t.string_get_bytes) return false;
  jfieldID utf8_field = env->GetStaticFieldID(charsets, "UTF_8", "Ljava/nio/charset/Charset;");
  if (!utf8_field) return false;
  jobject utf8 = env->GetStaticObjectField(charsets, utf8_field);
  t.utf8 = env->NewGlobalRef(utf8);
  env->DeleteLocalRef(utf8);
  env->DeleteLocalRef(charsets);

  if (!(t.long_class = Global(env, "java/lang/Long"))) return false;
  if (!(t.integer_class = Global(env, "java/lang/Integer"))) return false;
  if (!(t.short_class = Global(env, "java/lang/Short"))) return false;
  if (!(t.byte_class = Global(env, "java/lang/Byte"))) return false;
  if (!(t.number_class = Global(env, "java/lang/Number"))) return false;
  if (!(t.boolean_class = Global(env, "java/lang/Boolean"))) return false;
  if (!(t.instant_class = Global(env, "java/time/Instant"))) return false;
  t.long_value_of = env->GetStaticMethodID(t.long_class, "valueOf", "(J)Ljava/lang/Long;");
  t.number_long_value = env->GetMethodID(t.number_class, "longValue", "()J");
  t.boolean_value_of = env->GetStaticMethodID(t.boolean_class, "valueOf", "(Z)Ljava/lang/Boolean;");
  t.boolean_value = env->GetMethodID(t.boolean_class, "booleanValue", "()Z");
  t.instant_of_epoch_milli = env->GetStaticMethodID(t.instant_class, "ofEpochMilli", "(J)Ljava/time/Instant;");
  t.instant_to_epoch_milli = env->GetMethodID(t.instant_class, "toEpochMilli", "()J");
  if (!t.long_value_of || !t.number_long_value || !t.boolean_value_of || !t.boolean_value ||
      !t.instant_of_epoch_milli || !t.instant_to_epoch_milli) {
    return false;
  }

  if (!(t.map_class = Global(env, "java/util/Map"))) return false;
  if (!(t.linked_hash_map_class = Global(env, "java/util/LinkedHashMap"))) return false;
  if (!(t.list_class = Global(env, "java/util/List"))) return false;
  if (!(t.array_list_class = Global(env, "java/util/ArrayList"))) return false;
  t.map_entry_set = env->GetMethodID(t.map_class, "entrySet", "()Ljava/util/Set;");
  t.map_put = env->GetMethodID(t.map_class, "put", "(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;");
  t.linked_hash_map_new = env->GetMethodID(t.linked_hash_map_class, "<init>", "()V");
  t.list_size = env->GetMethodID(t.list_class, "size", "()I");
  t.list_get = env->GetMethodID(t.list_class, "get", "(I)Ljava/lang/Object;");
  t.list_add = env->GetMethodID(t.list_class, "add", "(Ljava/lang/Object;)Z");
  t.array_list_new = env->GetMethodID(t.array_list_class, "<init>", "(I)V");
  jclass set = env->FindClass("java/util/Set");
  jclass iterator = env->FindClass("java/util/Iterator");
  jclass entry = env->FindClass("java/util/Map$Entry");
  if (!set || !iterator || !entry) return false;
  t.set_iterator = env->GetMethodID(set, "iterator", "()Ljava/util/Iterator;");
  t.iterator_has_next = env->GetMethodID(iterator, "hasNext", "()Z");
  t.iterator_next = env->GetMethodID(iterator, "next", "()Ljava/lang/Object;");
  t.entry_get_key = env->GetMethodID(entry, "getKey", "()Ljava/lang/Object;");
  t.entry_get_value = env->GetMethodID(entry, "getValue", "()Ljava/lang/Object;");
  env->DeleteLocalRef(set);
  env->DeleteLocalRef(iterator);
  env->DeleteLocalRef(entry);
  if (!t.map_entry_set || !t.map_put || !t.linked_hash_map_new || !t.list_size || !t.list_get || !t.list_add ||
      !t.array_list_new || !t.set_iterator || !t.iterator_has_next || !t.iterator_next || !t.entry_get_key ||
      !t.entry_get_value) {
    return false;
  }

  if (!(t.hamlet_exception_class = Global(env, "org/hamlet/HamletException"))) return false;
  t.hamlet_exception_new =
      env->GetMethodID(t.hamlet_exception_class, "<init>", "(ILjava/lang/String;ZLjava/lang/String;)V");
  if (!(t.illegal_argument_class = Global(env, "java/lang/IllegalArgumentException"))) return false;
  if (!(t.listener_class = Global(env, "org/hamlet/SyncListener"))) return false;
  t.listener_on_progress = env->GetMethodID(t.listener_class, "onProgress", "(Ljava/lang/String;JJJ)V");
  t.listener_on_link_down = env->GetMethodID(t.listener_class, "onLinkDown", "(JJ)V");
  t.listener_on_link_up = env->GetMethodID(t.listener_class, "onLinkUp", "()V");
  return t.hamlet_exception_new && t.listener_on_progress && t.listener_on_link_down && t.listener_on_link_up;
}

}  // namespace

const JavaTypes& Java() { return types; }

bool ToUtf8(JNIEnv* env, jstring s, std::string* out) {
  assert(s != nullptr);
  auto bytes = static_cast<jbyteArray>(env->CallObjectMethod(s, types.string_get_bytes, types.utf8));
  if (Pending(env) || bytes == nullptr) return false;
  *out = BytesOf(env, bytes);
  env->DeleteLocalRef(bytes);
  return true;
}

Utf8Arg::Utf8Arg(JNIEnv* env, jstring s) : ok(false) {
  if (s == nullptr) {
    ThrowIllegalArgument(env, "a required string is null");
    return;
  }
  ok = ToUtf8(env, s, &text);
}

jstring NewString(JNIEnv* env, std::string_view utf8) {
  jbyteArray bytes = NewBytes(env, reinterpret_cast<const unsigned char*>(utf8.data()), utf8.size());
  if (bytes == nullptr) return nullptr;
  auto s = static_cast<jstring>(env->NewObject(types.string_class, types.string_from_bytes, bytes, types.utf8));
  bool failed = Pending(env);
  env->DeleteLocalRef(bytes);
  return failed ? nullptr : s;
}

jbyteArray NewBytes(JNIEnv* env, const unsigned char* data, size_t len) {
  if (len > 0x7fffffff) {
    ThrowIllegalArgument(env, "more than 2 GiB cannot cross into Java");
    return nullptr;
  }
  jbyteArray a = env->NewByteArray(static_cast<jsize>(len));
  if (a != nullptr && len > 0)
    env->SetByteArrayRegion(a, 0, static_cast<jsize>(len), reinterpret_cast<const jbyte*>(data));
  return a;
}

std::string BytesOf(JNIEnv* env, jbyteArray bytes) {
  assert(bytes != nullptr);
  std::string out(static_cast<size_t>(env->GetArrayLength(bytes)), '\0');
  if (!out.empty())
    env->GetByteArrayRegion(bytes, 0, static_cast<jsize>(out.size()), reinterpret_cast<jbyte*>(out.data()));
  return out;
}

void ThrowStatus(JNIEnv* env, int code) {
  assert(code != HAMLET_OK);
  // The message first: the calls below must not replace this thread's.
  std::string message = hamlet_errmsg();
  jstring name = NewString(env, hamlet_code_name(code));
  if (name == nullptr) return;
  jstring text = NewString(env, message);
  if (text == nullptr) return;
  auto e = static_cast<jthrowable>(env->NewObject(types.hamlet_exception_class, types.hamlet_exception_new,
                                                  static_cast<jint>(code), name,
                                                  hamlet_code_retryable(code) ? JNI_TRUE : JNI_FALSE, text));
  if (e != nullptr) env->Throw(e);
}

void ThrowIllegalArgument(JNIEnv* env, const std::string& message) {
  env->ThrowNew(types.illegal_argument_class, message.c_str());
}

void ThrowOutOfMemory(JNIEnv* env) {
  jclass c = env->FindClass("java/lang/OutOfMemoryError");
  if (c != nullptr) env->ThrowNew(c, "out of memory in the Hamlet engine");
}

void ThrowInternal(JNIEnv* env, const char* what) {
  jclass c = env->FindClass("java/lang/Error");
  if (c != nullptr) env->ThrowNew(c, (std::string("a bug in the Hamlet JNI layer: ") + what).c_str());
}

Owned::~Owned() { hamlet_free(p_); }

}  // namespace hamlet::jni

extern "C" JNIEXPORT jint JNI_OnLoad(JavaVM* vm, void*) {
  JNIEnv* env = nullptr;
  if (vm->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_6) != JNI_OK) return JNI_ERR;
  if (!hamlet::jni::Load(env)) return JNI_ERR;
  return JNI_VERSION_1_6;
}

// The Java side as the JNI layer sees it: the classes and methods it calls,
// looked up once when the library loads, UTF-8 strings and byte arrays both
// ways, and the exceptions it throws.
//
// Every function here takes the JNIEnv of the calling thread. One returning
// a jobject returns a new local reference, or nullptr with a Java exception
// pending (OutOfMemoryError among them); callers return to Java at once then.
#ifndef HAMLET_BINDINGS_JAVA_JNI_JAVA_TYPES_H_
#define HAMLET_BINDINGS_JAVA_JNI_JAVA_TYPES_H_

#include <jni.h>

#include <exception>
#include <new>
#include <string>
#include <string_view>

namespace hamlet::jni {

// Global references and method ids, valid from JNI_OnLoad until the library
// is unloaded; read-only after JNI_OnLoad, so any thread may use them.
struct JavaTypes {
  jclass string_class;
  jmethodID string_from_bytes;  // String(byte[], Charset)
  jmethodID string_get_bytes;   // byte[] String.getBytes(Charset)
  jobject utf8;                 // StandardCharsets.UTF_8

  jclass long_class;
  jmethodID long_value_of;  // static Long.valueOf(long)
  jclass integer_class;
  jclass short_class;
  jclass byte_class;
  jclass number_class;
  jmethodID number_long_value;
  jclass boolean_class;
  jmethodID boolean_value_of;  // static Boolean.valueOf(boolean)
  jmethodID boolean_value;
  jclass instant_class;
  jmethodID instant_of_epoch_milli;  // static Instant.ofEpochMilli(long)
  jmethodID instant_to_epoch_milli;

  jclass map_class;  // java.util.Map
  jmethodID map_entry_set;
  jclass linked_hash_map_class;
  jmethodID linked_hash_map_new;
  jmethodID map_put;
  jclass list_class;  // java.util.List
  jmethodID list_size;
  jmethodID list_get;
  jclass array_list_class;
  jmethodID array_list_new;  // ArrayList(int)
  jmethodID list_add;
  jmethodID set_iterator;  // Set.iterator()
  jmethodID iterator_has_next;
  jmethodID iterator_next;
  jmethodID entry_get_key;
  jmethodID entry_get_value;

  jclass hamlet_exception_class;
  jmethodID hamlet_exception_new;  // (int, String, boolean, String)
  jclass illegal_argument_class;

  jclass listener_class;  // org.hamlet.SyncListener
  jmethodID listener_on_progress;
  jmethodID listener_on_link_down;
  jmethodID listener_on_link_up;
};

// The cache filled by JNI_OnLoad.
const JavaTypes& Java();

// s as UTF-8 (not the JVM's modified UTF-8: characters beyond the BMP are
// four bytes, NUL is one). s must not be null. False with an exception
// pending when the JVM could not encode it.
bool ToUtf8(JNIEnv* env, jstring s, std::string* out);

// A String argument as UTF-8 for the length of one call. ok is false, with
// an exception pending, when s is null or could not be encoded.
struct Utf8Arg {
  std::string text;
  bool ok;
  Utf8Arg(JNIEnv* env, jstring s);
  const char* c_str() const { return text.c_str(); }
};

// A Java string of the UTF-8 text; invalid bytes become U+FFFD.
jstring NewString(JNIEnv* env, std::string_view utf8);

// A new byte[] holding the bytes.
jbyteArray NewBytes(JNIEnv* env, const unsigned char* data, size_t len);
// The contents of a byte[] (not null).
std::string BytesOf(JNIEnv* env, jbyteArray bytes);

// Throws org.hamlet.HamletException for code with this thread's
// hamlet_errmsg(). code is a HAMLET_E* code, not HAMLET_OK.
void ThrowStatus(JNIEnv* env, int code);
// Throws IllegalArgumentException with the message.
void ThrowIllegalArgument(JNIEnv* env, const std::string& message);

// Throws OutOfMemoryError, or an Error naming a C++ exception that reached
// the JNI layer (a bug).
void ThrowOutOfMemory(JNIEnv* env);
void ThrowInternal(JNIEnv* env, const char* what);

// Runs fn, the body of a native method, so that no C++ exception reaches the
// JVM: one that escapes becomes a Java error and the method returns R{}.
template <class R, class Fn>
R Guarded(JNIEnv* env, Fn&& fn) {
  try {
    return fn();
  } catch (const std::bad_alloc&) {
    ThrowOutOfMemory(env);
  } catch (const std::exception& e) {
    ThrowInternal(env, e.what());
  } catch (...) {
    ThrowInternal(env, "unknown exception");
  }
  return R{};
}

// True when an exception is pending in env.
inline bool Pending(JNIEnv* env) { return env->ExceptionCheck() == JNI_TRUE; }

// Releases, with hamlet_free, what the C API returned through an out
// parameter when it leaves scope.
class Owned {
 public:
  Owned() = default;
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  ~Owned();
  char** out() { return &p_; }
  unsigned char** out_bytes() { return reinterpret_cast<unsigned char**>(&p_); }
  const char* get() const { return p_; }

 private:
  char* p_ = nullptr;
};

}  // namespace hamlet::jni

#endif  // HAMLET_BINDINGS_JAVA_JNI_JAVA_TYPES_H_

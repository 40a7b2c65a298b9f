"""Loads libhamlet.so through ctypes, as a Python or Dart FFI wrapper would,
and does open, write, export, import into a second replica, read back.

Usage: ctypes_test.py LIBRARY SCRATCH_DIR"""
import ctypes
import json
import os
import sys
import tempfile

lib = ctypes.CDLL(sys.argv[1])
scratch = tempfile.mkdtemp(dir=sys.argv[2] if len(sys.argv) > 2 else None)

c_char_pp = ctypes.POINTER(ctypes.c_char_p)
P = ctypes.c_void_p
lib.hamlet_errmsg.restype = ctypes.c_char_p
lib.hamlet_version.restype = ctypes.c_char_p
lib.hamlet_open.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(P)]
lib.hamlet_close.argtypes = [P]
lib.hamlet_free.argtypes = [P]
for name in ("hamlet_workspace_create", "hamlet_device_id"):
    getattr(lib, name).argtypes = [P, ctypes.POINTER(P)]
lib.hamlet_join_request.argtypes = [P, ctypes.POINTER(P), ctypes.POINTER(ctypes.c_size_t)]
lib.hamlet_admit.argtypes = [P, ctypes.c_char_p, P, ctypes.c_size_t, ctypes.c_int, ctypes.POINTER(P),
                             ctypes.POINTER(ctypes.c_size_t)]
lib.hamlet_accept.argtypes = [P, P, ctypes.c_size_t, ctypes.c_char_p, ctypes.POINTER(P)]
lib.hamlet_commit.argtypes = [P, ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(P)]
lib.hamlet_get.argtypes = [P, ctypes.c_char_p, ctypes.POINTER(P)]
lib.hamlet_cursor.argtypes = [P, ctypes.c_char_p, ctypes.POINTER(P)]
lib.hamlet_export.argtypes = [P, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(P),
                              ctypes.POINTER(ctypes.c_size_t), ctypes.POINTER(P), ctypes.POINTER(ctypes.c_int)]
lib.hamlet_import.argtypes = [P, P, ctypes.c_size_t, ctypes.POINTER(P)]
lib.hamlet_state_digest.argtypes = [P, ctypes.c_char_p, ctypes.POINTER(P)]

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAILED:", what, "| last error:", lib.hamlet_errmsg().decode(), file=sys.stderr)


def ok(rc, what):
    check(rc == 0, f"{what} returned {rc}")


def take_string(p):
    s = ctypes.string_at(p.value).decode("utf-8")
    lib.hamlet_free(p)
    return s


def take_bytes(p, n):
    b = ctypes.string_at(p.value, n.value)
    lib.hamlet_free(p)
    return b


check(lib.hamlet_version_number() == 1000, "version number")
a, b = P(), P()
ok(lib.hamlet_open(os.path.join(scratch, "a.db").encode(), b"m\xe1\xba\xadt kh\xe1\xba\xa9u A", 2, ctypes.byref(a)),
   "open a")
ok(lib.hamlet_open(os.path.join(scratch, "b.db").encode(), b"passphrase B", 2, ctypes.byref(b)), "open b")

p = P()
ok(lib.hamlet_workspace_create(a, ctypes.byref(p)), "workspace create")
ws = take_string(p).encode()

req, req_len = P(), ctypes.c_size_t()
ok(lib.hamlet_join_request(b, ctypes.byref(req), ctypes.byref(req_len)), "join request")
env, env_len = P(), ctypes.c_size_t()
ok(lib.hamlet_admit(a, ws, req, req_len, 2, ctypes.byref(env), ctypes.byref(env_len)), "admit")
ok(lib.hamlet_device_id(a, ctypes.byref(p)), "admin device id")
admin_id = take_string(p).encode()
ok(lib.hamlet_accept(b, env, env_len, admin_id, ctypes.byref(p)), "accept")
check(take_string(p).encode() == ws, "accepted workspace")
lib.hamlet_free(req)
lib.hamlet_free(env)

summary = "Xin c\u1ea5p \u0111i\u1ec7n cho x\u00f3m 2"
batch = json.dumps([{"op": "insert", "collection": "concerns",
                     "fields": {"summary": summary, "status": "received", "count": 3}}], ensure_ascii=False)
ok(lib.hamlet_commit(a, ws, batch.encode("utf-8"), ctypes.byref(p)), "commit")
rid = json.loads(take_string(p))["ids"][0]

ok(lib.hamlet_cursor(b, ws, ctypes.byref(p)), "cursor")
cursor = take_string(p).encode()
chunk, chunk_len, nxt, more = P(), ctypes.c_size_t(), P(), ctypes.c_int()
ok(lib.hamlet_export(a, ws, cursor, 1 << 20, ctypes.byref(chunk), ctypes.byref(chunk_len), ctypes.byref(nxt),
                     ctypes.byref(more)), "export")
check(chunk_len.value > 0 and more.value == 0, "export produced one whole chunk")
data = take_bytes(chunk, chunk_len)
lib.hamlet_free(nxt)
# Save as a bundle file and import from the file's bytes, as the SD-card path does.
bundle = os.path.join(scratch, "a.bundle")
with open(bundle, "wb") as f:
    f.write(data)
with open(bundle, "rb") as f:
    raw = f.read()
buf = ctypes.create_string_buffer(raw, len(raw))
ok(lib.hamlet_import(b, ctypes.cast(buf, P), len(raw), ctypes.byref(p)), "import")
check(json.loads(take_string(p))["applied"] == 1, "one commit applied")

ok(lib.hamlet_get(b, rid.encode(), ctypes.byref(p)), "get")
rec = json.loads(take_string(p))
check(rec["fields"]["summary"] == summary, "summary round-trips byte for byte")
check(rec["fields"]["count"] == 3, "integer round-trips")

digests = []
for r in (a, b):
    ok(lib.hamlet_state_digest(r, ws, ctypes.byref(p)), "digest")
    digests.append(take_string(p))
check(digests[0] == digests[1], "replicas converge")

lib.hamlet_close(a)
lib.hamlet_close(b)
bad = P()
check(lib.hamlet_open(os.path.join(scratch, "a.db").encode(), b"wrong", 0, ctypes.byref(bad)) == 7,
      "wrong passphrase is HAMLET_EDENIED")
check(b"wrong passphrase" in lib.hamlet_errmsg(), "wrong passphrase message")

for f in os.listdir(scratch):
    os.unlink(os.path.join(scratch, f))
os.rmdir(scratch)
print(f"ctypes: {'0 failed' if not failures else str(len(failures)) + ' failed'}")
sys.exit(1 if failures else 0)

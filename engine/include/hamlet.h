/*
 * hamlet.h - the C API of the Hamlet sync engine.
 *
 * This is the interface Kotlin, Swift and Dart wrappers bind to. Conventions:
 *
 *  - Every function that can fail returns an int status: HAMLET_OK (0) or one
 *    of the HAMLET_E* codes below. hamlet_code_retryable() tells whether
 *    trying again later can help (busy store, interrupted) or not (bad input,
 *    wrong key, corrupt or forged data).
 *  - hamlet_errmsg() gives the message of the most recent failed call made by
 *    the calling thread. The pointer stays valid until that thread's next
 *    call into the library; do not free it.
 *  - Strings are UTF-8 and NUL-terminated. Records, batches and queries cross
 *    the boundary as JSON (see protocol.md, "JSON forms"). Ids, workspace ids
 *    and cursors are lowercase hex strings.
 *  - Every char* or unsigned char* the library returns through an out
 *    parameter is owned by the caller and must be released with hamlet_free().
 *    On failure out parameters are set to NULL / 0.
 *  - No C++ exception ever crosses this boundary.
 *  - A hamlet_replica may be used from several threads; calls on one replica
 *    are serialised internally, so a long import delays other calls on it.
 *    Calls on different replicas run in parallel. The library performs no
 *    network I/O and starts no background threads that outlive a call.
 *  - hamlet_close(NULL) and hamlet_free(NULL) do nothing.
 */
#ifndef HAMLET_H_
#define HAMLET_H_

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define HAMLET_API __attribute__((visibility("default")))
#else
#define HAMLET_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Version: major * 1000000 + minor * 1000 + patch. */
#define HAMLET_VERSION "0.1.0"
#define HAMLET_VERSION_NUMBER 1000
HAMLET_API const char* hamlet_version(void);
HAMLET_API int hamlet_version_number(void);

/* Status codes. The numbers never change. */
#define HAMLET_OK 0
#define HAMLET_ECANCELLED 1           /* retryable */
#define HAMLET_EINVALID 3             /* bad input: fix the call */
#define HAMLET_ENOTFOUND 5            /* no such record, workspace or store */
#define HAMLET_EEXISTS 6              /* already exists */
#define HAMLET_EDENIED 7              /* wrong passphrase or key, unknown device, not a member */
#define HAMLET_EPRECONDITION 9        /* the replica is not in a state for this call */
#define HAMLET_EABORTED 10            /* retryable */
#define HAMLET_ERANGE 11              /* size or cursor out of range */
#define HAMLET_EUNIMPLEMENTED 12      /* data from a newer version: upgrade */
#define HAMLET_EINTERNAL 13           /* a bug in the library */
#define HAMLET_EUNAVAILABLE 14        /* retryable: busy, disk full, I/O error */
#define HAMLET_EDATALOSS 15           /* corrupt or forged data: bad seal, signature or chain */
#define HAMLET_EUNAUTHENTICATED 16

/* Returns 1 if retrying a call that failed with code can succeed, else 0. */
HAMLET_API int hamlet_code_retryable(int code);
/* A static, human-readable name for code ("invalid argument"). Never NULL. */
HAMLET_API const char* hamlet_code_name(int code);

/* Roles for hamlet_admit. */
#define HAMLET_ROLE_OFFICER 1
#define HAMLET_ROLE_CADRE 2
HAMLET_API int hamlet_role_officer(void);
HAMLET_API int hamlet_role_cadre(void);

/* Flags for hamlet_open / hamlet_open_with_key. */
#define HAMLET_OPEN_NO_CREATE 0x1     /* fail with HAMLET_ENOTFOUND if there is no store */
#define HAMLET_OPEN_RELAXED 0x2       /* do not sync every commit to disk (faster, may lose
                                         the last commits on power loss, never on a crash) */
#define HAMLET_OPEN_KDF_INTERACTIVE 0x4 /* a store made now uses libsodium's interactive
                                           Argon2id limits (64 MiB: for phones) instead of
                                           the moderate ones (256 MiB) */
#define HAMLET_OPEN_ONE_THREAD 0x8    /* imports check signatures and seals on the calling
                                         thread only, leaving other cores to the app */
#define HAMLET_OPEN_UNGROUPED 0x10    /* each local commit reaches SQLite on its own (slower):
                                         for a store file other processes open while this
                                         handle is open (see hamlet_commit) */
HAMLET_API int hamlet_open_no_create(void);
HAMLET_API int hamlet_open_relaxed(void);
HAMLET_API int hamlet_open_kdf_interactive(void);
HAMLET_API int hamlet_open_one_thread(void);
HAMLET_API int hamlet_open_ungrouped(void);

typedef struct hamlet_replica hamlet_replica;

/* The message of this thread's most recent failed call; never NULL. */
HAMLET_API const char* hamlet_errmsg(void);

/* Opens or creates the replica store at path. A wrong passphrase or key
   fails with HAMLET_EDENIED and changes nothing; a new store's passphrase
   needs at least 8 characters (HAMLET_EINVALID otherwise). On success *out is a new
   handle to release with hamlet_close. */
HAMLET_API int hamlet_open(const char* path, const char* passphrase, int flags, hamlet_replica** out);
HAMLET_API int hamlet_open_with_key(const char* path, const unsigned char key[32], int flags,
                                    hamlet_replica** out);
HAMLET_API void hamlet_close(hamlet_replica* r);

/* Releases memory the library returned. */
HAMLET_API void hamlet_free(void* p);

/* This device's id (hex). */
HAMLET_API int hamlet_device_id(hamlet_replica* r, char** out_hex);

/* Workspaces and membership. Envelopes and join requests are binary. */
HAMLET_API int hamlet_workspace_create(hamlet_replica* r, char** out_workspace);
HAMLET_API int hamlet_workspaces(hamlet_replica* r, char** out_json);
HAMLET_API int hamlet_join_request(hamlet_replica* r, unsigned char** out, size_t* out_len);
HAMLET_API int hamlet_admit(hamlet_replica* r, const char* workspace, const unsigned char* request,
                            size_t request_len, int role, unsigned char** out_envelope, size_t* out_len);
/* Joins the workspace an envelope admits this device to. admin_device (hex)
   is the admin's device id when the envelope came without an invite code
   and the id was learnt out of band; NULL takes the admin named by the
   invite code this device used (hamlet_hub_request_join). An envelope signed
   by any other key is HAMLET_EDENIED; one for a workspace this device belongs
   to already is HAMLET_EEXISTS. Nothing is joined on error. */
HAMLET_API int hamlet_accept(hamlet_replica* r, const unsigned char* envelope, size_t len, const char* admin_device,
                             char** out_workspace);
/* As admin of workspace: an invite code (text fit for a QR code) for one
   device of the given role. Its secret half stays in the code and in this
   replica; a hub only ever sees the invite id. It admits a device within 7
   days only. */
HAMLET_API int hamlet_invite_create(hamlet_replica* r, const char* workspace, int role, char** out_code);
/* As admin of workspace: certifies the hub whose relay request this is (the
   hex line `hamlet-hub relay key` prints) to relay the workspace to and from
   another hub, and nothing else: it gets no key, is never an officer and
   authors nothing. Sets the relay hub's device id (hex: register it with
   the hub it relays to, hamlet_hub_register_device) and the relay file
   (text) for its operator's `hamlet-hub relay add` (protocol.md 13.7).
   Both are the caller's to hamlet_free. */
HAMLET_API int hamlet_certify_relay(hamlet_replica* r, const char* workspace, const char* relay_request,
                                    char** out_device, char** out_relay_file);

/* Records one commit. batch_json is an array of operations (protocol.md,
   "JSON forms"). *out_json (may be NULL) receives {"seq":N,"ids":[...]},
   the ids of inserted records in order. Once it returns HAMLET_OK the
   commit survives the app ending (and a power cut unless the replica was
   opened with relaxed durability) and this handle's reads see it; other
   connections to the same file see it when the replica's group of local
   commits ends: after 256 commits, at any other write, and at
   hamlet_close (protocol.md 8); at once with HAMLET_OPEN_UNGROUPED. */
HAMLET_API int hamlet_commit(hamlet_replica* r, const char* workspace, const char* batch_json, char** out_json);

/* The record id that name stands for in collection of workspace, the same
   on every device (hex, into *out_hex): for an app with keys of its own
   (an external case number, a setting's name), which inserts with this as
   "id" when hamlet_get finds no such record and updates it otherwise.
   Concurrent first inserts on two devices merge like any other writes. */
HAMLET_API int hamlet_named_record_id(const char* workspace, const char* collection, const char* name,
                                      char** out_hex);

/* Confidential text, such as the reporter of a denunciation (protocol.md,
   "Sealed values"). hamlet_seal_for_officers turns text into a text value
   that only the workspace's admin and officer devices known to this replica
   can read (this device too only if it is one of them); store it in a field
   like any other text. hamlet_unseal reads one: HAMLET_EDENIED when this
   device is not among its readers. hamlet_is_sealed returns 1 when value has
   the form of a sealed value, else 0. */
HAMLET_API int hamlet_seal_for_officers(hamlet_replica* r, const char* workspace, const char* text, char** out_sealed);
HAMLET_API int hamlet_unseal(hamlet_replica* r, const char* workspace, const char* sealed, char** out_text);
HAMLET_API int hamlet_is_sealed(const char* value);

/* Reads. */
HAMLET_API int hamlet_get(hamlet_replica* r, const char* record_id, char** out_json);
HAMLET_API int hamlet_find(hamlet_replica* r, const char* query_json, char** out_json);
/* Sets what this replica's index keeps of the fields of collection, in
   every workspace: spec_json is {"fields":{name:LEVEL,...},"others":LEVEL}
   with LEVEL "words" (found by value and by the words of text: the
   default), "exact" (by value only) or "none" (not indexed: a query on it
   opens every record of the collection). Fewer indexed fields make
   commits faster and the store smaller; text queries find only the words
   of "words" fields. The spec is this replica's own and kept in its store;
   calling again with the same spec writes nothing, a changed one retags
   the collection's records before returning. */
HAMLET_API int hamlet_set_index(hamlet_replica* r, const char* collection, const char* spec_json);
HAMLET_API int hamlet_conflicts(hamlet_replica* r, const char* workspace, char** out_json);
HAMLET_API int hamlet_state_digest(hamlet_replica* r, const char* workspace, char** out_hex);

/* Sync core, without I/O. A cursor describes what a replica holds; a peer
   exports against it. peer_cursor may be "" (the peer holds nothing).
   *out_chunk is empty (len 0, pointer NULL) when the peer lacks nothing;
   *out_more is 1 when more remains beyond max_bytes: the chunk is then
   only part of what the peer lacks, and the caller MUST call again with
   *out_next_cursor until *out_more is 0 (hamlet_export_bundle gives
   everything in one piece). The chunk is for another replica of the
   workspace (protocol.md 6.4: sealed as a whole, its commits without their
   padding); a hub takes bundles, which hamlet_export_bundle writes in the
   form anyone may carry. A chunk saved to a file is a bundle. */
HAMLET_API int hamlet_cursor(hamlet_replica* r, const char* workspace, char** out_cursor);
HAMLET_API int hamlet_export(hamlet_replica* r, const char* workspace, const char* peer_cursor, size_t max_bytes,
                             unsigned char** out_chunk, size_t* out_len, char** out_next_cursor, int* out_more);
/* Imports a chunk. A damaged chunk is refused whole; a commit that fails on
   its own is set aside (kept, listed by hamlet_set_aside) and the rest
   merges. *out_json (may be NULL) receives {"workspace":W,"commits":N,
   "applied":N,"duplicates":N,"set_aside":N}. */
HAMLET_API int hamlet_import(hamlet_replica* r, const unsigned char* chunk, size_t len, char** out_json);
/* The commits of workspace set aside by imports (protocol.md 6.3):
   *out_json (caller frees) receives [{"author":D,"seq":N,"hash":H,
   "code":C,"reason":TEXT,"may_pass_later":B,"in_log":B,"seen":MS}, ...],
   where code is a HAMLET_E* code telling the kind of failure. */
HAMLET_API int hamlet_set_aside(hamlet_replica* r, const char* workspace, char** out_json);

/* Bundle files, for carrying commits where there is no link (protocol.md,
   "Bundles"). hamlet_export_bundle writes everything of workspace a peer at
   peer_cursor lacks ("" for everything) into *out_bundle (caller frees);
   *out_commits counts the commits. hamlet_import_bundle imports one, chunk
   by chunk; *out_json (may be NULL) receives {"workspace":W,"exporter":D or
   null,"exporter_cursor":C,"chunks":N,"commits":N,"applied":N,
   "duplicates":N,"set_aside":N}. Importing a bundle twice changes nothing. */
HAMLET_API int hamlet_export_bundle(hamlet_replica* r, const char* workspace, const char* peer_cursor,
                                    unsigned char** out_bundle, size_t* out_len, size_t* out_commits);
HAMLET_API int hamlet_import_bundle(hamlet_replica* r, const unsigned char* bundle, size_t len, char** out_json);

/* ---- Talking to a hub with the app's own HTTP stack (protocol.md, section 13) ---- */

/* The certificate of a device of a workspace, as this replica holds it. */
HAMLET_API int hamlet_device_certificate(hamlet_replica* r, const char* workspace, const char* device,
                                         unsigned char** out, size_t* out_len);
/* The Authorization header value for one hub request: method ("GET"),
   target (path and query, exactly as sent), the session's 16-byte challenge,
   a counter that grows with every request of the session, and the body. */
HAMLET_API int hamlet_authorize_request(hamlet_replica* r, const char* workspace, const char* method,
                                        const char* target, const unsigned char* challenge, size_t challenge_len,
                                        uint64_t counter, const unsigned char* body, size_t body_len,
                                        char** out_header);
/* This device's own commits numbered above `after`, as one chunk of about
   max_bytes: the body of a push. Empty (NULL, 0) when there is none. */
HAMLET_API int hamlet_export_authored(hamlet_replica* r, const char* workspace, uint64_t after, size_t max_bytes,
                                      unsigned char** out_chunk, size_t* out_len, int* out_more);
/* Where this replica is in a hub's log for a workspace (0 at first); hub
   names the hub, e.g. its URL. Save the pull answer's Hamlet-Next after
   importing its chunk. */
HAMLET_API int hamlet_pull_position(hamlet_replica* r, const char* workspace, const char* hub, uint64_t* out);
HAMLET_API int hamlet_set_pull_position(hamlet_replica* r, const char* workspace, const char* hub, uint64_t position);
/* Takes note of a key grant, a revocation or an officer's certificate
   fetched from a hub (the "keys" answer). */
HAMLET_API int hamlet_accept_key_grant(hamlet_replica* r, const unsigned char* grant, size_t len);
HAMLET_API int hamlet_accept_revocation(hamlet_replica* r, const unsigned char* revocation, size_t len);
HAMLET_API int hamlet_accept_certificate(hamlet_replica* r, const unsigned char* certificate, size_t len);

/* ---- What a hub may withhold (protocol.md 7.4 and 13.6) ----
   hamlet_hub_sync (hamlet_http.h) does all of this; an app with its own
   HTTP stack calls these where the protocol says. */

/* As admin: a new epoch statement when one is due (a day after the last,
   or after a revocation), to POST to the hub's statements endpoint; NULL
   and 0 when none is due or this device is not the admin. Free with
   hamlet_free. */
HAMLET_API int hamlet_renew_epoch_statement(hamlet_replica* r, const char* workspace, unsigned char** out,
                                            size_t* out_len);
/* Takes the statement of a hub's keys answer (or a bundle); an older one
   than held changes nothing; HAMLET_EDATALOSS when the admin did not sign it. */
HAMLET_API int hamlet_accept_epoch_statement(hamlet_replica* r, const unsigned char* statement, size_t len);
/* How long (ms) this device goes without a newer statement before
   hamlet_warnings says so; 30 days unless set. Thread safe. */
HAMLET_API int hamlet_set_statement_max_age(hamlet_replica* r, int64_t ms);
/* Right after opening a session: session_json is {"hub": URL, "instance":
   HEX, "head": N, "contiguous": N} from the session answer. Sets the
   position to pull after, 0 when the hub is a restored copy or another hub:
   use it instead of hamlet_pull_position. */
HAMLET_API int hamlet_check_hub_session(hamlet_replica* r, const char* workspace, const char* session_json,
                                        uint64_t* out_pull_from);
/* After taking a keys answer: keys_json is the answer's JSON as received. */
HAMLET_API int hamlet_check_hub_keys(hamlet_replica* r, const char* workspace, const char* hub, const char* keys_json);
/* After a pull answered Hamlet-More: 0; heads_json is the session answer's
   "heads" object. *out_pull_again (if not NULL) is 1 when the hub served
   less than it claimed: pull once more from position 0. */
HAMLET_API int hamlet_check_hub_heads(hamlet_replica* r, const char* workspace, const char* hub, const char* heads_json,
                                      int* out_pull_again);
/* What to tell the user before writing: a JSON array of {"kind", "hub",
   "message"} (see Warning in hamlet/replica.h), empty when all is well.
   Free with hamlet_free. */
HAMLET_API int hamlet_warnings(hamlet_replica* r, const char* workspace, char** out_json);

/* Attachments (protocol.md 14): a file attached to a record, sealed on this
   device under a key of its own and kept beside the commit log, never in
   it. The record's reference (a record of the "attachments" collection)
   syncs like any record; the bytes travel on their own (hamlet_hub_sync
   sends this device's, hamlet_hub_fetch_attachment fetches another's).
   An attachment is named by its reference's id (32 hex digits).

   hamlet_attach seals len bytes (at most 1 GiB; a hub takes 20 MB unless
   its operator says otherwise) and attaches them to record_id, which must
   be a record of workspace; name (required, at most 255 bytes) and type (a
   media type; NULL or "" for application/octet-stream) go into the
   reference. *out_json (may be NULL; free with hamlet_free) receives the
   attachment as hamlet_attachments describes it. */
HAMLET_API int hamlet_attach(hamlet_replica* r, const char* workspace, const char* record_id,
                             const unsigned char* bytes, size_t len, const char* name, const char* type,
                             char** out_json);
/* The attachments of workspace not dropped, of one record when record_id is
   not NULL, oldest first: *out_json receives [{"id", "workspace",
   "record", "file", "name", "type", "size", "deleted", "held", "sent",
   "wanted", "confidential"}, ...], where held says this device holds the
   whole file, sent that a hub acknowledged it, wanted that the next sync
   fetches it, and confidential that it belongs to a denunciation: its key
   and name are sealed to the officers ("name" is "" elsewhere, and
   hamlet_attachment_read answers HAMLET_EDENIED). */
HAMLET_API int hamlet_attachments(hamlet_replica* r, const char* workspace, const char* record_id, char** out_json);
/* The file's bytes into *out (free with hamlet_free; NULL for an empty
   file), each chunk checked and opened. HAMLET_EPRECONDITION while
   this device does not hold the whole file. */
HAMLET_API int hamlet_attachment_read(hamlet_replica* r, const char* attachment, unsigned char** out, size_t* out_len);
/* Detaches the file (a commit deleting the reference); its bytes leave this
   device once a hub holds them. */
HAMLET_API int hamlet_attachment_drop(hamlet_replica* r, const char* attachment);
/* wanted 1: every later sync fetches the file until it is held; 0: not. */
HAMLET_API int hamlet_attachment_want(hamlet_replica* r, const char* attachment, int wanted);

#ifdef __cplusplus
}
#endif

#endif /* HAMLET_H_ */

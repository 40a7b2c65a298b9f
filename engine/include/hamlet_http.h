/*
 * hamlet_http.h - the ready-made hub transport of Hamlet, for apps that do
 * not bring their own HTTP stack (libhamlet_http; link it with libhamlet).
 *
 * It follows hamlet.h's conventions: int status codes (HAMLET_OK or
 * HAMLET_E*), hamlet_errmsg() for the calling thread's last failure, strings
 * the caller releases with hamlet_free(), no exception across the boundary,
 * and hamlet_hub_close(NULL) does nothing.
 *
 * A hamlet_hub talks to one hub (protocol.md, "Hub protocol") on behalf of
 * one replica. Calls block until done or failed, trying again with backoff
 * on a dropped link for as long as something moves (see
 * hamlet_hub_set_give_up_after), so run them off the UI thread. A hamlet_hub is not
 * thread safe: use one per thread. The replica must stay open while any of
 * its hamlet_hub handles exist.
 *
 * Failures say whether trying later can help: hamlet_code_retryable() is 1
 * for a link that gave nothing for the give-up time, or a busy hub, and 0 for a
 * revoked device (HAMLET_EDENIED), an unknown workspace (HAMLET_ENOTFOUND),
 * an untrusted TLS certificate (HAMLET_EUNAUTHENTICATED), or a server that
 * is not a hub this version speaks to (HAMLET_EUNIMPLEMENTED).
 */
#ifndef HAMLET_HTTP_H_
#define HAMLET_HTTP_H_

#include "hamlet.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hamlet_hub hamlet_hub;

/* What one hamlet_hub_sync moved. */
typedef struct hamlet_sync_report {
  uint64_t pushed;     /* commits the hub stored from this device */
  uint64_t pulled;     /* commits received from the hub */
  uint64_t applied;    /* of those, new to this replica */
  uint64_t bytes_up;   /* request bodies sent */
  uint64_t bytes_down; /* response bodies received */
  uint64_t requests;
  uint64_t retries;
  uint64_t relayed;    /* commits of other members the hub stored from this device */
  uint64_t files_sent; /* attachments the hub now holds whole from this device */
  uint64_t files_fetched; /* attachments fetched because they were wanted */
} hamlet_sync_report;

/* Called as a sync moves bytes (at most every 200 ms) and after every page:
   phase is "push" or "pull" (static text), or "upload" or "download" while
   attachments move; commits (files, for attachments) and bytes count what
   moved so far in that phase. A sync whose push needs more than one page
   pushes and pulls at once, and then tells of each phase in turn. Called on
   the thread that called hamlet_hub_sync. ctx is the pointer given to
   hamlet_hub_set_progress. */
typedef void (*hamlet_progress_fn)(void* ctx, const char* phase, uint64_t commits, uint64_t bytes,
                                   uint64_t retries);
/* Called when a try failed and the sync waits for the link (link_down 1,
   again every second while it waits: waiting_ms is how long nothing has
   moved, give_up_ms when the sync stops), and once when bytes move again
   (link_down 0). ctx is the pointer given to hamlet_hub_set_link_watch. */
typedef void (*hamlet_link_fn)(void* ctx, int link_down, int64_t waiting_ms, int64_t give_up_ms);

/* A transport from replica r to the hub at url ("http://host:port" or
   "https://host:port"). No connection is made until the first call. On
   success *out is a new handle to release with hamlet_hub_close. */
HAMLET_API int hamlet_hub_open(hamlet_replica* r, const char* url, hamlet_hub** out);
HAMLET_API void hamlet_hub_close(hamlet_hub* h);

/* A PEM CA bundle that signs the hub's certificate, for a hub with a
   private certificate authority. NULL returns to the system's bundle. */
HAMLET_API int hamlet_hub_set_ca_file(hamlet_hub* h, const char* path);
/* The largest page of pushes and pulls in bytes (4 KiB to 16 MiB; default
   256 KiB). Pages start at 16 KiB, double while they arrive whole and halve
   after a cut, so the default suits 2G and a fast link alike. */
HAMLET_API int hamlet_hub_set_page_bytes(hamlet_hub* h, size_t bytes);
/* How long a sync goes on trying when nothing moves, in milliseconds
   (default 120000; at least 1000): after that it fails with a retryable
   HAMLET_EUNAVAILABLE, and the next sync continues where it stopped. */
HAMLET_API int hamlet_hub_set_give_up_after(hamlet_hub* h, int64_t ms);
/* The tries of one request (0, the default: as many as the give-up time
   allows) and the first and largest backoff between them in milliseconds
   (defaults 250 and 4000). */
HAMLET_API int hamlet_hub_set_retries(hamlet_hub* h, int max_attempts, int64_t first_backoff_ms,
                                      int64_t max_backoff_ms);
/* Progress reports for hamlet_hub_sync; fn NULL turns them off. */
HAMLET_API int hamlet_hub_set_progress(hamlet_hub* h, hamlet_progress_fn fn, void* ctx);
/* Reports of the link going down and coming back during hamlet_hub_sync;
   fn NULL turns them off. */
HAMLET_API int hamlet_hub_set_link_watch(hamlet_hub* h, hamlet_link_fn fn, void* ctx);

/* Recent first (protocol.md 13.4): with days above 0, a device's first
   pull of a workspace that does not start from a snapshot begins with what
   the hub stored in the last days days, and pulls the older part after its
   push (progress phase "older"), in the same sync when older is 1, or
   leaves it for later syncs when it is 0. days 0 (the default) pulls in
   order. */
HAMLET_API int hamlet_hub_set_recent_first(hamlet_hub* h, int days, int older);
/* How many positions of the hub's log older than the recent ones are left
   to pull for workspace (0: none), after a recent-first sync. */
HAMLET_API int hamlet_hub_older_left(hamlet_hub* h, const char* workspace, uint64_t* out);

/* Pushes this device's commits the hub lacks, then pulls until caught up,
   taking in key grants and revocations first. Goes on through cuts while
   something moves: a pull page resumes at the byte where it was cut, a push
   after what the hub acknowledged. Then sends this device's attachments
   the hub lacks and fetches those wanted (hamlet_attachment_want), each
   from the byte where a cut stopped it. A file the hub refuses for its
   size limit or quota does not stop the rest: the sync then returns
   HAMLET_ERANGE (not retryable) with the hub's reason, having done
   everything else. report may be NULL. */
HAMLET_API int hamlet_hub_sync(hamlet_hub* h, const char* workspace, hamlet_sync_report* report);
/* Fetches the file of one attachment of workspace now (progress phase
   "download"), going on from where an earlier fetch stopped; nothing when
   this device holds it. HAMLET_EDATALOSS when the hub serves bytes that
   do not match the reference (nothing of them is kept);
   HAMLET_EPRECONDITION while the hub lacks part of the file (its
   device has not sent it yet). Cancelled by hamlet_hub_cancel. */
HAMLET_API int hamlet_hub_fetch_attachment(hamlet_hub* h, const char* workspace, const char* attachment);
/* Stops the hamlet_hub_sync running on h, from any thread (the one exception
   to "not thread safe" above) or from its progress callback: it returns
   HAMLET_ECANCELLED (retryable) at once, having kept what arrived, a pull
   page cut off included, for the next sync to go on from. Does nothing
   when no sync runs; a sync that starts afterwards is not affected. */
HAMLET_API int hamlet_hub_cancel(hamlet_hub* h);

/* As the workspace's admin: publishes it with a token from the hub's
   operator; registers a member device (hex id) so it can sync; admits the
   devices whose join requests carry a valid invite (counts in *admitted and
   *refused, either may be NULL); revokes a device and rotates the key. */
HAMLET_API int hamlet_hub_publish(hamlet_hub* h, const char* workspace, const char* token);
HAMLET_API int hamlet_hub_register_device(hamlet_hub* h, const char* workspace, const char* device);
HAMLET_API int hamlet_hub_admit_pending(hamlet_hub* h, const char* workspace, size_t* admitted, size_t* refused);
HAMLET_API int hamlet_hub_revoke(hamlet_hub* h, const char* workspace, const char* device);

/* On a new device: posts the join request for an invite code (made with
   hamlet_invite_create on the admin's replica) and sets the workspace and
   invite id to finish with; then hamlet_hub_complete_join fails with
   HAMLET_EUNAVAILABLE (retryable) until the admin has admitted the device. */
HAMLET_API int hamlet_hub_request_join(hamlet_hub* h, const char* code, char** out_workspace, char** out_invite);
HAMLET_API int hamlet_hub_complete_join(hamlet_hub* h, const char* workspace, const char* invite);

#ifdef __cplusplus
}
#endif

#endif /* HAMLET_HTTP_H_ */

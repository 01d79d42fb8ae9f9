/* rfc5424.h - one shmlog record as one RFC 5424 syslog message, the form shmlogd forwards.
 *
 *   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [shmlog@32473 ring=".." seq=".." ...] MSG
 *
 * field      what it holds, and what happens to what RFC 5424 does not allow there
 * ---------  ------------------------------------------------------------------------------
 * PRI        facility * 8 + severity. The severity is shmlog_level_syslog(level) (libshmlog
 *            owns the mapping: debug 7, info 6, warning 4, error 3, critical 2); a level it does
 *            not know (a damaged record) is sent as notice (5), which shmlog never uses
 *            otherwise, so that such a record stands out.
 * VERSION    1
 * TIMESTAMP  the record's wall clock, UTC, microseconds: 2026-11-21T10:15:03.123456Z (the
 *            nanoseconds below are cut): libshmlog's RFC 3339 time, as in shmlogd's own
 *            files. Before 1970 (a negative time: a clock set wrong, or damage): "-". (The
 *            last time an int64 of ns can hold is in 2262, so RFC 5424's four-digit year is
 *            never exceeded.)
 * HOSTNAME   as given by the caller (gethostname()); bytes outside printable ASCII (33..126)
 *            become '_', cut to 255; empty: "-".
 * APP-NAME   the record's tag, the same way, cut to 48 (RFC 5424's limit). Whenever that changes
 *            the tag (too long, a space, a byte outside ASCII), the whole tag is kept in the
 *            structured data as tag="..", so nothing is lost. An empty tag: "-".
 * PROCID     the writer's pid in decimal.
 * MSGID      "-".
 * SD         one element, SD-ID shmlog@32473 (the issue pins it: 32473 is IANA's example
 *            enterprise number, reserved for documentation; a private enterprise number of the
 *            project's own may replace it later, in the same place). Its parameters, in this
 *            order: ring (the ring's name), seq (the record's sequence in its ring), ringid (the
 *            random 64-bit id the ring got when it was made, 16 hex digits, when the caller
 *            knows it: a ring removed and made again counts seq from 0 again, so HOSTNAME, ring,
 *            ringid and seq together are the key a receiver drops duplicates by), tid, then tag,
 *            truncated (the message's length
 *            before libshmlog cut it) and count (a loss report's count) when they apply, then the
 *            record's own fields in their order.
 *            A field's key becomes a PARAM-NAME (SD-NAME: 1..32 printable ASCII but '=', ' ',
 *            ']', '"'): each other byte becomes '_', and the name is cut to 32 bytes; a key
 *            that would read as one of shmlog's own names above gets a '_' in front ("seq" ->
 *            "_seq"), so ring and seq are always shmlog's. A key changed this way is not
 *            reversible; the local file keeps it exactly.
 *            Values: strings as UTF-8 (each maximal ill-formed subsequence becomes one
 *            U+FFFD: libshmlog's UTF-8 reader, the JSON output's rule), with '"', '\'
 *            and ']' escaped by a '\' (RFC 5424 6.3.3); integers, floats and booleans as
 *            shmlogd's own files write them (libshmlog's put_scalar()): floats in the shortest
 *            of 15, 16 or 17 significant digits that reads back to the same double, always
 *            with a '.' or an exponent, so 1.0 stays "1.0", or NaN, Infinity, -Infinity;
 *            booleans true or false. A record whose field encoding is damaged keeps the
 *            fields before the damage and says damaged="fields".
 *            Control characters are legal in PARAM-VALUE and MSG and are sent as they are:
 *            both transports frame by length, never by newline, and a receiver escapes them
 *            on its side (rsyslog by default: #012).
 * MSG        the message bytes as written. RFC 5424 6.4: a MSG in UTF-8 must begin with a BOM,
 *            and any other MSG is MSG-ANY (any octets). So: a message holding a byte above 0x7f
 *            that is well-formed UTF-8 gets the BOM (EF BB BF) first; plain ASCII (readable as
 *            anything) and ill-formed bytes go as MSG-ANY, without a BOM and unchanged. An
 *            empty message: nothing after the structured data.
 */
#ifndef SHMLOGD_FORWARD_RFC5424_H
#define SHMLOGD_FORWARD_RFC5424_H

#include <stddef.h>
#include <stdint.h>

#include "shmlog.h"

#define RFC5424_SD_ID "shmlog@32473"
#define RFC5424_APP_NAME_MAX 48
#define RFC5424_HOSTNAME_MAX 255
#define RFC5424_SD_NAME_MAX 32

/* Where the records come from: the same for every message of one forwarder. */
struct rfc5424_origin {
	const char *hostname; /* this machine's name */
	const char *ring;     /* the ring's name */
	int facility;         /* 0..23 */
	uint64_t ring_id;     /* the ring's id (shmlog_observer_stats()); 0: unknown, not sent */
};

/* Formats REC as one RFC 5424 message, without framing and without a trailing newline, into
 * BUF (CAP bytes; BUF may be NULL when CAP is 0). Returns the length the message needs: when it
 * is >= CAP the output was cut, and the caller calls again with a buffer that large (the
 * snprintf contract). Never fails: every byte of REC is untrusted and has a spelling. */
size_t rfc5424_format(const struct shmlog_record *rec, const struct rfc5424_origin *origin,
		      char *buf, size_t cap);

#endif

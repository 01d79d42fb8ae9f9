/* size.h - sizes as the programs' options and the Python package's size= take them: "64K",
 * "4M", "1G" and plain bytes. A command-line word, so not the library's: libshmlog takes sizes
 * in bytes. Standalone (no library call), so that the Python extension compiles it too. */
#ifndef SHMLOG_CLI_SIZE_H
#define SHMLOG_CLI_SIZE_H

#include <stddef.h>
#include <stdint.h>

/* Decimal digits, then optionally K, M or G (binary multiples: 4M is 4 MiB), also written KiB,
 * MiB, GiB, in any case. Returns 0 with *OUT set, or -EINVAL for NULL, signs, spaces, another
 * suffix or a value above 2^64-1, *OUT unchanged. */
int cli_parse_size(const char *s, uint64_t *out);

/* V as the options write it: with the largest of K, M, G, T that divides it ("64K", "16G"), or
 * in bytes. Returns BUF. */
const char *cli_size_name(uint64_t v, char *buf, size_t cap);

/* Whether V bytes can be a ring's data area: a power of two from SHMLOG_MIN_SIZE to
 * SHMLOG_MAX_SIZE (shmlog.h), the one place the programs and the Python package word that
 * range. Returns 0, or -ERANGE with WHY (CAP bytes) saying what to give instead: "the largest
 * ring is 16G", "the smallest ring is 64K", "not a power of two: use 8M or 16M". */
int cli_ring_size_check(uint64_t v, char *why, size_t cap);

/* What to give when the word is no size at all ("10T", "12parsecs"): "use a power of two from
 * 64K to 16G, such as 4M". Returns WHY. */
const char *cli_ring_size_hint(char *why, size_t cap);

#endif

/* size.h - sizes as the programs' options and the Python package's size= take them: "64K",
 * "4M", "1G" and plain bytes. A command-line word, so not the library's: libshmlog takes sizes
 * in bytes. Standalone (no library call), so that the Python extension compiles it too. */
#ifndef SHMLOG_CLI_SIZE_H
#define SHMLOG_CLI_SIZE_H

#include <stdint.h>

/* Decimal digits, then optionally K, M or G (binary multiples: 4M is 4 MiB), also written KiB,
 * MiB, GiB, in any case. Returns 0 with *OUT set, or -EINVAL for NULL, signs, spaces, another
 * suffix or a value above 2^64-1, *OUT unchanged. */
int cli_parse_size(const char *s, uint64_t *out);

#endif

/* fuzz_util.h - what the libFuzzer targets share: reading structured values out of the fuzzer's
 * bytes, invariant checks that abort (so libFuzzer saves the input), and oracles written
 * independently of libshmlog: a UTF-8 decoder and a text unescaper. The strict JSON parser the
 * fuzzers use is the tests' own, tests/common/json_check.h.
 *
 * The oracles are compiled without coverage instrumentation (tests/fuzz/CMakeLists.txt), so the
 * fuzzer's feedback comes from the library and the harnesses' input decoding, not the checkers.
 */
#ifndef SHMLOG_FUZZ_UTIL_H
#define SHMLOG_FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* libFuzzer's entry points (declared here for -Wmissing-prototypes style warnings). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* ---- invariants ------------------------------------------------------------------------------ */

/* Prints where and why, then aborts: libFuzzer reports a crash and saves the input. */
void fz_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
#define FZ_CHECK(cond, ...)                                          \
	do {                                                         \
		if (!(cond))                                         \
			fz_fail(__FILE__, __LINE__, "" __VA_ARGS__); \
	} while (0)

/* ---- input ----------------------------------------------------------------------------------- */

/* A cursor over the fuzzer's bytes. Reading past the end yields zeros, so every input, however
 * short, decodes to something. */
struct fz {
	const uint8_t *p;
	size_t n;
};

uint8_t fz_u8(struct fz *f);
uint16_t fz_u16(struct fz *f);
uint32_t fz_u32(struct fz *f);
uint64_t fz_u64(struct fz *f);
/* Takes up to N bytes (fewer when the input runs out); *out points at them. Returns the count. */
size_t fz_bytes(struct fz *f, size_t n, const uint8_t **out);

/* A heap copy of exactly N bytes (at least one byte is allocated, so the pointer is never NULL
 * and ASan flags a read of P[N]). */
void *fz_dup(const void *p, size_t n);

/* ---- UTF-8 ----------------------------------------------------------------------------------- */

#define FZ_UTF8_BAD UINT32_MAX

/* Decodes one character at P (N >= 1). Returns its length and *cp; for an ill-formed sequence,
 * the length of its maximal subpart (Unicode 3.9, D93b) and *cp = FZ_UTF8_BAD. */
size_t fz_utf8_next(const uint8_t *p, size_t n, uint32_t *cp);
/* S with each maximal ill-formed subpart replaced by U+FFFD, into OUT (room for 3 * N bytes).
 * Returns the length. This is what JSON output must carry for a record's string. */
size_t fz_utf8_replace(const uint8_t *s, size_t n, uint8_t *out);

/* Checks what every output line must satisfy, whatever the format: valid UTF-8; no C0 control
 * but an optional final '\n' (and ESC when ALLOW_ESC), no DEL, no C1 control, no U+2028/2029.
 * Returns NULL when it holds, else a description of the first violation. */
const char *fz_line_violation(const char *s, size_t n, bool allow_esc);

/* ---- text escapes ---------------------------------------------------------------------------- */

/* Undoes the text escapes (\n \t \r \\ \" \xNN) of S into OUT (room for N bytes). Returns the
 * length, or -1 for a malformed escape (an unknown letter, a cut-off \x). */
long fz_text_unescape(const char *s, size_t n, uint8_t *out);

#endif

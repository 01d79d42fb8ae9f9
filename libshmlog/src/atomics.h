/* atomics.h - the only door to libatomic_ops: named acquire/release operations on shared memory.
 *
 * Private header. Every barrier in the library is one of these calls, and each call site carries a
 * label [B-xxx] naming its partner; the pairs are listed in ring.h. The emulated (lock-based)
 * fallbacks of libatomic_ops are process-local and would silently break a shared-memory ring, so
 * the build fails if any operation used here is not native.
 */
#ifndef SHMLOG_ATOMICS_H
#define SHMLOG_ATOMICS_H

#include <atomic_ops.h>
#include <stdbool.h>
#include <stdint.h>

#if defined(AO_USE_PTHREAD_DEFS) || defined(AO_USE_NO_SIGNALS)
#error "libatomic_ops is using its lock-based emulation, which does not work across processes"
#endif
#if !defined(AO_HAVE_load_acquire) || !defined(AO_HAVE_store_release) || \
	!defined(AO_HAVE_compare_and_swap_full) || !defined(AO_HAVE_fetch_and_add_full) || \
	!defined(AO_HAVE_nop_full) || !defined(AO_HAVE_nop_read) || !defined(AO_HAVE_load) || \
	!defined(AO_HAVE_store) || !defined(AO_HAVE_int_load_acquire) || \
	!defined(AO_HAVE_int_fetch_and_add_full) || !defined(AO_HAVE_int_compare_and_swap_full) || \
	!defined(AO_HAVE_int_store_release)
#error "libatomic_ops lacks a native operation shmlog needs on this platform"
#endif
#if !defined(AO_HAVE_compare_double_and_swap_double_full)
#error "shmlog needs a native double-width CAS (x86-64: build with -mcx16)"
#endif

_Static_assert(sizeof(AO_t) == 8, "shmlog positions are 64-bit AO_t words");

#if defined(__SANITIZE_THREAD__)
#define SHMLOG_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SHMLOG_TSAN 1
#endif
#endif
#ifndef SHMLOG_TSAN
#define SHMLOG_TSAN 0
#endif
#if SHMLOG_TSAN
#include <sanitizer/tsan_interface.h>
#endif

/* A 64-bit shared word and a 32-bit one (futex words are 32-bit). */
typedef volatile AO_t sw64;
typedef volatile unsigned int sw32;

static inline uint64_t at_load(const sw64 *p)
{
	return AO_load(p);
}
static inline uint64_t at_load_acquire(const sw64 *p)
{
	return AO_load_acquire(p);
}
static inline void at_store(sw64 *p, uint64_t v)
{
	AO_store(p, v);
}
static inline void at_store_release(sw64 *p, uint64_t v)
{
	AO_store_release(p, v);
}
static inline bool at_cas_full(sw64 *p, uint64_t old, uint64_t new_)
{
	return AO_compare_and_swap_full(p, old, new_);
}
static inline uint64_t at_fetch_add_full(sw64 *p, uint64_t d)
{
	return AO_fetch_and_add_full(p, d);
}
/* Compares and swaps two adjacent 64-bit words at a 16-byte aligned address, as one.
 *
 * libatomic_ops does this with an inline `lock cmpxchg16b`, which ThreadSanitizer cannot see.
 * The instruction is a full barrier and a locked write even when the comparison fails (it writes
 * the old value back), so under TSan the call says so: it releases what came before it and
 * acquires what an earlier CAS2 or release store on the same word published. Without that,
 * TSan misses orderings the hardware gives, e.g. a padding record, whose only write is its claim
 * CAS2: the consumer's acquire of it then inherits nothing, and a writer reusing those bytes a lap
 * later looks racy with the padding writer's earlier read of the word. The price: TSan takes a
 * failed CAS2, and the moment before any CAS2, as a release, so it would miss a race hidden by
 * code that counts on a failed CAS2 to publish (wrong on ARM, where a failed CAS writes nothing).
 * No caller does: each failure retries or gives up without publishing anything. TSan's own
 * 16-byte atomics are no way out: its runtime may run them under a process-local lock, and the
 * multi-process ring tests run under TSan too. */
static inline bool at_cas2_full(sw64 *p, uint64_t old0, uint64_t old1, uint64_t new0,
				uint64_t new1)
{
#if SHMLOG_TSAN
	__tsan_release((void *)p);
#endif
	bool ok = AO_compare_double_and_swap_double_full((volatile AO_double_t *)p, old0, old1,
							 new0, new1);
#if SHMLOG_TSAN
	__tsan_acquire((void *)p);
#endif
	return ok;
}

static inline unsigned at_load32(const sw32 *p)
{
	return AO_int_load(p);
}
static inline unsigned at_load32_acquire(const sw32 *p)
{
	return AO_int_load_acquire(p);
}
static inline void at_store32_release(sw32 *p, unsigned v)
{
	AO_int_store_release(p, v);
}
static inline bool at_cas32_full(sw32 *p, unsigned old, unsigned new_)
{
	return AO_int_compare_and_swap_full(p, old, new_);
}
static inline unsigned at_fetch_add32_full(sw32 *p, unsigned d)
{
	return AO_int_fetch_and_add_full(p, d);
}

/* Full barrier: orders every earlier load and store before every later one. */
static inline void at_fence_full(void)
{
	AO_nop_full();
}
/* Read barrier: earlier loads complete before later loads. */
static inline void at_fence_read(void)
{
	AO_nop_read();
}

#endif

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
/* Compares and swaps two adjacent 64-bit words at a 16-byte aligned address, as one. */
static inline bool at_cas2_full(sw64 *p, uint64_t old0, uint64_t old1, uint64_t new0,
				uint64_t new1)
{
	return AO_compare_double_and_swap_double_full((volatile AO_double_t *)p, old0, old1, new0,
						      new1);
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

/* test_statefile_keeps_the_newest_whole_generation_and_refuses_files_it_did_not_make.c -
 * shmlogd/statefile.c on its own: a write torn at every byte of a slot (or one bit flipped) is
 * never taken for a record, the previous generation is read instead; the newest valid generation
 * wins after a reopen, records in the wrong slots or of another format is not taken; a state file
 * another user planted, a symlink, a second link or a file others may write is refused; a second
 * process is locked out and told who holds the file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runas.h"
#include "statefile.h"

/* A record of a size other than the collector's: the protocol knows nothing of its fields. */
struct test_rec {
	struct statefile_head head;
	uint64_t value[10];
	struct statefile_tail tail;
};

STATEFILE_RECORD(struct test_rec);

static const struct statefile_format test_format = {
	.magic = 0x5453455453455454ull,
	.version = 3,
	.size = sizeof(struct test_rec),
};

#define SIZE sizeof(struct test_rec)

static struct trust own_trust(void)
{
	return (struct trust){.euid = geteuid(), .output_mode = 0640};
}

/* A fresh directory DIR (mode MODE) and the state file of DIR/app.log in it, opened. */
static void open_fresh(struct statefile *sf, const char *dir, mode_t mode)
{
	char cmd[256];
	struct trust t = own_trust();
	pid_t holder;

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(chmod(dir, mode), 0);
	snprintf(cmd, sizeof(cmd), "%s/app.log", dir);
	assert_int_equal(statefile_open(sf, cmd, "test-state", &test_format, &t, &holder), 0);
	snprintf(cmd, sizeof(cmd), "%s/.app.log.test-state", dir);
	assert_string_equal(sf->path, cmd);
}

/* Writes the next generation, its values all V; its bytes as written into OUT (if not NULL). */
static void write_gen(struct statefile *sf, uint64_t v, unsigned char *out)
{
	struct test_rec r = {.head.word = (uint32_t)v};

	for (size_t i = 0; i < 10; i++)
		r.value[i] = v * 0x0101010101010101ull;
	assert_int_equal(statefile_write(sf, &r), 0);
	if (out)
		memcpy(out, &r, SIZE);
}

static void slot_write(struct statefile *sf, int slot, const void *bytes, size_t len)
{
	assert_int_equal(pwrite(sf->fd, bytes, len, (off_t)slot * STATEFILE_SLOT), (ssize_t)len);
}

/* Reads the newest record: it must be EXPECT (SIZE bytes), with sf->gen one above its gen. */
static void assert_newest(struct statefile *sf, const unsigned char *expect)
{
	struct test_rec got;
	struct statefile_head h;

	memcpy(&h, expect, sizeof(h));
	sf->gen = 12345;
	assert_int_equal(statefile_read(sf, &got), 1);
	assert_memory_equal(&got, expect, SIZE);
	assert_int_equal(sf->gen, h.gen + 1);
}

/* Slot SLOT held OLD and the write of NEW (the next generation for that slot) stopped after k
 * bytes, for every k: the slot then holds NEW's first k bytes and OLD's last ones. What is read
 * must be NEW when those bytes are NEW whole (the unwritten ones equal in both), else PREVIOUS,
 * the other slot's record. */
static void tear_every_byte(struct statefile *sf, int slot, const unsigned char *old,
			    const unsigned char *new, const unsigned char *previous)
{
	unsigned char torn[SIZE];
	int took_previous = 0;

	for (size_t k = 0; k <= SIZE; k++) {
		memcpy(torn, new, k);
		memcpy(torn + k, old + k, SIZE - k);
		slot_write(sf, slot, torn, SIZE);
		int whole = memcmp(torn, new, SIZE) == 0;
		assert_newest(sf, whole ? new : previous);
		took_previous += !whole;
	}
	/* The new record differs from the old beyond its head: most tears must have fallen back. */
	assert_true(took_previous >= (int)(SIZE - sizeof(struct statefile_tail)));
	slot_write(sf, slot, new, SIZE);
}

static void a_write_torn_at_every_byte_of_a_slot_is_never_taken_for_a_valid_generation(void **st)
{
	unsigned char g0[SIZE], g1[SIZE], g2[SIZE], g3[SIZE];
	struct statefile sf;

	(void)st;
	open_fresh(&sf, "torn", 0700);
	write_gen(&sf, 0x10, g0);
	write_gen(&sf, 0x11, g1);
	write_gen(&sf, 0x12, g2); /* over g0 in slot 0: put g0 back, then tear g2 into it */
	slot_write(&sf, 0, g0, SIZE);
	tear_every_byte(&sf, 0, g0, g2, g1);
	write_gen(&sf, 0x13, g3); /* over g1 in slot 1: likewise */
	slot_write(&sf, 1, g1, SIZE);
	tear_every_byte(&sf, 1, g1, g3, g2);
	statefile_close(&sf);
}

static void a_single_flipped_bit_makes_the_previous_generation_win(void **st)
{
	unsigned char g0[SIZE], g1[SIZE], bad[SIZE];
	struct statefile sf;

	(void)st;
	open_fresh(&sf, "flip", 0700);
	write_gen(&sf, 0x20, g0);
	write_gen(&sf, 0x21, g1);
	/* Every bit the CRC covers, and the CRC's own; the pad is 0 when written and not read. */
	for (size_t bit = 0; bit < (SIZE - sizeof(uint32_t)) * 8; bit++) {
		memcpy(bad, g1, SIZE);
		bad[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		slot_write(&sf, 1, bad, SIZE);
		assert_newest(&sf, g0);
	}
	statefile_close(&sf);
}

static void a_torn_first_write_leaves_no_valid_record(void **st)
{
	unsigned char g0[SIZE], rec[SIZE];
	struct statefile sf;

	(void)st;
	open_fresh(&sf, "first", 0700);
	write_gen(&sf, 0x30, g0);
	for (size_t k = 0; k < SIZE; k++) {
		assert_int_equal(ftruncate(sf.fd, 0), 0);
		slot_write(&sf, 0, g0, k);
		sf.gen = 7;
		assert_int_equal(statefile_read(&sf, rec), 0);
		assert_int_equal(sf.gen, 7); /* left alone: the caller starts from its own */
	}
	slot_write(&sf, 0, g0, SIZE);
	assert_newest(&sf, g0);
	statefile_close(&sf);
}

static void reopen(struct statefile *sf, const char *output)
{
	struct trust t = own_trust();
	pid_t holder;

	statefile_close(sf);
	assert_int_equal(statefile_open(sf, output, "test-state", &test_format, &t, &holder), 0);
}

static void the_newest_valid_generation_wins_and_nothing_else_is_taken(void **st)
{
	unsigned char g[10][SIZE], rec[SIZE];
	struct statefile sf;

	(void)st;
	open_fresh(&sf, "newest", 0700);
	for (int i = 0; i < 10; i++)
		write_gen(&sf, 0x40 + (uint64_t)i, g[i]);
	reopen(&sf, "newest/app.log");
	assert_newest(&sf, g[9]); /* slot 0 holds gen 8, slot 1 gen 9 */
	write_gen(&sf, 0x4a, g[0]); /* gen 10, over gen 8 */
	assert_newest(&sf, g[0]);

	/* Valid records in the slot of the other parity are not taken, whatever their CRC. */
	slot_write(&sf, 0, g[9], SIZE); /* gen 9 */
	slot_write(&sf, 1, g[0], SIZE); /* gen 10 */
	sf.gen = 0;
	assert_int_equal(statefile_read(&sf, rec), 0);

	/* Nor is a file of another kind, or of another version of this one. */
	struct statefile_format other = test_format;
	const struct statefile_format *mine = sf.format;
	other.magic++;
	sf.format = &other;
	write_gen(&sf, 0x50, NULL);
	sf.format = mine;
	assert_int_equal(statefile_read(&sf, rec), 0);
	other = test_format;
	other.version++;
	sf.format = &other;
	write_gen(&sf, 0x51, NULL);
	sf.format = mine;
	assert_int_equal(statefile_read(&sf, rec), 0);
	statefile_close(&sf);
}

/* statefile_open() of DIR/app.log must refuse with ERR; with -EPERM its refusal names the file
 * and holds WORDS. */
static void assert_refused(const char *dir, const struct trust *t, int err, const char *words)
{
	char out[128], path[128];
	struct statefile sf;
	pid_t holder;

	snprintf(out, sizeof(out), "%s/app.log", dir);
	snprintf(path, sizeof(path), "%s/.app.log.test-state", dir);
	assert_int_equal(statefile_open(&sf, out, "test-state", &test_format, t, &holder), err);
	assert_int_equal(sf.fd, -1);
	if (err == -EPERM) {
		if (!strstr(sf.refusal, path) || !strstr(sf.refusal, words))
			fail_msg("refusal lacks \"%s\" or \"%s\": %s", path, words, sf.refusal);
	}
	statefile_close(&sf);
}

static void a_symlink_a_second_link_or_a_file_others_may_write_is_refused(void **st)
{
	struct trust t = own_trust();
	struct statefile sf;
	struct stat s;

	(void)st;
	open_fresh(&sf, "links", 0700);
	statefile_close(&sf);
	assert_int_equal(link("links/.app.log.test-state", "links/second"), 0);
	assert_refused("links", &t, -EPERM, "link");
	assert_int_equal(unlink("links/second"), 0);

	assert_int_equal(chmod("links/.app.log.test-state", 0666), 0);
	assert_refused("links", &t, -EPERM, "writable by group or others");
	assert_int_equal(chmod("links/.app.log.test-state", 0600), 0);

	assert_int_equal(rename("links/.app.log.test-state", "links/target"), 0);
	assert_int_equal(symlink("target", "links/.app.log.test-state"), 0);
	assert_refused("links", &t, -ELOOP, NULL);
	assert_int_equal(lstat("links/target", &s), 0);
	assert_int_equal(s.st_size, 0); /* nothing written through the link */
}

static void a_state_file_another_user_planted_is_refused(void **st)
{
	struct tu_user nobody;
	const char *why;
	struct statefile sf;
	struct stat s;
	char err[512];

	(void)st;
	if (tu_other_user("nobody", &nobody, &why) < 0) {
		printf("skipped: a state file planted by another user: %s\n", why);
		skip();
	}
	open_fresh(&sf, "planted", 01777);
	statefile_close(&sf);
	assert_int_equal(unlink("planted/.app.log.test-state"), 0);
	const char *plant[] = {"/bin/sh", "-c", "umask 077; : > planted/.app.log.test-state", NULL};
	if (tu_run_as(&nobody, (gid_t)-1, plant, err, sizeof(err)) != 0)
		fail_msg("nobody could not plant the file: %s", err);

	struct trust t = own_trust();
	assert_refused("planted", &t, -EPERM, "belongs to nobody");
	assert_int_equal(stat("planted/.app.log.test-state", &s), 0);
	assert_true(s.st_uid == nobody.uid && s.st_size == 0); /* not taken over, not written */

	pid_t holder;
	t.allowed = nobody.uid;
	t.allowed_given = 1;
	assert_int_equal(statefile_open(&sf, "planted/app.log", "test-state", &test_format, &t,
					&holder),
			 0);
	statefile_close(&sf);
}

/* What statefile_open() of locked/app.log returns in a child process: 0 (and the lock, given
 * back as it exits), or -EBUSY naming this process as the holder. Anything else fails. */
static int open_in_child(void)
{
	int status;
	pid_t child = fork();

	assert_true(child >= 0);
	if (child == 0) {
		struct trust t = own_trust();
		struct statefile other;
		pid_t holder = 0;
		int e = statefile_open(&other, "locked/app.log", "test-state", &test_format, &t,
				       &holder);
		_exit(e == 0 ? 0 : e == -EBUSY && holder == getppid() ? 1 : 2);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) < 2);
	return WEXITSTATUS(status) ? -EBUSY : 0;
}

static void a_second_process_is_locked_out_and_told_who_holds_the_file(void **st)
{
	struct statefile sf;

	(void)st;
	open_fresh(&sf, "locked", 0700);
	assert_int_equal(open_in_child(), -EBUSY);
	statefile_close(&sf);
	assert_int_equal(open_in_child(), 0); /* the lock went with the close */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			a_write_torn_at_every_byte_of_a_slot_is_never_taken_for_a_valid_generation),
		cmocka_unit_test(a_single_flipped_bit_makes_the_previous_generation_win),
		cmocka_unit_test(a_torn_first_write_leaves_no_valid_record),
		cmocka_unit_test(the_newest_valid_generation_wins_and_nothing_else_is_taken),
		cmocka_unit_test(a_symlink_a_second_link_or_a_file_others_may_write_is_refused),
		cmocka_unit_test(a_state_file_another_user_planted_is_refused),
		cmocka_unit_test(a_second_process_is_locked_out_and_told_who_holds_the_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* faults.c - the seeded schedule of faults, and the small tmpfs that makes the disk fill up.
 *
 * The schedule first deals every kind of fault once, in a seeded order, so even a short run
 * meets them all; then it draws kinds at random, one every 0.3-2.5 s. Faults run one at a time
 * (a collector fault finishes, recovery included, before the next one starts), except two that
 * last on their own: a SIGSTOPped writer gets its SIGCONT from pump() when due, and a follower
 * is detached by pump() when its time is up. pump() runs whenever the driver waits.
 *
 * The disk: as root, the driver unshares its mount namespace (so the mount is private to it and
 * its children, and goes away with them even if the driver is SIGKILLed) and mounts a tmpfs of
 * cfg.tmpfs_bytes on run/out, which holds shmlogd's output. The disk-fill fault writes a ballast
 * file there until ENOSPC, holds it a few seconds, and deletes it. So that a long run fits, rotated
 * files that shmlogd is done with are moved to run/archive (on the real disk) while the tmpfs is
 * more than 40% full. Without root the output lives on the real disk and only this fault is
 * skipped, with the reason printed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "torture.h"

enum fault {
	F_KILL_WRITER,
	F_STOP_WRITER,
	F_KILL_COLLECTOR,
	F_FOLLOWER,
	F_RING_FILL,
	F_ROTATE,
	F_DISK_FILL,
	F_COUNT
};

static const char *const fault_names[F_COUNT] = {
	"kill a writer", "stop a writer", "kill shmlogd", "attach a follower",
	"fill the ring", "rotate (rename + SIGHUP)", "fill the disk",
};

static int disk_fill_possible;
static int ballast_present;

/* ------------------------------------------------------------------ the tmpfs */

int disk_setup(void)
{
	char opts[64];

	if (R->cfg.no_disk_fill) {
		printf("torture: disk-fill fault off (--no-disk-fill)\n");
		return 0;
	}
	if (geteuid() != 0) {
		printf("torture: skipping the disk-fill fault: mounting a tmpfs needs root "
		       "(everything else runs)\n");
		return 0;
	}
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		printf("torture: skipping the disk-fill fault: no private mount namespace (%s)\n",
		       strerror(errno));
		return 0;
	}
	snprintf(opts, sizeof(opts), "size=%llu,mode=0755",
		 (unsigned long long)R->cfg.tmpfs_bytes);
	if (mount("tmpfs", R->outdir, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0) {
		printf("torture: skipping the disk-fill fault: cannot mount a tmpfs on %s (%s)\n",
		       R->outdir, strerror(errno));
		return 0;
	}
	R->tmpfs_mounted = 1;
	disk_fill_possible = 1;
	return 0;
}

void disk_teardown(void)
{
	if (!R->tmpfs_mounted)
		return;
	if (umount2(R->outdir, 0) < 0 && umount2(R->outdir, MNT_DETACH) < 0)
		fprintf(stderr, "torture: umount %s: %s\n", R->outdir, strerror(errno));
	R->tmpfs_mounted = 0;
}

static int tmpfs_percent_used(void)
{
	struct statvfs sv;
	if (statvfs(R->outdir, &sv) < 0 || sv.f_blocks == 0)
		return 0;
	return (int)(100 - sv.f_bavail * 100 / sv.f_blocks);
}

/* Writes the ballast until the file system says ENOSPC, holds it, deletes it. */
static void fill_the_disk(void)
{
	static char block[1 << 16];
	char path[4200];

	if (!disk_fill_possible)
		return;
	snprintf(path, sizeof(path), "%s/.ballast", R->outdir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		fail("create %s: %s", path, strerror(errno));
		return;
	}
	ballast_present = 1;
	for (size_t chunk = sizeof(block); chunk > 0; chunk /= 2)
		while (write(fd, block, chunk) > 0)
			;
	if (errno != ENOSPC)
		fail("filling %s: %s, expected ENOSPC", path, strerror(errno));
	close(fd);
	R->disk_fills++;
	int64_t end = now_ms() + rnd_between(1000, 4000);
	while (now_ms() < end) {
		pump();
		sleep_ms(10);
	}
	unlink(path);
	ballast_present = 0;
}

/* ------------------------------------------------------------------ archiving */

/* Whether NAME is a rotated file that shmlogd will not touch again. */
static int finished_rotated(const char *name)
{
	size_t bl = strlen("out.log."), len = strlen(name);
	int compressed = (len > 3 && !strcmp(name + len - 3, ".gz")) ||
			 (len > 4 && !strcmp(name + len - 4, ".zst"));
	char plain[4300];

	if (strncmp(name, "out.log.", bl) || (len > 4 && !strcmp(name + len - 4, ".tmp")))
		return 0;
	if (strcmp(R->cfg.compress, "none") == 0)
		return !compressed;
	if (!compressed)
		return 0; /* still to be compressed */
	/* The worker renames NAME.gz into place, then deletes NAME: wait for the delete. */
	snprintf(plain, sizeof(plain), "%s/%.*s", R->outdir,
		 (int)(len - (name[len - 1] == 'z' && name[len - 2] == 'g' ? 3 : 4)), name);
	return access(plain, F_OK) < 0;
}

static int copy_file(const char *from, const char *to)
{
	static char buf[1 << 16];
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	ssize_t n = 0;

	if (in >= 0 && out >= 0)
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)n) != n) {
				n = -1;
				break;
			}
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0)
		n = -1;
	return in < 0 || out < 0 || n < 0 ? -1 : 0;
}

void archive_finished_files(int force)
{
	char from[8400], to[8400];
	struct dirent *e;

	if (!R->tmpfs_mounted || ballast_present || (!force && tmpfs_percent_used() < 40))
		return;
	DIR *d = opendir(R->outdir);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (!finished_rotated(e->d_name))
			continue;
		snprintf(from, sizeof(from), "%s/%s", R->outdir, e->d_name);
		snprintf(to, sizeof(to), "%s/%s", R->archive, e->d_name);
		if (copy_file(from, to) < 0) {
			fail("archiving %s: %s", from, strerror(errno));
			break;
		}
		unlink(from);
	}
	closedir(d);
}

/* ------------------------------------------------------------------ the schedule */

/* Everything that must go on while the driver waits: due SIGCONTs, writers that exited, followers
 * whose time is up, shmlogd's notify messages, archiving. */
void pump(void)
{
	static int64_t last_archive;
	int64_t now = now_ms();

	for (int id = 0; id < R->nwriters; id++)
		if (R->wcont_at[id] && now >= R->wcont_at[id]) {
			kill(R->shared->w[id].pid, SIGCONT);
			R->wcont_at[id] = 0;
		}
	writers_reap();
	followers_pump();
	collector_drain_notify();
	if (now - last_archive >= 1000) {
		last_archive = now;
		archive_finished_files(0);
	}
}

/* A running writer, or -1. */
static int pick_writer(int not_stopped)
{
	int ids[TORTURE_MAX_WRITERS], n = 0;
	for (int id = 0; id < R->nwriters; id++)
		if (writer_alive(id) && (!not_stopped || !R->wcont_at[id]))
			ids[n++] = id;
	return n ? ids[rnd_below((unsigned)n)] : -1;
}

static void run_fault(enum fault f)
{
	int id;

	note("fault: %s", fault_names[f]);
	switch (f) {
	case F_KILL_WRITER:
		if ((id = pick_writer(0)) >= 0) {
			writer_kill(id);
			R->kills_writer++;
			writer_start();
		}
		break;
	case F_STOP_WRITER:
		if ((id = pick_writer(1)) >= 0) {
			kill(R->shared->w[id].pid, SIGSTOP);
			R->wcont_at[id] = now_ms() + rnd_between(20, 1500);
			R->stop_cont++;
		}
		break;
	case F_KILL_COLLECTOR:
		collector_kill_and_restart();
		break;
	case F_FOLLOWER:
		if (R->nfollowers < 3)
			follower_start();
		break;
	case F_RING_FILL:
		collector_pause(rnd_between(300, 3000));
		break;
	case F_ROTATE:
		collector_hup_rotate();
		break;
	case F_DISK_FILL:
		fill_the_disk();
		break;
	case F_COUNT:
		break;
	}
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

void faults_run(void)
{
	enum fault deck[F_COUNT];
	int dealt = 0;
	int64_t end = now_ms() + (int64_t)R->cfg.seconds * 1000, next = now_ms() + 500;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (int i = 0; i < F_COUNT; i++)
		deck[i] = (enum fault)i;
	for (int i = F_COUNT - 1; i > 0; i--) {
		int j = (int)rnd_below((unsigned)i + 1);
		enum fault t = deck[i];
		deck[i] = deck[j];
		deck[j] = t;
	}
	while (now_ms() < end && !interrupted) {
		pump();
		if (collector_check() < 0 && collector_start() == 0)
			collector_wait_ready(20000);
		if (now_ms() >= next) {
			run_fault(dealt < F_COUNT ? deck[dealt++] : (enum fault)rnd_below(F_COUNT));
			next = now_ms() + rnd_between(300, 2500);
		}
		sleep_ms(10);
	}
	if (interrupted)
		fail("interrupted by a signal before the end of the schedule");
	if (!disk_fill_possible)
		note("disk-fill fault was skipped");
}

/* test_shmlogd_refuses_bad_outputs_and_options_clearly.c - --help prints every option with its
 * default on stdout and exits 0; a bad option or ring name exits EX_USAGE, and so do --size 0
 * and any size outside 64K..16G or not a power of two (the line names the range), a mode with a setuid, setgid or sticky bit and an empty --output; an output in a missing
 * directory, under a regular file, in a directory it may not write, or naming a directory exits
 * EX_CANTCREAT and leaves no ring behind; a ring whose head was scribbled over exits EX_DATAERR;
 * a symlink planted at the output path is refused, never
 * followed (its target is untouched); a FIFO there is refused without hanging. Each failure is
 * one line on stderr naming the path. */
#include <sysexits.h>

#include "shmlogd_harness.h"

/* Runs shmlogd with ARGS (as uid/gid 65534 when as_nobody); returns its exit status and leaves its
 * stderr in "bad.stderr". */
static int run(const char *const *args, int as_nobody)
{
	struct daemon d;

	unlink("bad.stderr");
	if (!as_nobody) {
		h_start(&d, args, "bad.stderr");
		return h_reap(&d, 10000);
	}
	pid_t pid = fork();
	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		const char *argv[16] = {"shmlogd"};
		for (int i = 0; args[i] && i < 14; i++)
			argv[i + 1] = args[i];
		int fd = open("bad.stderr", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 2);
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(126);
		test_exec(h_shmlogd(), (char *const *)argv);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The one line of bad.stderr must start "shmlogd: " and contain every one of the NULL-ended
 * words. */
static void expect_line(const char *what, ...)
{
	char line[1024];
	va_list ap;
	FILE *f = fopen("bad.stderr", "r");

	CHECK(f && fgets(line, sizeof(line), f), "%s: nothing on stderr", what);
	CHECK(fgetc(f) == EOF, "%s: more than one line on stderr", what);
	fclose(f);
	CHECK(!strncmp(line, "shmlogd: ", 9), "%s: the line does not start 'shmlogd: ': %s", what,
	      line);
	va_start(ap, what);
	for (const char *w; (w = va_arg(ap, const char *));)
		CHECK(strstr(line, w), "%s: '%s' not in: %s", what, w, line);
	va_end(ap);
	printf("%-22s %s", what, line);
}

static void test_help(void)
{
	static const char *const words[] = {
		"--ring", "--output", "--format", "--size", "--mode", "--group", "--on-full",
		"--output-mode", "--flush-interval", "--fsync", "--rotate-size", "--rotate-interval",
		"--keep", "--max-age", "--compress", "--nice", "--fields-under", "--help",
		"(default 100)",
		"(default 0640)", "(default -5",
		"(default 4M)", "(default block)", "(default interval:1000)", "(default 10)",
		"(default text)", "(default none)"};
	char cmd[4200], buf[8192];

	snprintf(cmd, sizeof(cmd), "%s'%s' --help", test_wrapper_prefix(), h_shmlogd());
	FILE *f = popen(cmd, "r");
	CHECK(f, "popen: %s", strerror(errno));
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	CHECK(pclose(f) == 0, "--help did not exit 0");
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		CHECK(strstr(buf, words[i]), "--help does not mention %s", words[i]);
	printf("--help: exit 0, every option and default listed\n");
}

int main(void)
{
	const char *ring = h_ring("bad");
	struct stat st;
	char buf[64];

	test_help();

	const char *none[] = {NULL};
	CHECK(run(none, 0) == EX_USAGE, "no arguments: not EX_USAGE");
	expect_line("no arguments", "--ring", "--help", NULL);
	const char *fmt[] = {"--ring", ring, "--output", "x.log", "--format", "xml", NULL};
	CHECK(run(fmt, 0) == EX_USAGE, "--format xml: not EX_USAGE");
	expect_line("--format xml", "--format", "xml", NULL);
	const char *under[] = {"--ring", ring, "--output", "x.log", "--format", "json",
			       "--fields-under", "event", NULL};
	CHECK(run(under, 0) == EX_USAGE, "--fields-under event: not EX_USAGE");
	expect_line("--fields-under event", "--fields-under", "'event'", "labels", NULL);
	const char *under_text[] = {"--ring", ring, "--output", "x.log", "--fields-under", "app",
				    NULL};
	CHECK(run(under_text, 0) == EX_USAGE, "--fields-under with text: not EX_USAGE");
	expect_line("--fields-under with text", "--fields-under", "--format json", NULL);
	const char *nice[] = {"--ring", ring, "--output", "x.log", "--nice", "40", NULL};
	CHECK(run(nice, 0) == EX_USAGE, "--nice 40: not EX_USAGE");
	expect_line("--nice 40", "--nice", "40", "-20 to 19", NULL);
	const char *size0[] = {"--ring", ring, "--output", "x.log", "--size", "0", NULL};
	CHECK(run(size0, 0) == EX_USAGE, "--size 0: not EX_USAGE");
	expect_line("--size 0", "--size", "'0'", NULL);
	/* Not a size at all: the message names what was typed (cli_parse_size says only no). */
	const char *size_bad[] = {"--ring", ring, "--output", "x.log", "--size", "12parsecs", NULL};
	CHECK(run(size_bad, 0) == EX_USAGE, "--size 12parsecs: not EX_USAGE");
	expect_line("--size 12parsecs", "--size", "'12parsecs'", "64K", NULL);
	/* Out of range, or no size at all: the line names the range (cli/size.c, from shmlog.h). */
	const char *size_10t[] = {"--ring", ring, "--output", "x.log", "--size", "10T", NULL};
	CHECK(run(size_10t, 0) == EX_USAGE, "--size 10T: not EX_USAGE");
	expect_line("--size 10T", "'10T'", "from 64K to 16G", NULL);
	const char *size_32g[] = {"--ring", ring, "--output", "x.log", "--size", "32G", NULL};
	CHECK(run(size_32g, 0) == EX_USAGE, "--size 32G: not EX_USAGE");
	expect_line("--size 32G", "'32G'", "the largest ring is 16G", NULL);
	const char *size_1k[] = {"--ring", ring, "--output", "x.log", "--size", "1K", NULL};
	CHECK(run(size_1k, 0) == EX_USAGE, "--size 1K: not EX_USAGE");
	expect_line("--size 1K", "'1K'", "the smallest ring is 64K", NULL);
	const char *size_3m[] = {"--ring", ring, "--output", "x.log", "--size", "3M", NULL};
	CHECK(run(size_3m, 0) == EX_USAGE, "--size 3M: not EX_USAGE");
	expect_line("--size 3M", "'3M'", "use 2M or 4M", NULL);
	const char *setuid_bit[] = {"--ring", ring, "--output", "x.log", "--output-mode", "04755", NULL};
	CHECK(run(setuid_bit, 0) == EX_USAGE, "--output-mode 04755: not EX_USAGE");
	expect_line("--output-mode 04755", "--output-mode", "0777", NULL);
	const char *empty[] = {"--ring", ring, "--output", "", NULL};
	CHECK(run(empty, 0) == EX_USAGE, "--output '': not EX_USAGE");
	expect_line("--output ''", "--output", NULL);
	const char *name[] = {"--ring", "bad/name", "--output", "x.log", NULL};
	CHECK(run(name, 0) == EX_USAGE, "a ring name with a slash: not EX_USAGE");
	expect_line("bad ring name", "bad/name", NULL);

	const char *missing[] = {"--ring", ring, "--output", "no-such-dir/sub/out.log", NULL};
	CHECK(run(missing, 0) == EX_CANTCREAT, "missing directory: not EX_CANTCREAT");
	expect_line("missing directory", "no-such-dir/sub/out.log", "No such file or directory",
		    NULL);

	int fd = open("plain-file", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	close(fd);
	const char *notdir[] = {"--ring", ring, "--output", "plain-file/out.log", NULL};
	CHECK(run(notdir, 0) == EX_CANTCREAT, "output under a file: not EX_CANTCREAT");
	expect_line("under a regular file", "plain-file/out.log", "Not a directory", NULL);

	/* A symlink planted at the output path must not redirect the collector's writes. */
	fd = open("victim", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && write(fd, "untouched\n", 10) == 10, "victim: %s", strerror(errno));
	close(fd);
	unlink("link.log");
	CHECK(symlink("victim", "link.log") == 0, "symlink: %s", strerror(errno));
	const char *link[] = {"--ring", ring, "--output", "link.log", NULL};
	CHECK(run(link, 0) == EX_CANTCREAT, "symlink at the output path: not EX_CANTCREAT");
	expect_line("symlink planted", "link.log", "symbolic link", NULL);
	fd = open("victim", O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 10 && !memcmp(buf, "untouched\n", 10),
	      "the symlink's target was written to");
	close(fd);
	CHECK(lstat("link.log", &st) == 0 && S_ISLNK(st.st_mode), "the symlink was replaced");

	mkdir("a-dir", 0755);
	const char *dir[] = {"--ring", ring, "--output", "a-dir", NULL};
	CHECK(run(dir, 0) == EX_CANTCREAT, "a directory as the output: not EX_CANTCREAT");
	expect_line("a directory", "a-dir", "is a directory", NULL);

	unlink("fifo.log");
	CHECK(mkfifo("fifo.log", 0644) == 0, "mkfifo: %s", strerror(errno));
	const char *fifo[] = {"--ring", ring, "--output", "fifo.log", NULL};
	CHECK(run(fifo, 0) == EX_CANTCREAT, "FIFO at the output path: not EX_CANTCREAT");
	expect_line("FIFO planted", "fifo.log", "not a regular file", NULL);

	/* A ring whose head a stray write scribbled over (offset 64, docs/FORMAT.md): writers
	 * refuse it and nothing in it can be read, so shmlogd says so rather than sit idle. */
	const char *scribbled = h_ring("scribbled");
	struct shmlog *log = shmlog_open(scribbled, NULL);
	CHECK(log, "open %s: %s", scribbled, shmlog_errmsg());
	shmlog_close(log);
	char shm_path[128];
	snprintf(shm_path, sizeof(shm_path), "/dev/shm/shmlog.%s", scribbled);
	uint64_t head = 1ull << 63;
	fd = open(shm_path, O_WRONLY);
	CHECK(fd >= 0 && pwrite(fd, &head, sizeof(head), 64) == sizeof(head), "scribble %s: %s",
	      shm_path, strerror(errno));
	close(fd);
	const char *damaged[] = {"--ring", scribbled, "--output", "damaged.log", NULL};
	CHECK(run(damaged, 0) == EX_DATAERR, "a ring with a scribbled head: not EX_DATAERR");
	expect_line("scribbled head", scribbled, "is damaged", "head at 9223372036854775808", NULL);
	shmlog_unlink(scribbled);

	/* Every start above failed on its output, before the ring was made. */
	char shm[128];
	snprintf(shm, sizeof(shm), "/dev/shm/shmlog.%s", ring);
	CHECK(access(shm, F_OK) != 0, "a start that failed on its output left the ring %s behind",
	      shm);
	printf("no ring left behind by the failed starts\n");

	if (geteuid() == 0) {
		const char *ring2 = h_ring("badperm");
		mkdir("root-only", 0755);
		chmod("root-only", 0755);
		const char *perm[] = {"--ring", ring2, "--output", "root-only/out.log", NULL};
		int rc = run(perm, 1);
		CHECK(rc != 126, "cannot become uid 65534 to test permissions");
		CHECK(rc == EX_CANTCREAT, "directory not writable: exit %d, not EX_CANTCREAT", rc);
		expect_line("no permission", "cannot create", "root-only/out.log",
			    "this user (nobody) may not write its directory", "root-only (owner root",
			    NULL);
	} else {
		printf("no permission: not tested (needs root to switch user)\n");
	}
	h_cleanup();
	return 0;
}

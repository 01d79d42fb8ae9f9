/* test_shmlogd_refuses_bad_forward_options_in_one_line.c - shmlogd checks its --forward options
 * at start, before it touches a ring or a file: text output (the forwarder needs JSON's
 * sequence numbers), an unparsable URL, an unknown scheme, a port
 * out of range, a missing or unreadable TLS file, relp+tls:// without --forward-ca, a
 * certificate without its key, TLS files with no relp+tls:// target and an unknown facility
 * each exit EX_USAGE with one line on stderr that names the option, the cause and the fix;
 * good settings of every form pass every check, and this version then refuses them as not
 * carried out yet (EX_CONFIG, one line), rather than run without forwarding; --help lists them. A shmlogd
 * built without librelp refuses relp:// saying so (and the TLS checks are not reached). */
#include <sysexits.h>

#include "shmlogd_harness.h"

/* Runs shmlogd on RING with the NULL-ended extra ARGS; returns its exit status, stderr left in
 * "fwd.stderr". */
static int run(const char *ring, const char *const *args)
{
	const char *argv[32] = {"--ring", ring, "--output", "fwd.log", "--format", "json"};
	int n = 6;
	struct daemon d;

	for (int i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	unlink("fwd.stderr");
	h_start(&d, argv, "fwd.stderr");
	return h_reap(&d, 10000);
}

/* fwd.stderr is one line "shmlogd: ..." holding every NULL-ended word. */
static void expect_line(const char *what, ...)
{
	char line[1024];
	va_list ap;
	FILE *f = fopen("fwd.stderr", "r");

	CHECK(f && fgets(line, sizeof(line), f), "%s: nothing on stderr", what);
	CHECK(fgetc(f) == EOF, "%s: more than one line on stderr", what);
	fclose(f);
	CHECK(!strncmp(line, "shmlogd: ", 9), "%s: not 'shmlogd: ...': %s", what, line);
	va_start(ap, what);
	for (const char *w; (w = va_arg(ap, const char *));)
		CHECK(strstr(line, w), "%s: '%s' not in: %s", what, w, line);
	va_end(ap);
	printf("%-26s %s", what, line);
}

/* ARGS (a brace list) are refused with EX_USAGE, in one line holding the words after it. */
#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define REFUSED(ring, what, args, ...)                                                   \
	do {                                                                              \
		CHECK(run(ring, args) == EX_USAGE, "%s: not refused with EX_USAGE", what); \
		expect_line(what, __VA_ARGS__, NULL);                                     \
	} while (0)

static void write_file(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	CHECK(fd >= 0 && write(fd, "x\n", 2) == 2, "%s: %s", path, strerror(errno));
	close(fd);
	chmod(path, mode);
}

/* Whether this shmlogd has relp:// (built with librelp): a probe refused either way, for
 * different reasons. Without it, the refusal must say so and what to do. */
static int have_relp(const char *ring)
{
	CHECK(run(ring, ARGS("--forward", "relp://loghost:2514", "--forward-ca", "ca.pem")) ==
		      EX_USAGE,
	      "the relp probe was not refused");
	if (h_count_in_file("fwd.stderr", "only for relp+tls://") == 1)
		return 1;
	expect_line("built without librelp", "--forward 'relp://loghost:2514'",
		    "built without librelp", "use tcp://", "librelp-dev", NULL);
	printf("the TLS checks: not tested (this shmlogd has no relp://)\n");
	return 0;
}

static void test_refusals(const char *ring)
{
	REFUSED(ring, "unknown scheme", ARGS("--forward", "http://127.0.0.1:80"),
		"--forward 'http://127.0.0.1:80'", "unknown scheme 'http'", "relp://HOST:PORT");
	REFUSED(ring, "text output", ARGS("--forward", "tcp://loghost:514", "--format", "text"),
		"--forward needs --format json");
	REFUSED(ring, "no scheme", ARGS("--forward", "127.0.0.1:514"), "missing '://'",
		"tcp://HOST:PORT");
	REFUSED(ring, "no port", ARGS("--forward", "relp://loghost"), "no port", "relp://HOST:PORT");
	REFUSED(ring, "port 0", ARGS("--forward", "tcp://loghost:0"), "from 1 to 65535");
	REFUSED(ring, "port 65536", ARGS("--forward", "tcp://loghost:65536"), "from 1 to 65535");
	REFUSED(ring, "a path", ARGS("--forward", "relp://loghost:2514/x"), "after the port");
	REFUSED(ring, "no host", ARGS("--forward", "relp://:2514"), "no host");
	REFUSED(ring, "open IPv6", ARGS("--forward", "relp://[::1:2514"), "closing ']'");
	REFUSED(ring, "bad facility",
		ARGS("--forward", "tcp://loghost:514", "--forward-facility", "local8"),
		"--forward-facility 'local8'", "0 to 23");
}

/* What relp+tls:// needs of its TLS files. */
static void test_tls_refusals(const char *ring)
{
	REFUSED(ring, "tls without ca", ARGS("--forward", "relp+tls://loghost:2514"),
		"--forward-ca FILE");
	REFUSED(ring, "missing ca",
		ARGS("--forward", "relp+tls://loghost:2514", "--forward-ca", "no-such-ca.pem"),
		"'no-such-ca.pem'", "No such file or directory", "readable PEM");
	REFUSED(ring, "ca is a directory",
		ARGS("--forward", "relp+tls://loghost:2514", "--forward-ca", "."),
		"not a regular file");
	REFUSED(ring, "cert without key",
		ARGS("--forward", "relp+tls://loghost:2514", "--forward-ca", "ca.pem",
		     "--forward-cert", "ca.pem"),
		"--forward-key FILE");
	REFUSED(ring, "ca without tls",
		ARGS("--forward", "relp://loghost:2514", "--forward-ca", "ca.pem"),
		"only for relp+tls://");
	if (geteuid() != 0) {
		write_file("unreadable.pem", 0);
		REFUSED(ring, "unreadable key",
			ARGS("--forward", "relp+tls://loghost:2514", "--forward-ca", "ca.pem",
			     "--forward-cert", "ca.pem", "--forward-key", "unreadable.pem"),
			"--forward-key 'unreadable.pem'", "Permission denied");
	} else {
		printf("unreadable key: not tested (root reads any file)\n");
	}
}

/* Good settings pass every check; then shmlogd says that this version does not forward yet
 * (EX_CONFIG), rather than run with a central log that receives nothing. */
static void test_accepted(const char *ring, int relp)
{
	const char *with_relp[] = {"--forward", "relp+tls://[::1]:2514", "--forward",
				   "tcp://loghost.example:514", "--forward", "relp://127.0.0.1:2514",
				   "--forward-ca", "ca.pem", "--forward-cert", "ca.pem",
				   "--forward-key", "ca.pem", "--forward-facility", "local3", NULL};
	const char *tcp_only[] = {"--forward", "tcp://[::1]:514", "--forward",
				  "tcp://loghost.example:514", "--forward-facility", "19", NULL};

	CHECK(run(ring, relp ? with_relp : tcp_only) == EX_CONFIG,
	      "shmlogd with good --forward options did not exit EX_CONFIG");
	expect_line("good settings", "--forward is checked but not carried out", NULL);
	printf("%s: accepted by every check, then refused as not carried out yet\n",
	       relp ? "every URL form, TLS files and a facility" : "tcp:// URLs and a facility");
}

int main(void)
{
	const char *ring = h_ring("fwdopt");
	char cmd[4200], buf[16384];

	write_file("ca.pem", 0600);
	test_refusals(ring);
	int relp = have_relp(ring);
	if (relp)
		test_tls_refusals(ring);
	test_accepted(ring, relp);

	snprintf(cmd, sizeof(cmd), "%s'%s' --help", test_wrapper_prefix(), h_shmlogd());
	FILE *f = popen(cmd, "r");
	CHECK(f, "popen: %s", strerror(errno));
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	CHECK(pclose(f) == 0, "--help did not exit 0");
	CHECK(strstr(buf, "--forward URL") && strstr(buf, "--forward-ca") &&
		      strstr(buf, "--forward-facility") && strstr(buf, "(default user)"),
	      "--help does not list the --forward options with their default");
	h_cleanup();
	return 0;
}

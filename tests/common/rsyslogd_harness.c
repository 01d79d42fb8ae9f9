/* rsyslogd_harness.c - a private rsyslogd on loopback for the forwarding tests (see
 * rsyslogd_harness.h for what it runs and how readiness is judged). */
#include <netinet/in.h>

#include "rsyslogd_harness.h"
#include "shmlogd_harness.h"

#define RSYSLOGD "/usr/sbin/rsyslogd"
#define START_TRIES 5

/* Runs the shell command CMD (made from FMT); returns its exit status. */
static int shell(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int shell(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fflush(NULL);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* The CA, a server certificate for 127.0.0.1 and localhost and a client certificate, all
 * ECDSA P-256 (fast to make), valid for 2 days, in DIR. */
static void make_certs(struct rsyslogd *r)
{
	static const char ext[] = "subjectAltName=DNS:localhost,DNS:127.0.0.1,IP:127.0.0.1\n"
				  "basicConstraints=CA:FALSE\n"
				  "keyUsage=digitalSignature,keyEncipherment\n"
				  "extendedKeyUsage=serverAuth,clientAuth\n";
	char path[700];

	snprintf(path, sizeof(path), "%s/ext.cnf", r->dir);
	FILE *f = fopen(path, "w");
	CHECK(f && fputs(ext, f) >= 0 && fclose(f) == 0, "%s: %s", path, strerror(errno));
	int rc = shell(
		"cd '%s' && exec >openssl.log 2>&1 && "
		"openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		"-keyout ca-key.pem -out ca.pem -days 2 -subj '/CN=shmlog test CA' && "
		"for who in server client; do "
		"openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		"-keyout $who-key.pem -out $who.csr -subj \"/CN=$who.localhost\" && "
		"openssl x509 -req -in $who.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial "
		"-out $who.pem -days 2 -extfile ext.cnf || exit 1; done",
		r->dir);
	CHECK(rc == 0, "openssl could not make the test CA and certificates; see %s/openssl.log",
	      r->dir);
	snprintf(r->ca, sizeof(r->ca), "%s/ca.pem", r->dir);
	snprintf(r->client_cert, sizeof(r->client_cert), "%s/client.pem", r->dir);
	snprintf(r->client_key, sizeof(r->client_key), "%s/client-key.pem", r->dir);
}

/* A TCP port on 127.0.0.1 that was free a moment ago. */
static int free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		      getsockname(fd, (struct sockaddr *)&a, &len) == 0,
	      "finding a free port: %s", strerror(errno));
	close(fd);
	return ntohs(a.sin_port);
}

static void write_config(const struct rsyslogd *r)
{
	char path[700];

	snprintf(path, sizeof(path), "%s/rsyslog.conf", r->dir);
	FILE *f = fopen(path, "w");
	CHECK(f, "%s: %s", path, strerror(errno));
	fprintf(f,
		"global(workDirectory=\"%1$s\" maxMessageSize=\"64k\")\n"
		"main_queue(queue.type=\"Direct\")\n"
		"module(load=\"imrelp\")\n"
		"module(load=\"imtcp\")\n"
		"*.* action(type=\"omfile\" file=\"%1$s/rsyslogd-internal.log\")\n"
		"ruleset(name=\"forwarded\") {\n"
		"  action(type=\"omfile\" file=\"%1$s/received.log\"\n"
		"         template=\"RSYSLOG_SyslogProtocol23Format\")\n"
		"}\n"
		"input(type=\"imrelp\" address=\"127.0.0.1\" port=\"%2$d\" ruleset=\"forwarded\")\n"
		"input(type=\"imrelp\" address=\"127.0.0.1\" port=\"%3$d\" ruleset=\"forwarded\"\n"
		"      tls=\"on\" tls.cacert=\"%1$s/ca.pem\" tls.mycert=\"%1$s/server.pem\"\n"
		"      tls.myprivkey=\"%1$s/server-key.pem\" tls.authmode=\"certvalid\")\n"
		"input(type=\"imtcp\" address=\"127.0.0.1\" port=\"%4$d\" ruleset=\"forwarded\")\n",
		r->dir, r->relp_port, r->relp_tls_port, r->tcp_port);
	CHECK(fclose(f) == 0, "%s: %s", path, strerror(errno));
}

/* rsyslogd -N1 (a config check that loads the modules): a missing imrelp skips the test. */
static void check_config(const struct rsyslogd *r)
{
	char log[700], line[512];

	if (shell("'%s' -N1 -f '%s/rsyslog.conf' >'%s/check.log' 2>&1", RSYSLOGD, r->dir,
		  r->dir) == 0)
		return;
	snprintf(log, sizeof(log), "%s/check.log", r->dir);
	if (h_count_in_file(log, "imrelp") > 0 || h_count_in_file(log, "imtcp") > 0)
		h_skip("rsyslogd cannot load imrelp or imtcp (apt-get install rsyslog-relp)");
	FILE *f = fopen(log, "r");
	CHECK(f && fgets(line, sizeof(line), f), "rsyslogd -N1 failed without a word");
	FAIL("rsyslogd -N1 refuses the harness's config: %s", line);
}

/* Whether PID holds a listening TCP socket on 127.0.0.1:PORT (/proc/net/tcp's inode found
 * among /proc/PID/fd). */
static int listening(pid_t pid, int port)
{
	char line[512], link[64], want[64], path[96];
	unsigned long inode = 0;
	FILE *f = fopen("/proc/net/tcp", "r");

	if (!f)
		return 0;
	while (!inode && fgets(line, sizeof(line), f)) {
		unsigned addr, lport, state;
		unsigned long ino;
		if (sscanf(line, " %*d: %8X:%4X %*X:%*X %2X %*s %*s %*s %*d %*d %lu", &addr, &lport,
			   &state, &ino) == 4 &&
		    (int)lport == port && state == 0x0a)
			inode = ino;
	}
	fclose(f);
	if (!inode)
		return 0;
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	DIR *d = opendir(path);
	int found = 0;
	for (struct dirent *e; d && !found && (e = readdir(d));) {
		char fd_path[400];
		snprintf(fd_path, sizeof(fd_path), "%s/%s", path, e->d_name);
		ssize_t n = readlink(fd_path, link, sizeof(link) - 1);
		found = n > 0 && (link[n] = '\0', !strcmp(link, want));
	}
	if (d)
		closedir(d);
	return found;
}

static void spawn(struct rsyslogd *r)
{
	char conf[700], pidfile[700], err[700];

	snprintf(conf, sizeof(conf), "%s/rsyslog.conf", r->dir);
	snprintf(pidfile, sizeof(pidfile), "%s/rsyslogd.pid", r->dir);
	snprintf(err, sizeof(err), "%s/rsyslogd.stderr", r->dir);
	unlink(pidfile);
	fflush(NULL);
	r->pid = fork();
	CHECK(r->pid >= 0, "fork: %s", strerror(errno));
	if (r->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int null = open("/dev/null", O_RDWR), fd = open(err, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
		}
		if (fd >= 0)
			dup2(fd, 2);
		execl(RSYSLOGD, "rsyslogd", "-n", "-f", conf, "-i", pidfile, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < H_MAX_DAEMONS; i++)
		if (h_daemons[i] == 0) {
			h_daemons[i] = r->pid;
			break;
		}
}

static void forget(struct rsyslogd *r)
{
	for (int i = 0; i < H_MAX_DAEMONS; i++)
		if (h_daemons[i] == r->pid)
			h_daemons[i] = 0;
	r->pid = 0;
}

/* Waits until rsyslogd listens on every port. Returns 0; -1 when a port is taken by another
 * process (rsyslogd said so on stderr, or 10 s passed); fails the test when rsyslogd exits. */
static int wait_listening(struct rsyslogd *r)
{
	char err[700];
	int64_t end = h_now_ms() + 10000 * test_slow_factor();
	int st;

	snprintf(err, sizeof(err), "%s/rsyslogd.stderr", r->dir);
	while (h_now_ms() < end) {
		if (listening(r->pid, r->relp_port) && listening(r->pid, r->relp_tls_port) &&
		    listening(r->pid, r->tcp_port))
			return 0;
		if (waitpid(r->pid, &st, WNOHANG) == r->pid) {
			forget(r);
			FAIL("rsyslogd exited at start (status %d); see %s/rsyslogd.stderr",
			     WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), r->dir);
		}
		/* A listener that cannot bind is said on stderr, before the config's actions run:
		 * imrelp "error while binding", imtcp "Address already in use". */
		if (h_count_in_file(err, "Address already in use") > 0 ||
		    h_count_in_file(err, "error while binding") > 0)
			return -1;
		h_sleep_ms(10);
	}
	return -1;
}

void rs_start(struct rsyslogd *r, const char *dir)
{
	const char *work = getenv("SHMLOG_TEST_WORK_DIR");

	if (access(RSYSLOGD, X_OK) < 0)
		h_skip("rsyslogd is not installed (apt-get install rsyslog rsyslog-relp)");
	if (shell("openssl version >/dev/null 2>&1") != 0)
		h_skip("openssl is not installed (apt-get install openssl)");
	memset(r, 0, sizeof(*r));
	snprintf(r->dir, sizeof(r->dir), "%s/%s", work ? work : ".", dir);
	snprintf(r->received, sizeof(r->received), "%s/received.log", r->dir);
	CHECK(shell("rm -rf '%s' && mkdir -p '%s'", r->dir, r->dir) == 0, "cannot make %s", r->dir);
	make_certs(r);
	for (int tries = 0;; tries++) {
		r->relp_port = free_port();
		r->relp_tls_port = free_port();
		r->tcp_port = free_port();
		write_config(r);
		if (tries == 0)
			check_config(r);
		spawn(r);
		if (wait_listening(r) == 0)
			return;
		rs_kill(r);
		CHECK(tries + 1 < START_TRIES, "rsyslogd found its ports taken %d times; see %s",
		      START_TRIES, r->dir);
		printf("rsyslogd: a port was taken (try %d); trying new ports\n", tries + 1);
		shell("cd '%s' && mv rsyslogd.stderr rsyslogd.stderr.%d 2>/dev/null", r->dir, tries);
	}
}

void rs_kill(struct rsyslogd *r)
{
	if (r->pid <= 0)
		return;
	kill(r->pid, SIGKILL);
	waitpid(r->pid, NULL, 0);
	forget(r);
}

void rs_restart(struct rsyslogd *r)
{
	CHECK(r->pid == 0, "rs_restart: rsyslogd (pid %d) still runs", (int)r->pid);
	/* The ports were ours a moment ago; a stranger taking one now fails the test, said so. */
	spawn(r);
	CHECK(wait_listening(r) == 0, "rsyslogd did not listen again on ports %d, %d, %d; see %s",
	      r->relp_port, r->relp_tls_port, r->tcp_port, r->dir);
}

void rs_stop(struct rsyslogd *r)
{
	int64_t end = h_now_ms() + 10000 * test_slow_factor();
	int st;

	if (r->pid <= 0)
		return;
	kill(r->pid, SIGTERM);
	while (waitpid(r->pid, &st, WNOHANG) != r->pid) {
		CHECK(h_now_ms() < end, "rsyslogd (pid %d) did not stop on SIGTERM", (int)r->pid);
		h_sleep_ms(5);
	}
	forget(r);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "rsyslogd exited with status %d on SIGTERM",
	      WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

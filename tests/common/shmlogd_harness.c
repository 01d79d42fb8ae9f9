/* shmlogd_harness.c - the shmlogd tests' shared helpers (see shmlogd_harness.h), compiled once
 * into shmlog_testlib instead of into each of the tests that use them. */
#include "shmlogd_harness.h"

char h_rings[H_MAX_RINGS][SHMLOG_NAME_MAX + 1];

int h_nrings;

pid_t h_daemons[H_MAX_DAEMONS]; /* shmlogd processes running, 0: free */

void h_cleanup(void)
{
	for (int i = 0; i < H_MAX_DAEMONS; i++)
		if (h_daemons[i] > 0) {
			kill(h_daemons[i], SIGKILL);
			waitpid(h_daemons[i], NULL, 0);
			h_daemons[i] = 0;
		}
	for (int i = 0; i < h_nrings; i++)
		shmlog_unlink(h_rings[i]);
	h_nrings = 0;
}

int64_t h_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t h_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void h_sleep_ms(int64_t ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void h_skip(const char *why)
{
	printf("SKIP: %s\n", why);
	h_cleanup();
	exit(77);
}

void h_mount_tmpfs(const char *dir, const char *size)
{
	char opts[32], why[160];

	umount2(dir, MNT_DETACH);
	mkdir(dir, 0755);
	snprintf(opts, sizeof(opts), "size=%s", size);
	if (mount("tmpfs", dir, "tmpfs", 0, opts) < 0) {
		snprintf(why, sizeof(why), "cannot mount a %s tmpfs (%s): needs root", size,
			 strerror(errno));
		h_skip(why);
	}
}

void h_unmount(const char *dir)
{
	umount2(dir, MNT_DETACH);
	rmdir(dir);
}

const char *h_shmlogd(void)
{
	static char path[4096];
	const char *dir = getenv("SHMLOG_TEST_BIN_DIR");

	if (!path[0]) {
		snprintf(path, sizeof(path), "%s/shmlogd", dir ? dir : ".");
		if (access(path, X_OK) < 0)
			h_skip("shmlogd is not built (SHMLOG_TEST_BIN_DIR/shmlogd missing)");
	}
	return path;
}

const char *h_program(int slot, const char *name)
{
	static char paths[4][4096];
	const char *dir = getenv("SHMLOG_TEST_BIN_DIR");

	CHECK(slot >= 0 && slot < 4, "h_program: slot %d", slot);
	snprintf(paths[slot], sizeof(paths[slot]), "%s/%s", dir ? dir : ".", name);
	if (access(paths[slot], X_OK) < 0)
		h_skip("a program is not built (SHMLOG_TEST_BIN_DIR)");
	return paths[slot];
}

const char *h_ring(const char *tag)
{
	CHECK(h_nrings < H_MAX_RINGS, "too many rings");
	char *r = h_rings[h_nrings++];
	snprintf(r, SHMLOG_NAME_MAX + 1, "sd-%s-%d", tag, (int)getpid());
	shmlog_unlink(r);
	return r;
}

const char *h_path(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s", name);
	unlink(buf);
	return buf;
}

void h_start(struct daemon *d, const char *const *args, const char *err_path)
{
	static int counter;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char name[96];
	const char *argv[64];
	int n = 0;

	snprintf(name, sizeof(name), "@shmlogd-test-%d-%d", (int)getpid(), counter++);
	memcpy(sa.sun_path, name, strlen(name));
	sa.sun_path[0] = '\0';
	d->notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(d->notify_fd >= 0, "socket: %s", strerror(errno));
	CHECK(bind(d->notify_fd, (struct sockaddr *)&sa,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name))) == 0,
	      "bind notify socket: %s", strerror(errno));
	argv[n++] = "shmlogd";
	while (*args && n < 62)
		argv[n++] = *args++;
	argv[n] = NULL;
	fflush(NULL);
	d->pid = fork();
	CHECK(d->pid >= 0, "fork: %s", strerror(errno));
	if (d->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		setenv("NOTIFY_SOCKET", name, 1);
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, 1); /* ctest waits for every holder of the test's stdout */
		if (err_path) {
			int fd = open(err_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
			if (fd >= 0)
				dup2(fd, 2);
		}
		test_exec(h_shmlogd(), (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < H_MAX_DAEMONS; i++)
		if (h_daemons[i] == 0) {
			h_daemons[i] = d->pid;
			break;
		}
}

void h_forget(struct daemon *d)
{
	for (int i = 0; i < H_MAX_DAEMONS; i++)
		if (h_daemons[i] == d->pid)
			h_daemons[i] = 0;
	close(d->notify_fd);
	d->notify_fd = -1;
	d->pid = 0;
}

int h_reap(struct daemon *d, int timeout_ms)
{
	int st;
	int64_t end = h_now_ms() + timeout_ms;

	for (;;) {
		pid_t r = waitpid(d->pid, &st, WNOHANG);
		CHECK(r >= 0, "waitpid: %s", strerror(errno));
		if (r == d->pid)
			break;
		CHECK(h_now_ms() < end, "shmlogd (pid %d) did not exit within %d ms", (int)d->pid,
		      timeout_ms);
		h_sleep_ms(5);
	}
	h_forget(d);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int h_wait_notify(struct daemon *d, const char *msg, int timeout_ms)
{
	int64_t end = h_now_ms() + timeout_ms;
	char buf[512];

	while (h_now_ms() < end) {
		struct pollfd p = {.fd = d->notify_fd, .events = POLLIN};
		if (poll(&p, 1, 20) == 1) {
			ssize_t n = recv(d->notify_fd, buf, sizeof(buf) - 1, 0);
			if (n > 0) {
				buf[n] = '\0';
				if (strstr(buf, msg))
					return 0;
			}
			continue;
		}
		if (waitpid(d->pid, NULL, WNOHANG) == d->pid) {
			h_forget(d);
			return -1;
		}
	}
	return -1;
}

void h_start_ready(struct daemon *d, const char *const *args, const char *err_path)
{
	h_start(d, args, err_path);
	CHECK(h_wait_notify(d, "READY=1", 10000 * test_slow_factor()) == 0,
	      "shmlogd did not say READY=1 within %d s (see its stderr%s%s)",
	      10 * test_slow_factor(), err_path ? " in " : "", err_path ? err_path : "");
}

long long h_cpu_ns(pid_t pid, int *exact)
{
	char path[512];
	struct dirent *e;
	long long sum = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	CHECK(d, "opendir %s: %s", path, strerror(errno));
	*exact = 1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		long long run = 0;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/schedstat", (int)pid, e->d_name);
		FILE *f = fopen(path, "r");
		if (f && fscanf(f, "%lld", &run) == 1 && run > 0) {
			sum += run;
		} else {
			unsigned long ut = 0, stt = 0;
			*exact = 0;
			if (f)
				fclose(f);
			snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", (int)pid, e->d_name);
			f = fopen(path, "r");
			CHECK(f, "open %s: %s", path, strerror(errno));
			CHECK(fscanf(f, "%*d (%*[^)]) %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
				     &ut, &stt) == 2,
			      "cannot parse %s", path);
			sum += (long long)(ut + stt) * (1000000000LL / sysconf(_SC_CLK_TCK));
		}
		if (f)
			fclose(f);
	}
	closedir(d);
	return sum;
}

int h_stop(struct daemon *d)
{
	CHECK(kill(d->pid, SIGTERM) == 0, "kill: %s", strerror(errno));
	return h_reap(d, 30000 * test_slow_factor());
}

void h_kill(struct daemon *d)
{
	kill(d->pid, SIGKILL);
	h_reap(d, 10000);
}

pid_t h_writer(const struct writer_spec *w)
{
	fflush(NULL);
	pid_t pid = fork();
	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	struct shmlog *log = shmlog_open(w->ring, NULL);
	if (!log) {
		fprintf(stderr, "writer %d: %s\n", w->id, shmlog_errmsg());
		_exit(2);
	}
	for (long i = 0; i < w->n; i++) {
		int level = w->level ? w->level : i % 1000 == 999 ? SHMLOG_CRITICAL : SHMLOG_INFO;
		if (shmlog_log(log, level, "t", "w%d n%ld", w->id, i) < 0) {
			fprintf(stderr, "writer %d: record %ld not logged\n", w->id, i);
			_exit(4);
		}
		if (w->pace_every && i % w->pace_every == w->pace_every - 1)
			usleep((useconds_t)w->pace_us);
		for (int64_t end = w->spin_us ? h_now_ns() + w->spin_us * 1000LL : 0;
		     h_now_ns() < end;)
			;
	}
	int r = shmlog_flush(log, 120000);
	shmlog_close(log);
	_exit(r == 0 ? 0 : 3);
}

void h_writers_start(pid_t *pids, int nw, struct writer_spec spec)
{
	for (int i = 0; i < nw; i++) {
		spec.id = i;
		pids[i] = h_writer(&spec);
	}
}

int h_writers_done(pid_t *pids, int nw, int block)
{
	int all = 1;

	for (int i = 0; i < nw; i++) {
		int st;
		if (pids[i] <= 0)
			continue;
		pid_t r = waitpid(pids[i], &st, block ? 0 : WNOHANG);
		if (r == 0) {
			all = 0;
			continue;
		}
		CHECK(r == pids[i] && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "writer %d failed: %s %d", i, WIFEXITED(st) ? "exit" : "signal",
		      WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		pids[i] = 0;
	}
	return all;
}

int h_parse_json(const char *s, size_t len, struct line_info *li)
{
	static struct json_object obj;
	const struct json_member *synthetic;

	memset(li, 0, sizeof(*li));
	li->seq = -1;
	if (!json_parse_line(s, len, &obj))
		return -1;
	json_str(&obj, "message", li->message, sizeof(li->message));
	json_str(&obj, "log.logger", li->tag, sizeof(li->tag));
	if (json_get(&obj, "event.sequence") && !json_get_int(&obj, "event.sequence", &li->seq))
		return -1;
	if (json_get(&obj, "shmlog.count") && !json_get_int(&obj, "shmlog.count", &li->count))
		return -1;
	if ((synthetic = json_get(&obj, "shmlog.synthetic")) != NULL) {
		if (synthetic->len != 4 || memcmp(synthetic->value, "true", 4) != 0)
			return -1;
		li->synthetic = 1;
	}
	return 0;
}

int h_parse_text(const char *s, size_t len, struct line_info *li)
{
	struct text_line t;

	memset(li, 0, sizeof(*li));
	li->seq = -1;
	if (text_line_split(s, len, &t) < 0 || t.tag_len >= sizeof(li->tag))
		return -1;
	memcpy(li->tag, t.tag, t.tag_len);
	size_t n = t.msg_len < sizeof(li->message) - 1 ? t.msg_len : sizeof(li->message) - 1;
	memcpy(li->message, t.msg, n);
	li->message[n] = '\0';
	li->synthetic = !strcmp(li->tag, "shmlog");
	return 0;
}

void h_checker_init(struct checker *k, int json, int nw, long n, int from_anywhere)
{
	memset(k, 0, sizeof(*k));
	k->json = json;
	k->nw = nw;
	k->n = n;
	k->last_seq = -1;
	for (int i = 0; i < nw; i++)
		k->next[i] = from_anywhere ? -1 : 0;
}

void h_check_line(struct checker *k, const char *line, size_t len, const char *where)
{
	struct line_info li;
	int w;
	long i;

	k->lines++;
	if (k->json)
		CHECK(h_parse_json(line, len, &li) == 0, "%s line %ld is not valid JSON: %.*s", where,
		      k->lines, (int)(len > 300 ? 300 : len), line);
	else
		CHECK(h_parse_text(line, len, &li) == 0, "%s line %ld is not a text record: %.*s",
		      where, k->lines, (int)(len > 300 ? 300 : len), line);
	if (k->json && !li.synthetic) {
		CHECK(li.seq > k->last_seq, "%s line %ld: event.sequence %lld after %lld", where,
		      k->lines, li.seq, k->last_seq);
		CHECK(!k->contiguous || k->last_seq < 0 || li.seq == k->last_seq + 1,
		      "%s line %ld: event.sequence %lld after %lld: records missing", where, k->lines,
		      li.seq, k->last_seq);
		k->last_seq = li.seq;
	}
	if (li.synthetic) {
		k->synthetic++;
		return;
	}
	CHECK(sscanf(li.message, "w%d n%ld", &w, &i) == 2 && w >= 0 && w < k->nw,
	      "%s line %ld: unexpected message '%s'", where, k->lines, li.message);
	if (k->next[w] < 0)
		k->next[w] = i;
	CHECK(i >= k->next[w], "%s line %ld: writer %d record %ld again (duplicate; expected %ld)",
	      where, k->lines, w, i, k->next[w]);
	CHECK(i == k->next[w], "%s line %ld: writer %d record %ld, expected %ld (%ld lost)", where,
	      k->lines, w, i, k->next[w], i - k->next[w]);
	k->next[w]++;
	k->records++;
}

void h_check_stream(struct checker *k, FILE *f, const char *where)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, f)) > 0) {
		CHECK(line[n - 1] == '\n', "%s: last line is torn (no newline): %.*s", where,
		      (int)(n > 200 ? 200 : n), line);
		h_check_line(k, line, (size_t)n - 1, where);
	}
	free(line);
}

void h_check_file(struct checker *k, const char *path)
{
	FILE *f = fopen(path, "r");
	CHECK(f, "cannot open %s: %s", path, strerror(errno));
	h_check_stream(k, f, path);
	fclose(f);
}

void h_check_complete(const struct checker *k)
{
	for (int w = 0; w < k->nw; w++)
		CHECK(k->next[w] == k->n, "writer %d: %ld of %ld records in the output (%ld lost)", w,
		      k->next[w] < 0 ? 0 : k->next[w], k->n, k->n - (k->next[w] < 0 ? 0 : k->next[w]));
}

int h_count_in_file(const char *path, const char *needle)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	int count = 0;

	if (!f)
		return 0;
	while (getline(&line, &cap, f) > 0)
		if (strstr(line, needle))
			count++;
	free(line);
	fclose(f);
	return count;
}

void h_start_slow_sync(struct daemon *d, const char *ring, const char *out, const char *err,
		       int delay_ms)
{
	char delay[32];

	unlink(err);
	snprintf(delay, sizeof(delay), "sync:%d", delay_ms);
	setenv("SHMLOGD_DELAY", delay, 1);
	setenv("SHMLOGD_TRACE", "1", 1);
	const char *args[] = {"--ring", ring, "--output", out, "--fsync", "interval:100", NULL};
	h_start_ready(d, args, err);
	unsetenv("SHMLOGD_DELAY");
	unsetenv("SHMLOGD_TRACE");
}

int64_t h_wait_lines(const char *path, const char *needle, int n, int64_t timeout_ms)
{
	int64_t t0 = h_now_ms();

	while (h_count_in_file(path, needle) < n) {
		if (h_now_ms() - t0 > timeout_ms)
			return -1;
		h_sleep_ms(5);
	}
	return h_now_ms() - t0;
}

void h_print_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[512];

	if (!f)
		return;
	while (fgets(buf, sizeof(buf), f))
		fprintf(stderr, "  | %s", buf);
	fclose(f);
}

static int h_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int h_rotated(const char *dir, const char *base, char **names, int tmp)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t bl = strlen(base);
	int n = 0;

	CHECK(d, "opendir %s: %s", dir, strerror(errno));
	while ((e = readdir(d)) && n < H_MAX_FILES) {
		const char *s = e->d_name;
		size_t len = strlen(s);
		if (strncmp(s, base, bl) || s[bl] != '.' || len < bl + 2)
			continue;
		if (!tmp && len > 4 && !strcmp(s + len - 4, ".tmp"))
			continue;
		names[n++] = strdup(s);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(*names), h_cmp_names);
	return n;
}

int h_generations(const char *dir, const char *base)
{
	char *names[H_MAX_FILES];
	int n = h_rotated(dir, base, names, 0), gens = 0;
	size_t stem = strlen(base) + 1 + 23; /* BASE.YYYYMMDDTHHMMSS.uuuuuuZ */

	for (int i = 0; i < n; i++) {
		if (i == 0 || strncmp(names[i], names[i - 1], stem))
			gens++;
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	return gens;
}

int h_check_rotated(struct checker *k, const char *dir, const char *base)
{
	char *names[H_MAX_FILES], path[4096], cmd[4200];
	int n = h_rotated(dir, base, names, 1);

	for (int i = 0; i < n; i++) {
		size_t len = strlen(names[i]);
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		CHECK(len < 4 || strcmp(names[i] + len - 4, ".tmp"), "temporary file left: %s", path);
		CHECK(i == 0 || strncmp(names[i], names[i - 1], strlen(base) + 24),
		      "rotated file twice, compressed and not: %s and %s", names[i - 1], names[i]);
		const char *tool = len > 3 && !strcmp(names[i] + len - 3, ".gz")    ? "gzip -dc"
				   : len > 4 && !strcmp(names[i] + len - 4, ".zst") ? "zstd -dcq"
										     : NULL;
		if (tool) {
			snprintf(cmd, sizeof(cmd), "%s '%s'", tool, path);
			FILE *f = popen(cmd, "r");
			CHECK(f, "popen %s: %s", cmd, strerror(errno));
			h_check_stream(k, f, path);
			CHECK(pclose(f) == 0, "%s failed: the file is not valid", cmd);
		} else {
			h_check_file(k, path);
		}
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	snprintf(path, sizeof(path), "%s/%s", dir, base);
	h_check_file(k, path);
	return n;
}

/* config.c - the --forward* options, collected one at a time and checked together (forward.h).
 *
 * Checked at start, so that a mistake is one line before anything runs, never a forwarder that
 * retries a bad address for ever: every URL parses; the output is JSON (the forwarder reads
 * records back from it, and a text line has no sequence number); relp:// needs librelp;
 * relp+tls:// needs --forward-ca (a server whose certificate nothing verifies is not TLS worth
 * having); --forward-cert and --forward-key come together; TLS files are refused when no
 * relp+tls:// target would read them (a forgotten '+tls' must not pass silently); and every
 * TLS file given can be opened for reading now, by the user shmlogd runs as.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "forward.h"

void forward_config_init(struct forward_config *c)
{
	memset(c, 0, sizeof(*c));
	c->facility = FORWARD_DEFAULT_FACILITY;
}

int forward_config_add_url(struct forward_config *c, const char *url)
{
	if (c->nurls == FORWARD_MAX_TARGETS)
		return -1;
	c->urls[c->nurls++] = url;
	return 0;
}

int forward_config_set_facility(struct forward_config *c, const char *name)
{
	int f = forward_parse_facility(name);

	if (f < 0)
		return -1;
	c->facility = f;
	return 0;
}

static int set_path(const char **slot, const char *path)
{
	if (!*path)
		return -1;
	*slot = path;
	return 0;
}

int forward_config_set_ca(struct forward_config *c, const char *path)
{
	return set_path(&c->tls.ca, path);
}

int forward_config_set_cert(struct forward_config *c, const char *path)
{
	return set_path(&c->tls.cert, path);
}

int forward_config_set_key(struct forward_config *c, const char *path)
{
	return set_path(&c->tls.key, path);
}

int forward_have_relp(void)
{
#ifdef SHMLOG_HAVE_RELP
	return 1;
#else
	return 0;
#endif
}

/* OPTION's file PATH opens for reading and is a regular file. */
static int check_readable(const char *option, const char *path, char *why, size_t cap)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0) {
		snprintf(why, cap, "%s '%.300s': %s; give a readable PEM file", option, path,
			 strerror(errno));
		return -1;
	}
	int regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	close(fd);
	if (!regular) {
		snprintf(why, cap, "%s '%.300s': not a regular file; give a PEM file", option, path);
		return -1;
	}
	return 0;
}

/* The TLS options against the targets: given where used, used where given, readable. */
static int check_tls(const struct forward_config *c, int tls_targets, char *why, size_t cap)
{
	const struct forward_tls *t = &c->tls;

	if (!tls_targets && (t->ca || t->cert || t->key)) {
		snprintf(why, cap, "%s is only for relp+tls:// targets; write relp+tls:// in "
			 "--forward, or leave the TLS options out",
			 t->ca ? "--forward-ca" : t->cert ? "--forward-cert" : "--forward-key");
		return -1;
	}
	if (tls_targets && !t->ca) {
		snprintf(why, cap, "relp+tls:// needs --forward-ca FILE, the CA that signed the "
			 "server's certificate");
		return -1;
	}
	if (!t->cert != !t->key) {
		snprintf(why, cap, "%s needs %s too (a certificate and its private key)",
			 t->cert ? "--forward-cert" : "--forward-key",
			 t->cert ? "--forward-key FILE" : "--forward-cert FILE");
		return -1;
	}
	if ((t->ca && check_readable("--forward-ca", t->ca, why, cap) < 0) ||
	    (t->cert && check_readable("--forward-cert", t->cert, why, cap) < 0) ||
	    (t->key && check_readable("--forward-key", t->key, why, cap) < 0))
		return -1;
	return 0;
}

int forward_config_check(struct forward_config *c, int json_output, char *why, size_t cap)
{
	int tls_targets = 0;

	if (c->nurls && !json_output) {
		snprintf(why, cap, "--forward needs --format json: the forwarder reads records back "
			 "from the output, and only JSON lines carry their sequence numbers");
		return -1;
	}
	for (size_t i = 0; i < c->nurls; i++) {
		struct forward_target *t = &c->targets[i];
		if (forward_parse_url(c->urls[i], t, why, cap) < 0)
			return -1;
		if (t->scheme != FORWARD_TCP && !forward_have_relp()) {
			snprintf(why, cap, "--forward '%.300s': this shmlogd was built without "
				 "librelp; use tcp://, or rebuild with librelp-dev installed",
				 c->urls[i]);
			return -1;
		}
		tls_targets += t->scheme == FORWARD_RELP_TLS;
	}
	return check_tls(c, tls_targets, why, cap);
}

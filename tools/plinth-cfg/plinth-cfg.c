/*
 * plinth-cfg: check a Plinth configuration file on the host with the parser
 * the kernel uses (core/config_*.c).
 *
 *   plinth-cfg check FILE   print the errors, as the kernel would
 *   plinth-cfg dump FILE    print the valid part as JSON (keys as in the file)
 *   plinth-cfg passwd       read a password (prompt on a terminal, else one
 *                           line of stdin) and print the [console] lines
 *                           with its salted hash (docs/console.md)
 *
 * Exit status: 0 no errors, 1 errors, 2 usage or I/O error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <plinth/config.h>
#include <plinth/password.h>

static struct cfg cfg;

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", stdout);
		else if (ch == '\t')
			fputs("\\t", stdout);
		else if (ch < 0x20 || ch == 0x7f)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void key(bool *first, const char *name)
{
	printf("%s\n      ", *first ? "" : ",");
	*first = false;
	json_str(name);
	fputs(": ", stdout);
}

static bool has(uint32_t present, unsigned k)
{
	return present & (1u << k);
}

static void dump_guest(const struct cfg_guest *g)
{
	bool first = true;
	const char *const *n = cfg_guest_key_names;
	const struct { unsigned k; const char *s; } strs[] = {
		{ CFG_G_NAME, g->name }, { CFG_G_KERNEL, g->kernel },
		{ CFG_G_INITRD, g->initrd }, { CFG_G_CMDLINE, g->cmdline },
		{ CFG_G_FORMAT, g->format }, { CFG_G_ON_CRASH, g->on_crash },
		{ CFG_G_SERIAL, g->serial }, { CFG_G_MODE, g->mode },
	};
	const struct { unsigned k; unsigned v; } ints[] = {
		{ CFG_G_VCPUS, g->vcpus }, { CFG_G_WEIGHT, g->weight },
		{ CFG_G_CAP, g->cap },
	};

	printf("    {");
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		if (has(g->present, strs[i].k)) {
			key(&first, n[strs[i].k]);
			json_str(strs[i].s);
		}
	}
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		if (has(g->present, ints[i].k)) {
			key(&first, n[ints[i].k]);
			printf("%u", ints[i].v);
		}
	}
	if (has(g->present, CFG_G_MEMORY)) {
		key(&first, n[CFG_G_MEMORY]);
		if (g->memory_is_int)
			printf("%lld", (long long)g->memory_int);
		else
			json_str(g->memory_str);
	}
	if (has(g->present, CFG_G_CPUS)) {
		key(&first, n[CFG_G_CPUS]);
		putchar('[');
		for (unsigned i = 0; i < g->ncpus; i++)
			printf("%s%u", i ? ", " : "", g->cpus[i]);
		putchar(']');
	}
	if (has(g->present, CFG_G_AUTOSTART)) {
		key(&first, n[CFG_G_AUTOSTART]);
		fputs(g->autostart ? "true" : "false", stdout);
	}
	printf("\n    }");
}

static void dump(void)
{
	bool first = true;

	printf("{");
	if (cfg.has_hypervisor) {
		bool f = true;
		const struct cfg_hypervisor *hv = &cfg.hv;
		const char *strs[CFG_H_NKEYS] = {
			[CFG_H_CONSOLE] = hv->console,
			[CFG_H_LOG_LEVEL] = hv->log_level,
			[CFG_H_SCHEDULER] = hv->scheduler,
		};
		const unsigned *ints[CFG_H_NKEYS] = {
			[CFG_H_SCHED_SLICE_MS] = &hv->sched_slice_ms,
			[CFG_H_SCHED_TICK_MS] = &hv->sched_tick_ms,
			[CFG_H_SCHED_RATELIMIT_US] = &hv->sched_ratelimit_us,
		};
		printf("\n  \"hypervisor\": {");
		for (unsigned k = 0; k < CFG_H_NKEYS; k++) {
			if (!has(hv->present, k))
				continue;
			key(&f, cfg_hv_key_names[k]);
			if (strs[k])
				json_str(strs[k]);
			else if (ints[k])
				printf("%u", *ints[k]);
			else if (k == CFG_H_RESERVE && hv->reserve_is_int)
				printf("%lld", (long long)hv->reserve_int);
			else if (k == CFG_H_RESERVE)
				json_str(hv->reserve_str);
			else if (k == CFG_H_CONSOLE_ESCAPE)
				json_str(hv->console_escape);
			else if (k == CFG_H_CONSOLE_BUFFER && hv->console_buffer_is_int)
				printf("%lld", (long long)hv->console_buffer_int);
			else if (k == CFG_H_CONSOLE_BUFFER)
				json_str(hv->console_buffer_str);
			else
				fputs("null", stdout);  /* a key this tool does not know */
		}
		printf("\n  }");
		first = false;
	}
	if (cfg.has_console) {
		bool f = true;
		printf("%s\n  \"console\": {", first ? "" : ",");
		if (has(cfg.console.present, CFG_C_ADMIN_PASSWORD_HASH)) {
			key(&f, cfg_console_key_names[CFG_C_ADMIN_PASSWORD_HASH]);
			json_str(cfg.console.admin_password_hash);
		}
		if (has(cfg.console.present, CFG_C_LOCKOUT_SECONDS)) {
			key(&f, cfg_console_key_names[CFG_C_LOCKOUT_SECONDS]);
			printf("%u", cfg.console.lockout_seconds);
		}
		printf("\n  }");
		first = false;
	}
	if (cfg.nguests) {
		printf("%s\n  \"guest\": [\n", first ? "" : ",");
		for (unsigned i = 0; i < cfg.nguests; i++) {
			dump_guest(&cfg.guests[i]);
			printf("%s\n", i + 1 < cfg.nguests ? "," : "");
		}
		printf("  ]");
	}
	printf("\n}\n");
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);

	if (!f || !buf) {
		fprintf(stderr, "plinth-cfg: %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		free(buf);
		return NULL;
	}
	for (;;) {
		if (n == cap) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb) {
				fprintf(stderr, "plinth-cfg: %s: out of memory\n", path);
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "plinth-cfg: %s: read error\n", path);
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

static void print_errors(FILE *out, const char *file)
{
	unsigned kept = cfg.nerrors < CFG_MAX_ERRORS ? cfg.nerrors : CFG_MAX_ERRORS;

	for (unsigned i = 0; i < kept; i++)
		fprintf(out, "%s\n", cfg_error(&cfg, i));
	if (cfg.nerrors > kept)
		fprintf(out, "%s: %u more errors not shown\n", file, cfg.nerrors - kept);
}

/* One line of f without its line end: its length, or -1 at EOF before any byte or if too long. */
static long read_line(FILE *f, char *buf, size_t size)
{
	if (!fgets(buf, (int)size, f))
		return -1;
	size_t n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (n == size - 1)
		return -1; /* no line end within the buffer: too long */
	if (n && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return (long)n;
}

/* Prompt on the terminal with echo off. */
static long prompt(const char *what, char *buf, size_t size)
{
	struct termios old, quiet;
	long n;

	fprintf(stderr, "%s", what);
	tcgetattr(STDIN_FILENO, &old);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	n = read_line(stdin, buf, size);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return n;
}

static int passwd(void)
{
	char pw[256], again[256], out[PASSWORD_HASH_STR_MAX];
	uint8_t salt[16];
	long n;
	FILE *rnd;

	if (isatty(STDIN_FILENO)) {
		n = prompt("admin password: ", pw, sizeof(pw));
		if (n >= 0 && (prompt("again: ", again, sizeof(again)) != n || strcmp(pw, again))) {
			fprintf(stderr, "plinth-cfg: passwd: the two passwords differ\n");
			return 1;
		}
	} else {
		n = read_line(stdin, pw, sizeof(pw));
	}
	if (n < 0) {
		fprintf(stderr, "plinth-cfg: passwd: no password read (one line of at most %zu bytes)\n",
			sizeof(pw) - 2);
		return 1;
	}
	if (n == 0) {
		fprintf(stderr, "plinth-cfg: passwd: the password is empty\n");
		return 1;
	}
	rnd = fopen("/dev/urandom", "rb");
	if (!rnd || fread(salt, 1, sizeof(salt), rnd) != sizeof(salt)) {
		fprintf(stderr, "plinth-cfg: passwd: /dev/urandom: %s\n", strerror(errno));
		if (rnd)
			fclose(rnd);
		return 2;
	}
	fclose(rnd);
	if (password_hash_make(salt, sizeof(salt), pw, (size_t)n, out, sizeof(out))) {
		fprintf(stderr, "plinth-cfg: passwd: cannot make the hash\n");
		return 2;
	}
	memset(pw, 0, sizeof(pw));
	printf("[console]\nadmin_password_hash = \"%s\"\n", out);
	return 0;
}

int main(int argc, char **argv)
{
	size_t len;

	if (argc == 2 && !strcmp(argv[1], "passwd"))
		return passwd();
	if (argc != 3 || (strcmp(argv[1], "check") && strcmp(argv[1], "dump"))) {
		fprintf(stderr, "usage: plinth-cfg check|dump FILE, or plinth-cfg passwd\n");
		return 2;
	}
	char *buf = read_file(argv[2], &len);
	if (!buf)
		return 2;
	const char *slash = strrchr(argv[2], '/');
	const char *name = slash ? slash + 1 : argv[2];
	int err = cfg_parse(&cfg, name, buf, len);
	free(buf);
	if (!strcmp(argv[1], "check")) {
		print_errors(stdout, name);
	} else {
		print_errors(stderr, name);
		dump();
	}
	return err ? 1 : 0;
}

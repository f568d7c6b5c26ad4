/*
 * plinth-cfg: check a Plinth configuration file on the host with the parser
 * the kernel uses (core/config_*.c).
 *
 *   plinth-cfg check FILE   print the errors, as the kernel would
 *   plinth-cfg dump FILE    print the valid part as JSON (keys as in the file)
 *
 * Exit status: 0 no errors, 1 errors, 2 usage or I/O error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <plinth/config.h>

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
			else
				fputs("null", stdout);  /* a key this tool does not know */
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

int main(int argc, char **argv)
{
	size_t len;

	if (argc != 3 || (strcmp(argv[1], "check") && strcmp(argv[1], "dump"))) {
		fprintf(stderr, "usage: plinth-cfg check|dump FILE\n");
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

/*
 * libFuzzer harness for the configuration parser (core/config_*.c). The
 * input is copied into a buffer of exactly its size, so ASan catches any read
 * past the end (the parser takes length-delimited input). Checks that every
 * result is consistent: kept messages are terminated and start with the file
 * name, a syntax error yields no guests, guest names are unique.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <plinth/config.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cfg cfg;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);
	int err = cfg_parse(&cfg, "fuzz.toml", buf, size);
	free(buf);

	if ((err == 0) != (cfg.nerrors == 0))
		abort();
	if (cfg.syntax_error && (cfg.nguests || !cfg.nerrors))
		abort();
	if (cfg.nguests > CFG_MAX_GUESTS)
		abort();
	for (unsigned i = 0; i < cfg.nerrors && i < CFG_MAX_ERRORS; i++) {
		if (!memchr(cfg.errors[i], '\0', CFG_ERR_LEN) ||
		    strncmp(cfg.errors[i], "fuzz.toml:", 10))
			abort();
	}
	for (unsigned i = 0; i < cfg.nguests; i++) {
		const struct cfg_guest *g = &cfg.guests[i];
		if (!g->name[0] || !g->kernel[0] || g->vcpus < 1 || g->vcpus > CFG_MAX_VCPUS)
			abort();
		if (g->memory_bytes < CFG_MEMORY_MIN || g->memory_bytes > CFG_MEMORY_MAX)
			abort();
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(cfg.guests[j].name, g->name))
				abort();
	}
	return 0;
}

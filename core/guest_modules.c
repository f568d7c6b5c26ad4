/*
 * Guests from boot modules, until the configuration file exists: each module
 * is a guest described by its string, "NAME [mem=SIZE] [format=auto|...]
 * [mode=prot32|real] [vcpus=N]" (docs/guests.md). A bad description skips that guest only.
 */
#define LOG_TAG "guest"
#include <plinth/cmdline.h>
#include <plinth/errno.h>
#include <plinth/guest.h>
#include <plinth/guest_modules.h>
#include <plinth/log.h>
#include <plinth/string.h>

#define DEFAULT_MEMORY MiB(16)

/* "/modules/exits.bin" -> "exits" */
static void name_from_path(const char *word, size_t len, char *out, size_t out_size)
{
	const char *start = word;

	for (size_t i = 0; i < len; i++)
		if (word[i] == '/')
			start = word + i + 1;
	size_t n = (size_t)(word + len - start);
	for (size_t i = 0; i < n; i++)
		if (start[i] == '.')
			n = i;
	n = MIN(n, out_size - 1);
	memcpy(out, start, n);
	out[n] = '\0';
}

static int parse_words(const char *s, struct guest_desc *d)
{
	char value[32];
	uint64_t n;

	if (cmdline_get(s, "name", d->name, sizeof(d->name)) == -E_NOSPC) {
		log_error("module '%s': name longer than %u characters", s, GUEST_NAME_MAX - 1);
		return -E_INVAL;
	}
	/* Otherwise the first word that is not key=value (a path under QEMU). */
	for (const char *p = s; !d->name[0] && *p;) {
		bool has_equals = false;
		while (*p == ' ')
			p++;
		const char *w = p;
		for (; *p && *p != ' '; p++)
			has_equals |= *p == '=';
		if (p > w && !has_equals)
			name_from_path(w, (size_t)(p - w), d->name, sizeof(d->name));
	}
	if (!d->name[0]) {
		log_error("module '%s': no guest name", s);
		return -E_INVAL;
	}
	if (cmdline_get(s, "mem", value, sizeof(value)) == 0 &&
	    (parse_size(value, &d->memory) != 0 || !IS_ALIGNED(d->memory, PAGE_SIZE) || !d->memory)) {
		log_error("guest %s: mem=%s is not a size in whole 4 KiB pages (use e.g. 16M)", d->name, value);
		return -E_INVAL;
	}
	if (cmdline_get(s, "vcpus", value, sizeof(value)) == 0) {
		if (parse_u64(value, &n) != 0 || n == 0 || n > GUEST_MAX_VCPUS) {
			log_error("guest %s: vcpus=%s (use 1..%u)", d->name, value, GUEST_MAX_VCPUS);
			return -E_INVAL;
		}
		d->vcpus = (unsigned)n;
	}
	if (cmdline_get(s, "format", value, sizeof(value)) == 0 &&
	    image_format_parse(value, &d->format) != 0) {
		log_error("guest %s: format=%s (use auto, bzimage, multiboot, elf or flat)", d->name, value);
		return -E_INVAL;
	}
	if (cmdline_get(s, "mode", value, sizeof(value)) == 0) {
		if (strcmp(value, "real") == 0) {
			d->start_mode = VCPU_START_REAL;
		} else if (strcmp(value, "prot32") != 0) {
			log_error("guest %s: mode=%s (use prot32 or real)", d->name, value);
			return -E_INVAL;
		}
	}
	return 0;
}

int guest_desc_from_module(const struct boot_module *m, struct guest_desc *d)
{
	memset(d, 0, sizeof(*d));
	d->memory = DEFAULT_MEMORY;
	d->vcpus = 1;
	d->start_mode = VCPU_START_PROT32;
	d->format = IMAGE_AUTO;
	int err = parse_words(m->cmdline, d);
	if (err)
		return err;
	d->image = (const void *)(uintptr_t)m->start;
	d->image_size = (size_t)(m->end - m->start);
	return 0;
}

bool module_is_config(const struct boot_module *m)
{
	const char *end = strchr(m->cmdline, ' ');
	size_t len = end ? (size_t)(end - m->cmdline) : strlen(m->cmdline);

	return len > 5 && strncmp(m->cmdline + len - 5, ".toml", 5) == 0;
}

size_t guests_create_from_modules(const struct boot_info *bi)
{
	size_t created = 0;

	for (size_t i = 0; i < bi->module_count; i++) {
		struct guest_desc d;
		struct guest *g;
		if (module_is_config(&bi->modules[i]))
			continue;
		if (guest_desc_from_module(&bi->modules[i], &d) == 0 && guest_create(&d, &g) == 0)
			created++;
	}
	return created;
}

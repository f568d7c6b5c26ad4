/*
 * Guests from the configuration file (docs/config.md): the boot module whose
 * name ends in ".toml". Each [[guest]] names its kernel by the module's path.
 * Errors are printed exactly as `tools/plinth-cfg check` prints them; a guest
 * with an error is skipped and the others start.
 */
#define LOG_TAG "config"
#include <plinth/config.h>
#include <plinth/errno.h>
#include <plinth/guest.h>
#include <plinth/guest_modules.h>
#include <plinth/log.h>
#include <plinth/string.h>

static struct cfg config; /* ~31 KiB: not on the stack */

/* The module's path: its string up to the first space. */
static size_t module_path(const struct boot_module *m, const char **path)
{
	const char *end = strchr(m->cmdline, ' ');

	*path = m->cmdline;
	return end ? (size_t)(end - m->cmdline) : strlen(m->cmdline);
}

static const char *base_name(const char *path, size_t len, size_t *base_len)
{
	size_t start = 0;

	for (size_t i = 0; i < len; i++)
		if (path[i] == '/')
			start = i + 1;
	*base_len = len - start;
	return path + start;
}

/* "/guests/a.elf" names a module "/guests/a.elf" or ".../guests/a.elf". */
static const struct boot_module *find_module(const struct boot_info *bi, const char *want)
{
	size_t want_len = strlen(want);

	for (size_t i = 0; i < bi->module_count; i++) {
		const char *path;
		size_t len = module_path(&bi->modules[i], &path);
		if (len < want_len || strncmp(path + len - want_len, want, want_len) != 0)
			continue;
		if (len == want_len || want[0] == '/' || path[len - want_len - 1] == '/')
			return &bi->modules[i];
	}
	return NULL;
}

static void start_guest(const struct boot_info *bi, const struct cfg_guest *cg, size_t *started)
{
	const struct boot_module *m = find_module(bi, cg->kernel);
	struct guest_desc d;
	struct guest *g;

	if (!cg->autostart) {
		log_info("guest %s: not started (autostart = false)", cg->name);
		return;
	}
	if (!m) {
		log_error("guest %s: kernel \"%s\" is not among the boot modules", cg->name, cg->kernel);
		return;
	}
	memset(&d, 0, sizeof(d));
	str_copy(d.name, cg->name, sizeof(d.name));
	d.memory = cg->memory_bytes;
	d.vcpus = cg->vcpus;
	d.image = (const void *)(uintptr_t)m->start;
	d.image_size = (size_t)(m->end - m->start);
	d.cmdline = cg->cmdline;
	d.start_mode = strcmp(cg->mode, "real") == 0 ? VCPU_START_REAL : VCPU_START_PROT32;
	if (image_format_parse(cg->format, &d.format) != 0)
		d.format = IMAGE_AUTO; /* the parser only lets valid names through */
	if (guest_create(&d, &g) == 0)
		(*started)++;
}

int guests_create_from_config(const struct boot_info *bi, size_t *started)
{
	const struct boot_module *m = NULL;

	for (size_t i = 0; i < bi->module_count && !m; i++)
		if (module_is_config(&bi->modules[i]))
			m = &bi->modules[i];
	if (!m)
		return -E_NOENT;

	const char *path;
	size_t base_len, len = module_path(m, &path);
	char file[BOOT_NAME_MAX];
	const char *base = base_name(path, len, &base_len);
	str_copy(file, base, MIN(base_len + 1, sizeof(file)));

	*started = 0;
	cfg_parse(&config, file, (const char *)(uintptr_t)m->start, (size_t)(m->end - m->start));
	log_info("%s: %u guest(s) described, %u error(s)", file, config.nguests, config.nerrors);
	for (unsigned i = 0; i < config.nerrors && i < CFG_MAX_ERRORS; i++)
		log_error("%s", cfg_error(&config, i));
	if (config.nerrors > CFG_MAX_ERRORS)
		log_error("%u more errors not shown", config.nerrors - CFG_MAX_ERRORS);
	if (config.syntax_error) {
		log_error("%s cannot be parsed: no guests started (check it with tools/plinth-cfg)", file);
		return 0;
	}
	for (unsigned i = 0; i < config.nguests; i++)
		start_guest(bi, &config.guests[i], started);
	return 0;
}

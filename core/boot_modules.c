/*
 * Boot modules by name. GRUB names a module by the words after its path on
 * the module2 line (by convention the path itself); QEMU -initrd by the host
 * path. Either way the first word is the path the configuration refers to.
 */
#include <plinth/boot_modules.h>
#include <plinth/string.h>

size_t boot_module_path(const struct boot_module *m, const char **path)
{
	const char *end = strchr(m->cmdline, ' ');

	*path = m->cmdline;
	return end ? (size_t)(end - m->cmdline) : strlen(m->cmdline);
}

bool boot_module_is_config(const struct boot_module *m)
{
	const char *path;
	size_t len = boot_module_path(m, &path);

	return len > 5 && strncmp(path + len - 5, ".toml", 5) == 0;
}

const struct boot_module *boot_module_find(const struct boot_info *bi, const char *want)
{
	size_t want_len = strlen(want);

	if (want_len == 0)
		return NULL;
	for (size_t i = 0; i < bi->module_count; i++) {
		const char *path;
		size_t len = boot_module_path(&bi->modules[i], &path);
		if (len < want_len || strncmp(path + len - want_len, want, want_len) != 0)
			continue;
		/* Whole path, or the match starts at a path component. */
		if (len == want_len || want[0] == '/' || path[len - want_len - 1] == '/')
			return &bi->modules[i];
	}
	return NULL;
}

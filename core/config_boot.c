/*
 * The configuration at boot (docs/config.md). Errors are printed exactly as
 * `tools/plinth-cfg check` prints them; a guest with an error is skipped and
 * the others start; a file that cannot be parsed leaves no guests.
 */
#define LOG_TAG "config"
#include <plinth/boot_modules.h>
#include <plinth/cmdline.h>
#include <plinth/config_boot.h>
#include <plinth/console.h>
#include <plinth/errno.h>
#include <plinth/guest.h>
#include <plinth/log.h>
#include <plinth/string.h>
#include <plinth/vcpu_loop.h>

static struct cfg config; /* ~31 KiB: not on the stack */
static bool config_is_demo;
static const struct boot_info *boot_info_kept; /* the console starts guests later */

extern const char config_demo[], config_demo_end[];

/* "/boot/plinth.toml args" -> "plinth.toml": messages name the file as users do. */
static void file_name(const struct boot_module *m, char *out, size_t size)
{
	const char *path;
	size_t len = boot_module_path(m, &path), start = 0;

	for (size_t i = 0; i < len; i++)
		if (path[i] == '/')
			start = i + 1;
	str_copy(out, path + start, MIN(len - start + 1, size));
}

static const struct boot_module *find_config_module(const struct boot_info *bi)
{
	for (size_t i = 0; i < bi->module_count; i++)
		if (boot_module_is_config(&bi->modules[i]))
			return &bi->modules[i];
	return NULL;
}

static bool hv_key_set(enum cfg_hv_key key)
{
	return config.hv.present & (1u << key);
}

/* [hypervisor] settings, where the command line did not already decide. */
static void apply_hypervisor(const struct boot_info *bi, const char *file)
{
	char unused[8];
	enum log_level level;

	if (hv_key_set(CFG_H_LOG_LEVEL)) {
		if (cmdline_get(bi->cmdline, "loglevel", unused, sizeof(unused)) != -E_NOENT)
			log_info("%s: log_level ignored: the command line's loglevel= wins", file);
		else if (log_level_parse(config.hv.log_level, &level) == 0)
			log_set_level(level);
	}
	if (hv_key_set(CFG_H_CONSOLE)) {
		if (cmdline_get(bi->cmdline, "console", unused, sizeof(unused)) != -E_NOENT)
			log_info("%s: console ignored: the command line's console= wins", file);
		else
			console_use(config.hv.console, "console");
	}
	log_info("scheduler: %s, slice %u ms, tick %u ms, rate limit %u us", config.hv.scheduler,
		 config.hv.sched_slice_ms, config.hv.sched_tick_ms, config.hv.sched_ratelimit_us);
	guest_set_memory_reserve(config.hv.reserve_bytes);
	guest_set_console_buffer((size_t)config.hv.console_buffer_bytes);
	log_info("memory kept for the hypervisor (reserve): %llu MiB",
		 (unsigned long long)(config.hv.reserve_bytes >> 20));
}

void config_load(const struct boot_info *bi)
{
	const struct boot_module *m = find_config_module(bi);
	char file[BOOT_NAME_MAX];
	const char *text;
	size_t len;

	if (m) {
		file_name(m, file, sizeof(file));
		text = (const char *)(uintptr_t)m->start;
		len = (size_t)(m->end - m->start);
	} else {
		str_copy(file, "demo.toml", sizeof(file));
		text = config_demo;
		len = (size_t)(config_demo_end - config_demo);
		config_is_demo = true;
		log_info("no .toml boot module: using the built-in demo configuration (docs/config.md)");
	}
	cfg_parse(&config, file, text, len);
	log_info("%s: %u guest(s) described, %u error(s)", file, config.nguests, config.nerrors);
	for (unsigned i = 0; i < config.nerrors && i < CFG_MAX_ERRORS; i++)
		log_error("%s", cfg_error(&config, i));
	if (config.nerrors > CFG_MAX_ERRORS)
		log_error("%u more errors not shown", config.nerrors - CFG_MAX_ERRORS);
	if (config.syntax_error) {
		log_error("%s cannot be parsed: no guests will start (check it with tools/plinth-cfg)", file);
		return;
	}
	apply_hypervisor(bi, file);
}

const struct cfg *config_get(void)
{
	return &config;
}

static bool start_guest(const struct boot_info *bi, const struct cfg_guest *cg, bool asked)
{
	const struct boot_module *m = boot_module_find(bi, cg->kernel);
	struct guest_desc d;
	struct guest *g;

	if (!cg->autostart && !asked) {
		log_info("guest %s: not started (autostart = false)", cg->name);
		return false;
	}
	if (!m) {
		log_error("guest %s: kernel \"%s\" is not among the boot modules", cg->name, cg->kernel);
		return false;
	}
	memset(&d, 0, sizeof(d));
	if (cg->initrd[0]) {
		const struct boot_module *rd = boot_module_find(bi, cg->initrd);
		if (!rd) {
			log_error("guest %s: initrd \"%s\" is not among the boot modules", cg->name,
				  cg->initrd);
			return false;
		}
		d.initrd = (const void *)(uintptr_t)rd->start;
		d.initrd_size = (size_t)(rd->end - rd->start);
	}
	str_copy(d.name, cg->name, sizeof(d.name));
	d.memory = cg->memory_bytes;
	d.vcpus = cg->vcpus;
	d.image = (const void *)(uintptr_t)m->start;
	d.image_size = (size_t)(m->end - m->start);
	d.cmdline = cg->cmdline;
	d.start_mode = strcmp(cg->mode, "real") == 0 ? VCPU_START_REAL : VCPU_START_PROT32;
	if (image_format_parse(cg->format, &d.format) != 0)
		d.format = IMAGE_AUTO; /* the parser only lets valid names through */
	d.on_crash = strcmp(cg->on_crash, "restart") == 0  ? GUEST_ON_CRASH_RESTART :
		     strcmp(cg->on_crash, "preserve") == 0 ? GUEST_ON_CRASH_PRESERVE :
							      GUEST_ON_CRASH_DESTROY;
	str_copy(d.serial, cg->serial, sizeof(d.serial));
	d.weight = cg->weight;
	d.cap = cg->cap;
	d.affinity = cg->ncpus ? 0 : SCHED_AFFINITY_ALL;
	for (unsigned i = 0; i < cg->ncpus; i++) {
		if (cg->cpus[i] < SCHED_MAX_PCPUS)
			d.affinity |= 1ull << cg->cpus[i];
		else
			log_warn("guest %s: cpus: CPU %u ignored (Plinth uses at most %u CPUs)",
				 cg->name, cg->cpus[i], SCHED_MAX_PCPUS);
	}
	if (guest_create(&d, &g) != 0)
		return false;
	if (vcpu_loop_add_guest(g, d.weight, d.cap, d.affinity) != 0) {
		guest_stop(g, -1, "it cannot be scheduled");
		return false;
	}
	return true;
}

/* The demo without its images (e.g. `qemu -kernel plinth.elf` alone) is not an error. */
static bool demo_images_missing(const struct boot_info *bi)
{
	for (unsigned i = 0; i < config.nguests; i++)
		if (boot_module_find(bi, config.guests[i].kernel))
			return false;
	return true;
}

size_t config_start_guests(const struct boot_info *bi)
{
	size_t started = 0;

	boot_info_kept = bi;
	if (config_is_demo && demo_images_missing(bi)) {
		log_info("none of the demo's guest files (core/demo.toml) is a boot module: "
			 "no guests (`make run` passes them)");
		return 0;
	}
	for (unsigned i = 0; i < config.nguests; i++)
		started += start_guest(bi, &config.guests[i], false);
	return started;
}

int config_start_guest_named(const char *name)
{
	for (unsigned i = 0; i < config.nguests; i++)
		if (strcmp(config.guests[i].name, name) == 0)
			return boot_info_kept && start_guest(boot_info_kept, &config.guests[i], true) ?
				0 : -E_INVAL;
	return -E_NOENT;
}

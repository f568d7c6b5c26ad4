/*
 * kmain: from the boot stub to a running hypervisor. The order matters:
 * exceptions first (so every later fault is reported), then the console, then
 * what the loader told us, memory, the virtualization backend, and then the
 * other CPUs (which need the backend chosen, since each enables it itself).
 */
#define LOG_TAG "core"
#include <plinth/backend.h>
#include <plinth/boot_info.h>
#include <plinth/console.h>
#include <plinth/errno.h>
#include <plinth/frame.h>
#include <plinth/guest.h>
#include <plinth/guest_platform.h>
#include <plinth/config_boot.h>
#include <plinth/kernel.h>
#include <plinth/log.h>
#include <plinth/panic.h>
#include <plinth/paging.h>
#include <plinth/selftest.h>
#include <plinth/percpu.h>
#include <plinth/smp.h>
#include <plinth/uefi_handoff.h>
#include <plinth/vcpu_loop.h>
#include <plinth/wall_clock.h>
#include <plinth/x86/cpu.h>
#include <plinth/x86/cpuinfo.h>
#include <plinth/x86/descriptors.h>
#include <plinth/x86/pic.h>

static struct boot_info boot_information;

const struct boot_info *boot_info_get(void)
{
	return &boot_information;
}

static void read_boot_info(uint32_t magic, uint32_t info)
{
	const void *ptr = (const void *)(uintptr_t)info;
	int err;

	switch (magic) {
	case MULTIBOOT1_BOOTLOADER_MAGIC:
		err = multiboot1_parse(ptr, &boot_information);
		break;
	case MULTIBOOT2_BOOTLOADER_MAGIC:
		err = multiboot2_parse(ptr, &boot_information);
		break;
	case PLINTH_UEFI_MAGIC:
		/* Plinth's own loader (boot/efi/) filled the struct already. */
		err = uefi_handoff_copy(ptr, &boot_information);
		break;
	default:
		panic("unknown boot loader magic %#x: start Plinth with a multiboot1/2 loader (GRUB, QEMU -kernel) or Plinth's BOOTX64.EFI",
		      magic);
	}
	if (err)
		panic("the boot loader's information at %#x is malformed (error %d)", info, err);
}

static void memory_init(void)
{
	int err = mm_init(&boot_information);

	if (err)
		panic("cannot set up the frame allocator: %s", err_name(err));
	err = paging_init(&boot_information);
	if (err)
		panic("cannot build the hypervisor page tables: %s", err_name(err));
	console_screen_paging_ready(); /* a framebuffer above 4 GiB is mapped now */
	mm_add_high_memory();
	mm_log_stats();
}

/* The scheduler's timing from [hypervisor] (validated by the parser). */
static void sched_params_from_config(struct sched_params *p)
{
	const struct cfg *c = config_get();

	sched_params_default(p);
	p->slice_ns = (uint64_t)c->hv.sched_slice_ms * 1000000;
	p->tick_ns = (uint64_t)c->hv.sched_tick_ms * 1000000;
	p->ratelimit_ns = (uint64_t)c->hv.sched_ratelimit_us * 1000;
}

/* The configured guests, run on every CPU until each one has stopped. */
static void run_guests(void)
{
	struct sched_params params;

	if (!backend->cpu_enable || !backend->vcpu_run) {
		log_warn("the %s backend cannot run guests yet", backend->long_name);
		log_info("ready: no guests can run");
		return;
	}
	int err = backend->cpu_enable();

	if (err) {
		log_error("cannot enable %s on this CPU: %s", backend->long_name, err_name(err));
		selftest_fail_if_active("virtualization could not be enabled");
		return;
	}
	if (guest_platform_register_ports() != 0)
		return;
	smp_start_aps(vcpu_loop_ap_main);
	sched_params_from_config(&params);
	if (vcpu_loop_init(&params) != 0)
		return;
	size_t count = config_start_guests(&boot_information);
	if (count == 0) {
		log_info("ready: no guests configured");
		return;
	}
	log_info("ready: running %zu guest(s) on %u CPU(s)", count, cpu_count_online());
	vcpu_loop_run_all();
	log_info("all guests have stopped");
	vcpu_loop_log_stats();
	for (size_t i = 0; i < guest_count(); i++)
		guest_destroy(guest_by_index(i));
	log_info("at rest, no guests left:");
	mm_log_stats();
}

void kmain(uint32_t magic, uint32_t info)
{
	descriptors_init();
	pic_init();
	console_early_init();
#ifdef PLINTH_BREAK_EARLY
	panic("deliberately broken build (PLINTH_BREAK_EARLY)");
#endif
	read_boot_info(magic, info);
	console_configure(boot_information.cmdline);
	console_screen_start(&boot_information);
	log_info("Plinth %s, a bare-metal hypervisor for x86-64", PLINTH_VERSION);
	selftest_select(boot_information.cmdline);
	boot_info_log(&boot_information);
	config_load(&boot_information);
	cpu_detect_boot();
	cpu_setup();
	memory_init();

	if (!backend_select()) {
		selftest_fail_if_active("no usable virtualization support");
		log_error("halting: nothing to run guests with");
		cpu_halt_forever();
	}
	smp_init(&boot_information);
	wall_clock_init(); /* the clock is calibrated, the other CPUs not started */
	run_guests();
	selftest_run();
	log_info("idle");
	cpu_halt_forever();
}

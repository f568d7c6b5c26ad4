/*
 * SMP bring-up: CPUs from the ACPI MADT, then INIT-SIPI-SIPI for each one
 * (SDM vol. 3A 8.4.4.1) through the real-mode trampoline (ap_trampoline.S),
 * one CPU at a time, so the start-up variables below serve all of them.
 */
#define LOG_TAG "smp"
#include <plinth/acpi.h>
#include <plinth/backend.h>
#include <plinth/cmdline.h>
#include <plinth/errno.h>
#include <plinth/format.h>
#include <plinth/frame.h>
#include <plinth/log.h>
#include <plinth/paging.h>
#include <plinth/percpu.h>
#include <plinth/pt_x86.h>
#include <plinth/smp.h>
#include <plinth/string.h>
#include <plinth/time.h>
#include <plinth/x86/cpu.h>
#include <plinth/x86/cpuinfo.h>
#include <plinth/x86/descriptors.h>
#include <plinth/x86/lapic.h>

#include "acpi_host.h"
#include "smp_plan.h"

#define INIT_DELAY_US 10000       /* after INIT (SDM 8.4.4.1) */
#define SIPI_DELAY_US 200         /* after each SIPI */
#define AP_ALIVE_TIMEOUT_MS 100   /* SIPI to the AP's first C code */
#define AP_ONLINE_TIMEOUT_MS 2000 /* ... to backend enabled (it logs on the serial port) */

extern const char ap_trampoline_start[], ap_trampoline_end[];
extern const char ap_trampoline_gdt_ptr[], ap_trampoline_cr0[], ap_trampoline_cr3[];
extern const uint32_t ap_trampoline_gdt_offset;

/* Read by ap_trampoline.S: the starting AP's kernel stack. */
uint64_t ap_boot_stack;
void ap_start(void);

static struct {
	volatile bool alive;  /* the AP runs C code */
	volatile bool done;   /* the AP finished (online, or failed and halted) */
	volatile int error;
} ap_status;

/* CPUs to start, from the MADT: APIC ids other than the boot CPU's. */
static struct smp_plan plan;
static paddr_t trampoline_page;
static bool smp_ready;
static void (*ap_main_fn)(unsigned cpu);

/* ---- Finding CPUs -------------------------------------------------------- */

static struct acpi_madt_info madt;

static bool read_madt(const struct boot_info *bi)
{
	uint8_t rsdp[BOOT_RSDP_MAX];
	size_t rsdp_len = bi->rsdp_len;
	char err[ACPI_ERR_LEN];

	memcpy(rsdp, bi->rsdp, MIN(rsdp_len, sizeof(rsdp)));
	if (rsdp_len == 0) {
		rsdp_len = acpi_find_rsdp_bios(bi, rsdp);
		if (rsdp_len)
			log_info("ACPI RSDP found in the BIOS area (the loader passed none)");
	}
	if (rsdp_len == 0) {
		log_error("no ACPI RSDP (from the loader or in the BIOS area): only the boot CPU will run");
		return false;
	}
	int r = acpi_read_madt(&acpi_host_mem, rsdp, rsdp_len, &madt, err);
	if (r) {
		log_error("ACPI: %s (%s): only the boot CPU will run", err, err_name(r));
		return false;
	}
	return true;
}

static void log_madt(void)
{
	char ids[128];
	size_t used = 0;
	unsigned enabled = 0;

	ids[0] = '\0';
	for (unsigned i = 0; i < madt.ncpus; i++) {
		if (!madt.cpus[i].enabled)
			continue;
		enabled++;
		if (used < sizeof(ids))
			used += (size_t)fmt_snprintf(ids + used, sizeof(ids) - used, "%s%u",
						     used ? " " : "", madt.cpus[i].apic_id);
	}
	log_info("MADT: %u CPU%s (APIC id%s %s), LAPIC at %#llx, %u I/O APIC%s", enabled,
		 enabled == 1 ? "" : "s", enabled == 1 ? "" : "s", ids,
		 (unsigned long long)madt.lapic_addr, madt.nioapics, madt.nioapics == 1 ? "" : "s");
	if (madt.ncpus > enabled)
		log_info("MADT: %u more CPU(s) disabled or hot-pluggable, not started",
			 madt.ncpus - enabled);
	if (madt.cpus_dropped)
		log_warn("MADT: %u CPU(s) beyond the %u Plinth supports, not started",
			 madt.cpus_dropped, ACPI_MAX_CPUS);
}

/* `cpus=N`: at most N CPUs in all; 0 when absent or invalid (no limit). */
static unsigned cpu_limit(const char *cmdline)
{
	char value[16];
	uint64_t n;

	if (cmdline_get(cmdline, "cpus", value, sizeof(value)) != 0)
		return 0;
	if (parse_u64(value, &n) != 0 || n == 0) {
		log_warn("cpus=%s: not a number of CPUs >= 1; ignored", value);
		return 0;
	}
	return n > MAX_CPUS ? MAX_CPUS : (unsigned)n;
}

static void choose_aps(uint32_t boot_apic_id, unsigned limit)
{
	smp_plan_aps(&madt, boot_apic_id, limit, MAX_CPUS, lapic_is_x2apic(), &plan);
	if (plan.unreachable)
		log_warn("%u CPU(s) with APIC ids above %u: not reachable without x2APIC, not started",
			 plan.unreachable, XAPIC_MAX_ID);
	if (plan.over_limit && limit)
		log_info("cpus=%u: %u CPU(s) left out", limit, plan.over_limit);
	else if (plan.over_limit)
		log_warn("%u CPU(s) beyond the %u Plinth supports left out", plan.over_limit, MAX_CPUS);
}

/* ---- The start-up page --------------------------------------------------- */

static int install_trampoline(const struct boot_info *bi)
{
	size_t size = (size_t)(ap_trampoline_end - ap_trampoline_start);
	paddr_t root = paging_root();
	uint64_t page;

	if (root >= GiB(4)) {
		log_error("the page tables are at %#llx, above what a 32-bit CR3 load reaches",
			  (unsigned long long)root);
		return -E_RANGE;
	}
	/*
	 * The frame allocator never gets memory below 1 MiB (memmap.h), so no
	 * guest or table can be given this page.
	 */
	page = smp_plan_trampoline_page(bi);
	if (page == 0) {
		log_error("no usable page below 1 MiB for the start-up code");
		return -E_NOMEM;
	}
	uint8_t *p = phys_to_virt(page);
	uint32_t gdt_base = (uint32_t)page + ap_trampoline_gdt_offset;
	uint32_t cr0 = (uint32_t)read_cr0(), cr3 = (uint32_t)root;

	memcpy(p, ap_trampoline_start, size);
	memcpy(p + (ap_trampoline_gdt_ptr - ap_trampoline_start) + 2, &gdt_base, 4);
	memcpy(p + (ap_trampoline_cr0 - ap_trampoline_start), &cr0, 4);
	memcpy(p + (ap_trampoline_cr3 - ap_trampoline_start), &cr3, 4);
	int err = paging_make_code(page, PAGE_SIZE);
	if (err) {
		log_error("cannot make the start-up page executable: %s", err_name(err));
		return err;
	}
	trampoline_page = page;
	log_info("start-up code at %#llx (%zu bytes, read+execute)", (unsigned long long)page, size);
	return 0;
}

void smp_init(const struct boot_info *bi)
{
	bool have_madt = read_madt(bi);

	if (have_madt)
		log_madt();
	if (lapic_init_boot(have_madt ? madt.lapic_addr : 0) != 0) {
		log_error("no local APIC: only the boot CPU will run");
		percpu_init_boot(0);
		return;
	}
	percpu_init_boot(lapic_id());
	time_init();
	if (!have_madt)
		return;
	choose_aps(lapic_id(), cpu_limit(bi->cmdline));
	if (plan.count && install_trampoline(bi) == 0)
		smp_ready = true;
}

/* ---- Starting CPUs --------------------------------------------------------- */

static bool wait_for(volatile bool *flag, unsigned ms)
{
	uint64_t deadline = time_now_ns() + (uint64_t)ms * 1000000u;

	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE)) {
		if (time_now_ns() > deadline)
			return false;
		cpu_relax();
	}
	return true;
}

/*
 * INIT parks a CPU that failed, so it cannot run on later with start-up
 * variables meant for the next one. Its block stays allocated (it may still
 * be on its stack); its index goes to the next CPU.
 */
static void give_up(unsigned cpu, uint32_t apic_id)
{
	lapic_send_init(apic_id);
	percpu_forget_block(cpu);
}

static bool start_one(unsigned cpu, uint32_t apic_id)
{
	uintptr_t block;
	int err = percpu_alloc_block(cpu, apic_id, &block);

	if (err) {
		log_error("CPU %u (APIC id %u): no memory for its stacks: %s", cpu, apic_id,
			  err_name(err));
		return false;
	}
	ap_boot_stack = block_stack_top(block, STACK_BOOT);
	ap_status.alive = false;
	ap_status.done = false;
	ap_status.error = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	uint8_t vector = (uint8_t)(trampoline_page >> PAGE_SHIFT);
	lapic_send_init(apic_id);
	time_delay_us(INIT_DELAY_US);
	lapic_send_sipi(apic_id, vector);
	time_delay_us(SIPI_DELAY_US);
	if (!ap_status.alive) {
		lapic_send_sipi(apic_id, vector); /* the second SIPI, if the first was lost */
		time_delay_us(SIPI_DELAY_US);
	}
	if (!wait_for(&ap_status.alive, AP_ALIVE_TIMEOUT_MS)) {
		log_error("CPU %u (APIC id %u) did not start within %u ms; continuing without it",
			  cpu, apic_id, AP_ALIVE_TIMEOUT_MS);
		give_up(cpu, apic_id);
		return false;
	}
	if (!wait_for(&ap_status.done, AP_ONLINE_TIMEOUT_MS)) {
		log_error("CPU %u (APIC id %u) started but did not finish its set-up within %u ms; "
			  "continuing without it", cpu, apic_id, AP_ONLINE_TIMEOUT_MS);
		give_up(cpu, apic_id);
		return false;
	}
	if (ap_status.error) {
		give_up(cpu, apic_id);
		return false;
	}
	return true;
}

void smp_start_aps(void (*ap_main)(unsigned cpu))
{
	unsigned next = 1;

	if (!smp_ready) {
		log_info("%u CPU online", cpu_count_online());
		return;
	}
	ap_main_fn = ap_main;
	for (unsigned i = 0; i < plan.count; i++)
		if (start_one(next, plan.ids[i]))
			next++;
	log_info("%u CPU%s online", cpu_count_online(), cpu_count_online() == 1 ? "" : "s");
}

__noreturn void smp_idle(void)
{
	for (;;)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
}

/* First C code of an AP, on its own kernel stack (ap_trampoline.S). */
void ap_start(void)
{
	struct percpu *pc = this_cpu();

	wrmsr(MSR_PAT, PT_X86_PAT_MSR_VALUE); /* the page tables' cache types assume it */
	descriptors_load_cpu(&pc->tables, cpu_block_of_sp((uintptr_t)pc));
	cpu_setup();
	lapic_init_ap();
	__atomic_store_n(&ap_status.alive, true, __ATOMIC_RELEASE);

	if (lapic_id() != pc->apic_id)
		log_warn("CPU %u: the MADT says APIC id %u, the LAPIC says %u", pc->cpu, pc->apic_id,
			 lapic_id());
	int err = backend->cpu_enable ? backend->cpu_enable() : -E_NOTSUP;
	if (err) {
		log_error("CPU %u (APIC id %u): cannot enable %s: %s; halting it", pc->cpu,
			  pc->apic_id, backend->long_name, err_name(err));
		ap_status.error = err;
		__atomic_store_n(&ap_status.done, true, __ATOMIC_RELEASE);
		cpu_halt_forever();
	}
	log_info("CPU %u (APIC id %u) online", pc->cpu, pc->apic_id);
	unsigned cpu = pc->cpu;
	void (*ap_main)(unsigned) = ap_main_fn;
	percpu_set_online();
	__atomic_store_n(&ap_status.done, true, __ATOMIC_RELEASE);
	if (ap_main)
		ap_main(cpu);
	smp_idle();
}

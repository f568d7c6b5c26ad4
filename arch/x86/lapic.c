/*
 * Local APIC driver (SDM vol. 3A, chapter 10). Registers are named by their
 * xAPIC MMIO offset; in x2APIC mode the same register is MSR 0x800 +
 * offset / 16, and the ICR is one 64-bit MSR.
 */
#define LOG_TAG "lapic"
#include <plinth/errno.h>
#include <plinth/frame.h>
#include <plinth/log.h>
#include <plinth/paging.h>
#include <plinth/percpu.h>
#include <plinth/x86/cpu.h>
#include <plinth/x86/descriptors.h>
#include <plinth/x86/lapic.h>

#define MSR_APIC_BASE 0x1Bu
#define APIC_BASE_BSP (1ULL << 8)
#define APIC_BASE_EXTD (1ULL << 10) /* x2APIC mode */
#define APIC_BASE_EN (1ULL << 11)
#define APIC_BASE_ADDR_MASK 0x000FFFFFFFFFF000ULL
#define CPUID1_ECX_X2APIC (1u << 21)
#define X2APIC_MSR_BASE 0x800u

enum lapic_reg {
	REG_ID = 0x20,
	REG_VERSION = 0x30,
	REG_TPR = 0x80,
	REG_EOI = 0xB0,
	REG_SVR = 0xF0,
	REG_ESR = 0x280,
	REG_ICR_LOW = 0x300,
	REG_ICR_HIGH = 0x310,
	REG_LVT_TIMER = 0x320,
	REG_LVT_LINT0 = 0x350,
	REG_LVT_LINT1 = 0x360,
	REG_LVT_ERROR = 0x370,
	REG_TIMER_INITIAL = 0x380,
	REG_TIMER_CURRENT = 0x390,
	REG_TIMER_DIVIDE = 0x3E0,
};

#define SVR_ENABLE (1u << 8)
#define LVT_MASKED (1u << 16)
#define LVT_DM_NMI (4u << 8)
#define LVT_DM_EXTINT (7u << 8)
#define ICR_DM_FIXED (0u << 8)
#define ICR_DM_INIT (5u << 8)
#define ICR_DM_STARTUP (6u << 8)
#define ICR_BUSY (1u << 12) /* xAPIC delivery status */
#define ICR_DM_NMI (4u << 8)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_ALL_BUT_SELF (3u << 18)
#define ICR_BUSY_SPINS 1000000u /* a stuck ICR must not hang a panic */
#define TIMER_DIVIDE_16 0x3u

static bool x2apic;
static bool ready; /* the boot CPU's LAPIC is set up: IPIs can be sent */
static volatile uint32_t *mmio;
static uint64_t timer_hz;
/* timer ticks per ns, in 32.32 fixed point */
static uint64_t ticks_per_ns_32;

void (*volatile lapic_timer_hook)(void);

static uint32_t lapic_read(enum lapic_reg reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(X2APIC_MSR_BASE + reg / 16);
	return mmio[reg / 4];
}

static void lapic_write(enum lapic_reg reg, uint32_t v)
{
	if (x2apic)
		wrmsr(X2APIC_MSR_BASE + reg / 16, v);
	else
		mmio[reg / 4] = v;
}

bool lapic_is_x2apic(void)
{
	return x2apic;
}

uint32_t lapic_id(void)
{
	uint32_t id = lapic_read(REG_ID);

	return x2apic ? id : id >> 24;
}

void lapic_eoi(void)
{
	lapic_write(REG_EOI, 0);
}

/* Enable this CPU's LAPIC in the chosen mode; LINT0/1 as the caller wants. */
static void enable_here(uint32_t lint0, uint32_t lint1)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	/* xAPIC -> x2APIC is a legal transition with EN already set (SDM 10.12.5). */
	base |= APIC_BASE_EN;
	wrmsr(MSR_APIC_BASE, base);
	if (x2apic)
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD);
	lapic_write(REG_TPR, 0);
	lapic_write(REG_SVR, SVR_ENABLE | X86_VECTOR_LAPIC_SPURIOUS);
	lapic_write(REG_LVT_TIMER, LVT_MASKED | X86_VECTOR_LAPIC_TIMER);
	lapic_write(REG_TIMER_DIVIDE, TIMER_DIVIDE_16);
	lapic_write(REG_LVT_LINT0, lint0);
	lapic_write(REG_LVT_LINT1, lint1);
	lapic_write(REG_LVT_ERROR, LVT_MASKED);
	if (!x2apic) /* the ESR must be written before it is read (xAPIC) */
		lapic_write(REG_ESR, 0);
}

int lapic_init_boot(uint64_t mmio_phys)
{
	uint64_t msr_base = rdmsr(MSR_APIC_BASE) & APIC_BASE_ADDR_MASK;

	x2apic = cpuid(1, 0).ecx & CPUID1_ECX_X2APIC;
	if (!x2apic) {
		if (mmio_phys == 0)
			mmio_phys = msr_base;
		if (mmio_phys != msr_base)
			log_warn("the MADT puts the LAPIC at %#llx, IA32_APIC_BASE at %#llx: using the MADT's",
				 (unsigned long long)mmio_phys, (unsigned long long)msr_base);
		int err = paging_map_mmio(mmio_phys, PAGE_SIZE);
		if (err) {
			log_error("cannot map the LAPIC at %#llx: %s", (unsigned long long)mmio_phys,
				  err_name(err));
			return err;
		}
		mmio = phys_to_virt(mmio_phys);
	}
	/* The 8259 keeps reaching the boot CPU through LINT0 (virtual wire). */
	enable_here(LVT_DM_EXTINT, LVT_DM_NMI);
	ready = true;
	log_info("%s mode, id %u, version %#x%s", x2apic ? "x2APIC" : "xAPIC", lapic_id(),
		 lapic_read(REG_VERSION) & 0xFF, x2apic ? "" : " (MMIO, uncached)");
	return 0;
}

void lapic_init_ap(void)
{
	enable_here(LVT_MASKED | LVT_DM_EXTINT, LVT_MASKED | LVT_DM_NMI);
}

/* ---- Inter-processor interrupts ----------------------------------------- */

static void wait_icr_idle(void)
{
	for (unsigned n = 0; n < ICR_BUSY_SPINS && (lapic_read(REG_ICR_LOW) & ICR_BUSY); n++)
		cpu_relax();
}

static void send_icr(uint32_t apic_id, uint32_t low)
{
	uint64_t flags = read_rflags();

	/* An interrupt handler sending its own IPI between the two writes would mix them up. */
	__asm__ volatile("cli" ::: "memory");
	if (x2apic) {
		wrmsr(X2APIC_MSR_BASE + REG_ICR_LOW / 16, (uint64_t)apic_id << 32 | low);
	} else {
		wait_icr_idle();
		lapic_write(REG_ICR_HIGH, apic_id << 24);
		lapic_write(REG_ICR_LOW, low);
		wait_icr_idle();
	}
	if (flags & (1u << 9))
		__asm__ volatile("sti" ::: "memory");
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	send_icr(apic_id, ICR_DM_FIXED | ICR_LEVEL_ASSERT | vector);
}

void lapic_send_init(uint32_t apic_id)
{
	send_icr(apic_id, ICR_DM_INIT | ICR_LEVEL_ASSERT);
}

void lapic_send_sipi(uint32_t apic_id, uint8_t page)
{
	send_icr(apic_id, ICR_DM_STARTUP | ICR_LEVEL_ASSERT | page);
}

bool lapic_send_nmi_to_others(void)
{
	if (!ready)
		return false;
	send_icr(0, ICR_DM_NMI | ICR_LEVEL_ASSERT | ICR_ALL_BUT_SELF);
	return true;
}

/* ---- Timer --------------------------------------------------------------- */

void lapic_timer_start_raw(uint32_t count)
{
	lapic_write(REG_LVT_TIMER, LVT_MASKED | X86_VECTOR_LAPIC_TIMER);
	lapic_write(REG_TIMER_DIVIDE, TIMER_DIVIDE_16);
	lapic_write(REG_TIMER_INITIAL, count);
}

uint32_t lapic_timer_current(void)
{
	return lapic_read(REG_TIMER_CURRENT);
}

void lapic_timer_set_hz(uint64_t hz)
{
	timer_hz = hz;
	ticks_per_ns_32 = (hz << 32) / 1000000000u;
}

uint64_t lapic_timer_hz(void)
{
	return timer_hz;
}

void lapic_timer_oneshot_ns(uint64_t ns)
{
	if (ns == 0) {
		lapic_write(REG_TIMER_INITIAL, 0); /* stops the count */
		return;
	}
	unsigned __int128 ticks = ((unsigned __int128)ns * ticks_per_ns_32 + 0xFFFFFFFFu) >> 32;
	uint32_t count = ticks > 0xFFFFFFFFu ? 0xFFFFFFFFu : ticks == 0 ? 1 : (uint32_t)ticks;

	/* One-shot mode (LVT bits 17-18 clear), unmasked. */
	lapic_write(REG_LVT_TIMER, X86_VECTOR_LAPIC_TIMER);
	lapic_write(REG_TIMER_DIVIDE, TIMER_DIVIDE_16);
	lapic_write(REG_TIMER_INITIAL, count);
}

void lapic_interrupt(unsigned vector)
{
	if (vector == X86_VECTOR_LAPIC_SPURIOUS)
		return; /* no EOI for a spurious interrupt (SDM 10.9) */
	this_cpu()->timer_fired++;
	lapic_eoi();
	void (*hook)(void) = lapic_timer_hook;
	if (hook)
		hook();
}

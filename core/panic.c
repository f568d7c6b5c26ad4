/*
 * Panic: the reason, the registers, a symbolized backtrace, then every CPU
 * stops. In a self-test run the emulator is ended with the panic status so
 * the test harness does not wait for its timeout.
 */
#define LOG_TAG "panic"
#include <plinth/console.h>
#include <plinth/emu_exit.h>
#include <plinth/format.h>
#include <plinth/log.h>
#include <plinth/panic.h>
#include <plinth/panic_dump.h>
#include <plinth/percpu.h>
#include <plinth/selftest.h>
#include <plinth/x86/cpu.h>
#include <plinth/x86/descriptors.h>
#include <plinth/x86/lapic.h>
#include <plinth/x86/layout.h>

/* Fill f with this CPU's registers at the call (arch/x86/isr.S). */
void capture_registers(struct trap_frame *f);

static volatile int panic_entered;
static volatile unsigned panic_cpu;

bool panic_on_other_cpu(void)
{
	return __atomic_load_n(&panic_entered, __ATOMIC_ACQUIRE) &&
	       __atomic_load_n(&panic_cpu, __ATOMIC_ACQUIRE) != this_cpu()->cpu;
}

static void panic_begin(void)
{
	__asm__ volatile("cli");
	if (__atomic_fetch_add(&panic_entered, 1, __ATOMIC_SEQ_CST) != 0) {
		/* Another CPU's dump goes on; this one only stops. */
		if (panic_cpu != this_cpu()->cpu)
			cpu_halt_forever();
		/* A fault inside the dump itself: say so and stop here. */
		console_puts("\n[panic] nested panic while dumping; halting\n");
		cpu_halt_forever();
	}
	__atomic_store_n(&panic_cpu, this_cpu()->cpu, __ATOMIC_RELEASE);
	console_enter_panic_mode();
	log_set_level(LOG_DEBUG); /* the dump is printed whatever loglevel= says */
}

static __noreturn void panic_end(void)
{
	/* Their NMI handler halts them (trap.c); guests on them stop with them. */
	if (cpu_count_online() > 1 && lapic_send_nmi_to_others())
		log_printf(LOG_PANIC, LOG_TAG, "other CPUs stopped (NMI)");
	log_printf(LOG_PANIC, LOG_TAG, "system halted");
	console_flush();
	if (selftest_active())
		emu_exit(EMU_EXIT_PANIC);
	cpu_halt_forever();
}

static void print_symbolized(const char *label, uint64_t addr)
{
	uint64_t off;
	const char *name = ksym_lookup(addr, &off);

	if (name)
		log_printf(LOG_PANIC, LOG_TAG, "  %s 0x%016lx <%s+0x%lx>", label,
			   (unsigned long)addr, name, (unsigned long)off);
	else
		log_printf(LOG_PANIC, LOG_TAG, "  %s 0x%016lx", label, (unsigned long)addr);
}

static void dump_registers(const struct trap_frame *f)
{
#define R(x) (unsigned long)f->x
	print_symbolized("rip", f->rip);
	log_printf(LOG_PANIC, LOG_TAG, "  rsp 0x%016lx rflags 0x%016lx cs %#lx ss %#lx",
		   R(rsp), R(rflags), R(cs), R(ss));
	log_printf(LOG_PANIC, LOG_TAG, "  rax 0x%016lx rbx 0x%016lx rcx 0x%016lx", R(rax), R(rbx), R(rcx));
	log_printf(LOG_PANIC, LOG_TAG, "  rdx 0x%016lx rsi 0x%016lx rdi 0x%016lx", R(rdx), R(rsi), R(rdi));
	log_printf(LOG_PANIC, LOG_TAG, "  rbp 0x%016lx r8  0x%016lx r9  0x%016lx", R(rbp), R(r8), R(r9));
	log_printf(LOG_PANIC, LOG_TAG, "  r10 0x%016lx r11 0x%016lx r12 0x%016lx", R(r10), R(r11), R(r12));
	log_printf(LOG_PANIC, LOG_TAG, "  r13 0x%016lx r14 0x%016lx r15 0x%016lx", R(r13), R(r14), R(r15));
#undef R
	log_printf(LOG_PANIC, LOG_TAG, "  cr0 0x%016lx cr2 0x%016lx cr3 0x%016lx cr4 0x%016lx",
		   (unsigned long)read_cr0(), (unsigned long)read_cr2(),
		   (unsigned long)read_cr3(), (unsigned long)read_cr4());
	log_printf(LOG_PANIC, LOG_TAG, "  on CPU %u (APIC id %u)", this_cpu()->cpu, this_cpu()->apic_id);
}

void panic(const char *fmt, ...)
{
	struct trap_frame regs;
	char reason[256];
	va_list ap;

	capture_registers(&regs);
	panic_begin();
	va_start(ap, fmt);
	fmt_vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	log_printf(LOG_PANIC, LOG_TAG, "PANIC: %s", reason);
	dump_registers(&regs);
	backtrace_print(regs.rip, regs.rbp);
	panic_end();
}

/* "the #DF stack of CPU 1" for a guard page, NULL for any other address. */
static const char *guard_page_owner(uint64_t addr)
{
	static const char *const names[STACK_COUNT] = { "boot", "#DF", "NMI", "#MC" };
	static char owner[48];
	unsigned cpu, stack;

	if (!percpu_guard_page_owner(addr, &cpu, &stack))
		return NULL;
	if (cpu == 0)
		fmt_snprintf(owner, sizeof(owner), "%s stack", names[stack]);
	else
		fmt_snprintf(owner, sizeof(owner), "%s stack of CPU %u",
			     stack == STACK_BOOT ? "kernel" : names[stack], cpu);
	return owner;
}

static void explain_page_fault(uint64_t error_code, uint64_t cr2)
{
	const char *owner = guard_page_owner(cr2);

	log_printf(LOG_PANIC, LOG_TAG, "  page fault: %s %s, %s page, %s mode%s",
		   error_code & 0x10 ? "instruction fetch from" :
		   error_code & 0x2  ? "write to" : "read from",
		   error_code & 0x10 ? "code" : "data",
		   error_code & 0x1 ? "protection violation on a present" : "not-present",
		   error_code & 0x4 ? "user" : "supervisor",
		   error_code & 0x8 ? ", reserved bit set" : "");
	if (owner)
		log_printf(LOG_PANIC, LOG_TAG, "  stack overflow: %#lx is the guard page below the %s",
			   (unsigned long)cr2, owner);
}

void panic_trap(const struct trap_frame *f)
{
	uint64_t cr2 = read_cr2();

	panic_begin();
	log_printf(LOG_PANIC, LOG_TAG, "PANIC: CPU exception in the hypervisor: vector %lu (%s), error code %#lx",
		   (unsigned long)f->vector, x86_exception_name((unsigned)f->vector),
		   (unsigned long)f->error_code);
	if (f->vector == X86_EXC_PF) {
		log_printf(LOG_PANIC, LOG_TAG, "  CR2 (fault address) 0x%016lx", (unsigned long)cr2);
		explain_page_fault(f->error_code, cr2);
	} else if (f->vector == X86_EXC_DF && guard_page_owner(cr2)) {
		log_printf(LOG_PANIC, LOG_TAG, "  #DF after a fault at %#lx: stack overflow into the guard page below the %s",
			   (unsigned long)cr2, guard_page_owner(cr2));
	}
	dump_registers(f);
	backtrace_print(f->rip, f->rbp);
	panic_end();
}

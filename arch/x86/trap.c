/*
 * Exceptions taken in the hypervisor itself. An instruction listed in the
 * fixup table (e.g. rdmsr_safe) resumes at its fixup; anything else is a bug
 * and ends in the panic dump.
 */
#include <plinth/errno.h>
#include <plinth/panic.h>
#include <plinth/panic_dump.h>
#include <plinth/smp.h>
#include <plinth/x86/cpu.h>
#include <plinth/x86/descriptors.h>
#include <plinth/x86/lapic.h>
#include <plinth/x86/pic.h>

struct ex_table_entry {
	uint64_t fault_rip;
	uint64_t fixup_rip;
};

extern const struct ex_table_entry __ex_table_start[], __ex_table_end[];

static const char *const exception_names[32] = {
	[X86_EXC_DE] = "#DE divide error",
	[X86_EXC_DB] = "#DB debug",
	[X86_EXC_NMI] = "NMI",
	[X86_EXC_BP] = "#BP breakpoint",
	[X86_EXC_OF] = "#OF overflow",
	[X86_EXC_BR] = "#BR bound range",
	[X86_EXC_UD] = "#UD invalid opcode",
	[X86_EXC_NM] = "#NM device not available",
	[X86_EXC_DF] = "#DF double fault",
	[X86_EXC_TS] = "#TS invalid TSS",
	[X86_EXC_NP] = "#NP segment not present",
	[X86_EXC_SS] = "#SS stack fault",
	[X86_EXC_GP] = "#GP general protection",
	[X86_EXC_PF] = "#PF page fault",
	[X86_EXC_MF] = "#MF x87 error",
	[X86_EXC_AC] = "#AC alignment check",
	[X86_EXC_MC] = "#MC machine check",
	[X86_EXC_XM] = "#XM SIMD error",
	[X86_EXC_VE] = "#VE virtualization",
	[X86_EXC_CP] = "#CP control protection",
};

const char *x86_exception_name(unsigned vector)
{
	if (vector < 32 && exception_names[vector])
		return exception_names[vector];
	return vector < 32 ? "reserved exception" : "unexpected interrupt";
}

static bool apply_fixup(struct trap_frame *f)
{
	for (const struct ex_table_entry *e = __ex_table_start; e < __ex_table_end; e++) {
		if (e->fault_rip == f->rip) {
			f->rip = e->fixup_rip;
			return true;
		}
	}
	return false;
}

static volatile uint64_t nmi_count;

uint64_t host_nmi_count(void)
{
	return nmi_count;
}

void trap_dispatch(struct trap_frame *f)
{
	/*
	 * NMIs (watchdogs, a guest's NMI exit delivered after STGI) are counted,
	 * not fatal. Nothing else happens here: an NMI can interrupt any code,
	 * including a holder of the console lock. The exception: another CPU
	 * panicked and sent it to stop this one.
	 */
	if (f->vector == X86_EXC_NMI) {
		if (panic_on_other_cpu())
			cpu_halt_forever();
		nmi_count++;
		return;
	}
	if (f->vector == X86_VECTOR_LAPIC_TIMER || f->vector == X86_VECTOR_LAPIC_SPURIOUS) {
		lapic_interrupt((unsigned)f->vector);
		return;
	}
	if (f->vector == X86_VECTOR_IPI_RESCHEDULE || f->vector == X86_VECTOR_IPI_CALL) {
		ipi_interrupt((unsigned)f->vector);
		return;
	}
	if (f->vector >= X86_PIC_VECTOR_BASE && f->vector < X86_PIC_VECTOR_BASE + X86_PIC_LINES) {
		host_irq((unsigned)(f->vector - X86_PIC_VECTOR_BASE));
		return;
	}
	if (f->vector != X86_EXC_DF && f->vector != X86_EXC_MC && apply_fixup(f))
		return;
	panic_trap(f);
}

/*
 * Asm for one instruction that may fault: if it does, trap_dispatch resumes
 * at the fixup, which sets %[err] to -E_FAULT and skips the instruction.
 */
#define FAULTING_INSN(insn)                          \
	"1: " insn "\n"                              \
	"2:\n"                                       \
	".pushsection .ex_table, \"a\"\n"            \
	".balign 8\n"                                \
	".quad 1b, 3f\n"                             \
	".popsection\n"                              \
	".pushsection .text.fixup, \"ax\"\n"         \
	"3: movl %[efault], %[err]\n"                \
	"jmp 2b\n"                                   \
	".popsection"

int rdmsr_safe(uint32_t msr, uint64_t *out)
{
	uint32_t lo = 0, hi = 0;
	int err = 0;

	__asm__ volatile(FAULTING_INSN("rdmsr")
			 : "+a"(lo), "+d"(hi), [err] "+r"(err)
			 : "c"(msr), [efault] "i"(-E_FAULT));
	if (err)
		return err;
	*out = ((uint64_t)hi << 32) | lo;
	return 0;
}

int read_u64_safe(uint64_t addr, uint64_t *out)
{
	uint64_t v = 0;
	int err = 0;

	__asm__ volatile(FAULTING_INSN("movq (%[addr]), %[v]")
			 : [v] "+r"(v), [err] "+r"(err)
			 : [addr] "r"(addr), [efault] "i"(-E_FAULT)
			 : "memory");
	if (err)
		return err;
	*out = v;
	return 0;
}

void cpu_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

/*
 * GDT, TSS and IDT. The IDT is shared; each CPU has its own GDT and TSS (in
 * its struct percpu), whose IST entries give #DF, NMI and #MC stacks of that
 * CPU, so a kernel stack overflow still reaches the panic dump.
 */
#include <plinth/percpu.h>
#include <plinth/string.h>
#include <plinth/x86/descriptors.h>
#include <plinth/x86/layout.h>

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __packed;

struct descriptor_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

#define IDT_GATE_INTERRUPT 0x8E /* present, DPL0, 64-bit interrupt gate */

static struct idt_gate idt[256] __aligned(16);

extern const uint64_t isr_stub_table[X86_STUB_VECTORS];
extern const uint64_t isr_stub_unexpected;
extern const uint64_t isr_stub_lapic[X86_LAPIC_VECTOR_LAST - X86_LAPIC_VECTOR_FIRST + 1];

static void gdt_set_tss(uint64_t *slot, const struct x86_tss *t)
{
	uint64_t base = (uint64_t)t;
	uint64_t limit = sizeof(*t) - 1;

	slot[0] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) |
		  (0x89ULL << 40) /* present, 64-bit available TSS */ |
		  (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
	slot[1] = base >> 32;
}

static void idt_set_gate(unsigned vector, uint64_t handler, uint8_t ist)
{
	struct idt_gate *g = &idt[vector];

	g->offset_lo = handler & 0xFFFF;
	g->selector = KERNEL_CS;
	g->ist = ist;
	g->type_attr = IDT_GATE_INTERRUPT;
	g->offset_mid = (handler >> 16) & 0xFFFF;
	g->offset_hi = (uint32_t)(handler >> 32);
	g->reserved = 0;
}

void descriptors_load_cpu(struct cpu_tables *t, uintptr_t block)
{
	struct descriptor_ptr gdtr = { sizeof(t->gdt) - 1, (uint64_t)t->gdt };
	struct descriptor_ptr idtr = { sizeof(idt) - 1, (uint64_t)idt };

	memset(t, 0, sizeof(*t));
	t->gdt[KERNEL_CS / 8] = 0x00AF9B000000FFFFULL;
	t->gdt[KERNEL_DS / 8] = 0x00CF93000000FFFFULL;
	t->tss.ist[IST_DF - 1] = block_stack_top(block, STACK_DF);
	t->tss.ist[IST_NMI - 1] = block_stack_top(block, STACK_NMI);
	t->tss.ist[IST_MC - 1] = block_stack_top(block, STACK_MC);
	t->tss.iomap_base = sizeof(t->tss); /* no I/O bitmap */
	gdt_set_tss(&t->gdt[KERNEL_TSS / 8], &t->tss);

	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ds\n\t"
			 "movw %w2, %%es\n\t"
			 "movw %w2, %%ss\n\t"
			 "ltr %w3\n\t"
			 "lidt %4"
			 :
			 : "m"(gdtr), "i"(KERNEL_CS), "r"(KERNEL_DS),
			   "r"(KERNEL_TSS), "m"(idtr)
			 : "rax", "memory");
}

void descriptors_init(void)
{
	for (unsigned v = 0; v < 256; v++)
		idt_set_gate(v, v < X86_STUB_VECTORS ? isr_stub_table[v] : isr_stub_unexpected, 0);
	for (unsigned v = X86_LAPIC_VECTOR_FIRST; v <= X86_LAPIC_VECTOR_LAST; v++)
		idt_set_gate(v, isr_stub_lapic[v - X86_LAPIC_VECTOR_FIRST], 0);
	idt_set_gate(X86_EXC_DF, isr_stub_table[X86_EXC_DF], IST_DF);
	idt_set_gate(X86_EXC_NMI, isr_stub_table[X86_EXC_NMI], IST_NMI);
	idt_set_gate(X86_EXC_MC, isr_stub_table[X86_EXC_MC], IST_MC);
	descriptors_load_cpu(&this_cpu()->tables, (uintptr_t)boot_stacks);
}

/*
 * The legacy 8259 PIC pair and the PIT on IRQ 0: the host's only interrupt
 * source until the LAPIC timer arrives with the scheduler. The PICs are moved
 * off the exception vectors; only IRQ 0 stays unmasked. The host runs with
 * IF=0 and takes interrupts only when a guest exit says one is pending
 * (host_take_interrupts), so nothing interrupts hypervisor code.
 */
#include <plinth/x86/descriptors.h>
#include <plinth/x86/io.h>
#include <plinth/x86/pic.h>

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1
#define ICW1_INIT_ICW4 0x11
#define ICW4_8086 0x01
#define PIC_EOI 0x20
#define PIC_CASCADE_IRQ 2
#define PIT_CH0 0x40
#define PIT_MODE 0x43
#define PIT_CH0_RATE_GENERATOR 0x34 /* channel 0, lo/hi byte, mode 2 */
#define PIT_CH2 0x42
#define PIT_CH2_ONESHOT 0xB0 /* channel 2, lo/hi byte, mode 0 (interrupt on terminal count) */
#define SYSTEM_CONTROL_PORT_B 0x61
#define PORT_B_CH2_GATE 0x01
#define PORT_B_SPEAKER 0x02
#define PORT_B_CH2_OUT 0x20
#define IRQ_PIT 0

static volatile uint64_t irq_counts[X86_PIC_LINES];

void pic_init(void)
{
	outb(PIC1_CMD, ICW1_INIT_ICW4);
	outb(PIC2_CMD, ICW1_INIT_ICW4);
	outb(PIC1_DATA, X86_PIC_VECTOR_BASE);
	outb(PIC2_DATA, X86_PIC_VECTOR_BASE + 8);
	outb(PIC1_DATA, 1u << PIC_CASCADE_IRQ);
	outb(PIC2_DATA, PIC_CASCADE_IRQ);
	outb(PIC1_DATA, ICW4_8086);
	outb(PIC2_DATA, ICW4_8086);
	outb(PIC1_DATA, 0xFF);
	outb(PIC2_DATA, 0xFF);
}

void pit_start(unsigned hz)
{
	uint16_t divisor = (uint16_t)(PIT_HZ / hz);

	outb(PIT_MODE, PIT_CH0_RATE_GENERATOR);
	outb(PIT_CH0, (uint8_t)divisor);
	outb(PIT_CH0, (uint8_t)(divisor >> 8));
	outb(PIC1_DATA, (uint8_t)~(1u << IRQ_PIT)); /* only IRQ 0 */
}

void host_irq(unsigned line)
{
	irq_counts[line]++;
	if (line >= 8)
		outb(PIC2_CMD, PIC_EOI);
	outb(PIC1_CMD, PIC_EOI);
}

void host_take_interrupts(void)
{
	/* STI takes effect after the next instruction: the NOP is the window. */
	__asm__ volatile("sti; nop; cli" ::: "memory");
}

uint64_t host_irq_count(unsigned line)
{
	return line < X86_PIC_LINES ? irq_counts[line] : 0;
}

/*
 * Channel 2 counts without an interrupt, its output readable in port 0x61:
 * the reference clock for calibrating the TSC and the LAPIC timer.
 */
void pit_ch2_start(uint16_t ticks)
{
	outb(SYSTEM_CONTROL_PORT_B,
	     (uint8_t)((inb(SYSTEM_CONTROL_PORT_B) & ~PORT_B_SPEAKER) | PORT_B_CH2_GATE));
	outb(PIT_MODE, PIT_CH2_ONESHOT);
	outb(PIT_CH2, (uint8_t)ticks);
	outb(PIT_CH2, (uint8_t)(ticks >> 8));
}

bool pit_ch2_expired(void)
{
	return inb(SYSTEM_CONTROL_PORT_B) & PORT_B_CH2_OUT;
}

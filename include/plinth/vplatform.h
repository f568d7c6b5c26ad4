/*
 * The emulated legacy PC platform a Linux guest booted with
 * `console=ttyS0 noapic nolapic acpi=off` needs: an 8259A PIC pair, an 8254
 * PIT (and port 0x61), a 16550A UART (COM1), an MC146818 CMOS RTC, an i8042
 * keyboard controller, and the small fry (POST port 0x80, PCI configuration
 * mechanism 1 answering "no devices", reset control 0xCF9, port 0x92, ELCR
 * 0x4D0/0x4D1, delay port 0xED). docs/devices.md describes what each one does
 * and does not do.
 *
 * The models are pure state machines: driven by port accesses and by `now`,
 * the guest's clock in nanoseconds (monotonic; any origin). They never call
 * the hypervisor except through the callbacks of struct vplatform_env; they
 * take no locks (one vCPU or the caller's lock serializes them).
 *
 * All device I/O functions take one byte (the platform splits wider accesses
 * into bytes, as the ISA bus does) and return false when the port is not
 * theirs.
 */
#ifndef PLINTH_VPLATFORM_H
#define PLINTH_VPLATFORM_H

#include <plinth/types.h>

/* ---- 8259A programmable interrupt controller pair (master + slave) ------ */

/* One 8259A. Bits are IRQ lines 0-7 of that chip. */
struct vpic_chip {
	uint8_t irr, isr, imr;
	uint8_t line;		/* current input line levels (edge detection) */
	uint8_t elcr;		/* 1 = level-triggered (ELCR, ports 0x4D0/0x4D1) */
	uint8_t elcr_mask;	/* ELCR bits that are writable */
	uint8_t vector_base;	/* ICW2 & 0xF8 */
	uint8_t init_state;	/* 0 ready, 1 wait ICW2, 2 wait ICW3, 3 wait ICW4 */
	uint8_t priority_add;	/* lowest-priority line + 1 (rotation) */
	bool icw4_needed, single, auto_eoi, rotate_on_aeoi, sfnm;
	bool read_isr;		/* OCW3 RR/RIS: command-port reads give ISR */
	bool poll;		/* OCW3 P: the next read is a poll */
	bool special_mask;	/* OCW3 SMM */
	bool is_master;
};

struct vpic {
	struct vpic_chip chip[2]; /* [0] master 0x20/0x21, [1] slave 0xA0/0xA1 on IRQ2 */
};

/* Power-on state: everything unmasked, no vectors programmed, all edge. */
void vpic_init(struct vpic *pic);
/* Drive input line 0-15 (8-15 are the slave's) to level. Edge-triggered
 * lines latch IRR on a rising edge (dropping the line later does not clear
 * it); level-triggered lines follow the level. */
void vpic_set_irq(struct vpic *pic, unsigned line, bool level);
/* Ports 0x20, 0x21, 0xA0, 0xA1 (ICW/OCW, IRR/ISR/IMR, poll) and 0x4D0,
 * 0x4D1 (ELCR); *val in or out. False for any other port. */
bool vpic_io(struct vpic *pic, uint16_t port, bool in, uint8_t *val);
/* The vector INTA would deliver now, or -1 when the master's INT output is
 * low. Pure: changes nothing. */
int vpic_pending(const struct vpic *pic);
/* INTA: moves the request from IRR to ISR (not with auto-EOI), on the slave
 * too for a cascaded request, and returns the vector delivered. With no
 * request left it returns the spurious vector (IRQ7 of the master, or IRQ15
 * of the slave when the cascade line was requested; the master then has
 * ISR bit 2 set, as on real hardware, and wants its EOI). */
int vpic_ack(struct vpic *pic);

/* ---- 8254 programmable interval timer, and port 0x61 -------------------- */

#define VPIT_HZ 1193182u	/* the PIT's input clock */

struct vpit_channel {
	uint32_t count;		/* initial count, 1..65536 (0 written = 65536) */
	uint64_t start_ns;	/* when counting (re)started */
	uint64_t ticks_before;	/* ticks counted before start_ns (gate pauses) */
	uint64_t edges_seen;	/* OUT rising edges already reported (channel 0) */
	uint16_t frozen;	/* counter shown while not counting */
	uint16_t latch;		/* latched count */
	uint8_t status;		/* latched status (read-back) */
	uint8_t mode;		/* 0-5 */
	uint8_t rw;		/* 1 LSB, 2 MSB, 3 LSB then MSB */
	uint8_t bcd;		/* stored and reported, counting stays binary */
	uint8_t write_lsb;	/* first byte of a two-byte count */
	bool loaded;		/* a count was written since the control word */
	bool running;		/* counting now (loaded and the gate allows it) */
	bool gate;
	bool null_count;	/* count written but not yet in the counter */
	bool latched, status_latched;
	bool read_msb, write_msb; /* rw == 3 flip-flops: next byte is the MSB */
	bool latch_msb;		/* reading a latched count: next byte is the MSB */
};

struct vpit {
	struct vpit_channel ch[3];
	uint8_t port61;		/* bits 0-3 as written (gate 2, speaker, parity) */
	bool irq0_edge;		/* channel 0 OUT rose, not yet reported */
};

void vpit_init(struct vpit *pit, uint64_t now_ns);
/* Ports 0x40-0x43 and 0x61; false for any other port. */
bool vpit_io(struct vpit *pit, uint64_t now_ns, uint16_t port, bool in, uint8_t *val);
/* Bring channel 0 up to now; true when its OUT rose at least once since the
 * last call (several missed periods coalesce into one: a single IRQ0). */
bool vpit_advance(struct vpit *pit, uint64_t now_ns);
/* When channel 0's OUT next rises (now when an edge is unreported), or
 * UINT64_MAX when it will not (one-shot done, not programmed). */
uint64_t vpit_next_event(const struct vpit *pit, uint64_t now_ns);
/* The OUT pin of channel 0-2 at now (for tests and port 0x61 bit 5). */
bool vpit_out(const struct vpit *pit, unsigned ch, uint64_t now_ns);
/* PIT ticks from a to b (b >= a; exact, no overflow for any 64-bit span). */
uint64_t vpit_ticks_between(uint64_t a_ns, uint64_t b_ns);

/* ---- 16550A UART -------------------------------------------------------- */

#define VUART_RX_SIZE 64	/* receive buffer (a 16550A has 16; more loses less) */

typedef void (*vuart_output_fn)(void *ctx, unsigned index, const char *buf, size_t n);

struct vuart {
	uint16_t base;		/* 0x3F8 for COM1 */
	unsigned index;		/* 0 for COM1: passed to output */
	vuart_output_fn output;
	void *ctx;
	uint16_t divisor;
	uint8_t ier, lcr, mcr, msr, scr, fcr;
	bool overrun;		/* LSR OE, cleared by reading LSR */
	bool thr_ipending;	/* THR-empty interrupt pending */
	uint8_t rx[VUART_RX_SIZE];
	uint8_t rx_head, rx_count;
};

/* output may be NULL (bytes dropped). */
void vuart_init(struct vuart *u, uint16_t base, unsigned index, vuart_output_fn output,
		void *ctx);
/* Ports base..base+7; false for any other port. */
bool vuart_io(struct vuart *u, uint16_t port, bool in, uint8_t *val);
/* Received bytes (typed by the user) for the guest; returns how many fit. */
size_t vuart_input(struct vuart *u, const char *buf, size_t n);
/* The IRQ pin: an interrupt is identified in IIR and MCR OUT2 gates it
 * through (as on PC boards), loopback mode off. */
bool vuart_irq_level(const struct vuart *u);

/* ---- MC146818 CMOS real-time clock ------------------------------------- */

struct vrtc {
	uint8_t cmos[128];	/* registers 0x0A-0x0D and CMOS memory 0x0E-0x7F */
	uint8_t index;		/* selected by port 0x70 */
	uint8_t set_regs[10];	/* time registers written while SET (status B bit 7) */
	uint64_t wall_base;	/* seconds since 1970 at now_ns == 0 */
	int64_t offset;		/* seconds the guest moved its clock by */
	uint64_t last_ns;	/* time the flags are computed up to */
	uint8_t irq_flags;	/* register C */
};

void vrtc_init(struct vrtc *rtc, uint64_t wall_clock_base, uint64_t now_ns);
/* CMOS memory-size bytes: 0x15/0x16 base KiB (640), 0x17/0x18 = 0x30/0x31
 * KiB above 1 MiB (capped 0xFFFF), 0x34/0x35 64 KiB units above 16 MiB
 * below 4 GiB, 0x5B-0x5D 64 KiB units above 4 GiB. */
void vrtc_set_memory(struct vrtc *rtc, uint64_t below_4g, uint64_t above_4g);
/* Ports 0x70 (index; bit 7 NMI mask, ignored) and 0x71 (data). */
bool vrtc_io(struct vrtc *rtc, uint64_t now_ns, uint16_t port, bool in, uint8_t *val);
/* Set register C flags (periodic, update, alarm) for the time up to now. */
void vrtc_advance(struct vrtc *rtc, uint64_t now_ns);
/* IRQ8 pin: register C IRQF (a flag whose interrupt is enabled, until C is read). */
bool vrtc_irq_level(const struct vrtc *rtc);
/* When an enabled RTC interrupt next fires, UINT64_MAX if none (or IRQ8
 * is still high: nothing new can happen before the guest reads C). */
uint64_t vrtc_next_event(const struct vrtc *rtc, uint64_t now_ns);
/* The guest's wall clock now, seconds since 1970 (for tests and logs). */
uint64_t vrtc_seconds(const struct vrtc *rtc, uint64_t now_ns);

/* ---- i8042 keyboard controller ------------------------------------------ */

#define VKBC_QUEUE 16

typedef void (*vplatform_reset_fn)(void *ctx, const char *why);

struct vkbc {
	vplatform_reset_fn reset;
	void *ctx;
	uint8_t ram[32];	/* controller RAM; ram[0] is the command byte */
	uint8_t status;		/* SYS and A2 bits; OBF/AUXB computed */
	uint8_t outport;	/* output port (bit 0 reset line, bit 1 A20) */
	uint8_t pending_cmd;	/* controller command waiting for its data byte */
	uint8_t kbd_cmd;	/* keyboard command waiting for its parameter */
	uint8_t obuf;		/* output buffer */
	bool obf, obuf_aux;	/* output buffer full; from the aux port */
	uint8_t q[VKBC_QUEUE];	/* bytes waiting for the output buffer */
	bool q_aux[VKBC_QUEUE];
	uint8_t q_head, q_count;
	bool scanning;		/* keyboard enabled (F4) */
};

/* reset may be NULL. */
void vkbc_init(struct vkbc *kbc, vplatform_reset_fn reset, void *ctx);
/* Ports 0x60 (data) and 0x64 (status/command). */
bool vkbc_io(struct vkbc *kbc, uint16_t port, bool in, uint8_t *val);
/* Move the next queued byte into an empty output buffer (the controller's
 * delay): call after the IRQ levels were sampled, so each byte is an edge. */
void vkbc_sync(struct vkbc *kbc);
bool vkbc_irq1(const struct vkbc *kbc);	/* keyboard byte waiting, interrupt enabled */
bool vkbc_irq12(const struct vkbc *kbc);	/* aux byte waiting, interrupt enabled */

/* ---- The platform ------------------------------------------------------- */

/* What the hypervisor provides. */
struct vplatform_env {
	/* Bytes the guest wrote to a UART (port_index 0 = COM1); may be NULL. */
	void (*uart_output)(void *ctx, unsigned port_index, const char *buf, size_t n);
	/* The guest asked for a reboot (i8042 pulse, 0xCF9, 0x92); may be NULL. */
	void (*reset)(void *ctx, const char *why);
	void *ctx;
	uint64_t wall_clock_base;	/* seconds since 1970 at now_ns == 0, for the RTC */
	uint64_t ram_bytes;		/* guest RAM, for the CMOS memory-size bytes */
	/* RAM from 0 up to this, the rest from 4 GiB (the PCI hole between);
	 * 0 means 3 GiB. Only the CMOS bytes use it. */
	uint64_t lowmem_limit;
};

struct vplatform {
	struct vplatform_env env;
	struct vpic pic;	/* ELCR lives in pic.chip[].elcr */
	struct vpit pit;
	struct vuart com1;	/* 0x3F8, IRQ4 */
	struct vrtc rtc;	/* IRQ8 */
	struct vkbc kbc;	/* IRQ1, IRQ12 */
	uint8_t post_code;	/* last byte written to port 0x80 */
	uint32_t pci_addr;	/* 0xCF8 address register */
	uint8_t cf9;		/* reset control register */
	uint8_t port92;		/* system control port A */
};

/* Everything at power-on state; env is copied. */
void vplatform_init(struct vplatform *p, const struct vplatform_env *env, uint64_t now_ns);
/* An I/O port access of size 1, 2 or 4 (*value in or out; wider accesses to
 * byte devices are split into bytes of consecutive ports). False when no
 * device of the platform has this port (the caller then applies its
 * all-ones default). Updates the interrupt lines afterwards. */
bool vplatform_io(struct vplatform *p, uint64_t now_ns, uint16_t port, uint8_t size, bool in,
		  uint32_t *value);
/* Advance time-driven state to now (PIT channel 0 -> IRQ0 edges, RTC flags
 * -> IRQ8) and update all interrupt lines. Call before asking for
 * interrupts and after the guest ran. */
void vplatform_advance(struct vplatform *p, uint64_t now_ns);
/* The vector the PIC pair would deliver now (INTR asserted), or -1. Does
 * not acknowledge. */
int vplatform_irq_pending(const struct vplatform *p);
/* The CPU took that interrupt (INTA): IRR -> ISR as the 8259 does (auto-EOI
 * honoured); returns the vector delivered, which may differ from the one
 * pending earlier or be spurious (IRQ7 / IRQ15 of the base). */
int vplatform_irq_ack(struct vplatform *p);
/* When something time-driven happens next (PIT channel-0 interrupt, RTC
 * interrupt), UINT64_MAX if nothing: wake a halted vCPU then. */
uint64_t vplatform_next_event(const struct vplatform *p, uint64_t now_ns);
/* Bytes typed for the guest's COM1; returns how many fit (the rest are
 * for a later call). */
size_t vplatform_uart_input(struct vplatform *p, const char *buf, size_t n);

#endif

/*
 * Emulated 16550A UART (docs/devices.md). Output is instant: a byte written
 * to THR goes to the output callback at once, so THR and the transmitter are
 * always empty again by the next access.
 */
#include <plinth/string.h>
#include <plinth/vplatform.h>

enum {
	REG_RBR_THR = 0, REG_IER = 1, REG_IIR_FCR = 2, REG_LCR = 3,
	REG_MCR = 4, REG_LSR = 5, REG_MSR = 6, REG_SCR = 7,
};

#define LCR_DLAB 0x80
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define IER_RDI 0x01
#define IER_THRI 0x02
#define IER_RLSI 0x04
#define IER_MSI 0x08
#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define MSR_DELTA 0x0F
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

/* Modem status inputs: a terminal is attached (CTS, DSR, DCD); in loopback
 * they are the MCR outputs: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD. */
static uint8_t modem_inputs(const struct vuart *u)
{
	if (!(u->mcr & MCR_LOOP))
		return MSR_CTS | MSR_DSR | MSR_DCD;
	return (uint8_t)(((u->mcr & MCR_RTS) ? MSR_CTS : 0) | ((u->mcr & MCR_DTR) ? MSR_DSR : 0) |
			 ((u->mcr & MCR_OUT1) ? MSR_RI : 0) | ((u->mcr & MCR_OUT2) ? MSR_DCD : 0));
}

/* New modem inputs: set the delta bits for what changed (TERI on RI falling). */
static void update_msr(struct vuart *u)
{
	uint8_t now = modem_inputs(u), old = u->msr & 0xF0, d = 0;
	if ((now ^ old) & MSR_CTS)
		d |= 0x01;
	if ((now ^ old) & MSR_DSR)
		d |= 0x02;
	if ((old & MSR_RI) && !(now & MSR_RI))
		d |= 0x04;
	if ((now ^ old) & MSR_DCD)
		d |= 0x08;
	u->msr = (uint8_t)(now | (u->msr & MSR_DELTA) | d);
}

static unsigned rx_trigger(const struct vuart *u)
{
	static const uint8_t levels[4] = {1, 4, 8, 14};
	return (u->fcr & FCR_ENABLE) ? levels[u->fcr >> 6] : 1;
}

/* IIR value: highest-priority pending interrupt, FIFO bits. */
static uint8_t iir_value(const struct vuart *u)
{
	uint8_t fifo = (u->fcr & FCR_ENABLE) ? 0xC0 : 0;
	if ((u->ier & IER_RLSI) && u->overrun)
		return fifo | 0x06;
	if ((u->ier & IER_RDI) && u->rx_count) {
		/* Below the trigger level the character timeout fires at once:
		 * the data arrived as a burst and no more is coming now. */
		return fifo | (u->rx_count >= rx_trigger(u) ? 0x04 : 0x0C);
	}
	if ((u->ier & IER_THRI) && u->thr_ipending)
		return fifo | 0x02;
	if ((u->ier & IER_MSI) && (u->msr & MSR_DELTA))
		return fifo | 0x00;
	return fifo | 0x01;
}

bool vuart_irq_level(const struct vuart *u)
{
	return !(iir_value(u) & 1) && (u->mcr & MCR_OUT2) && !(u->mcr & MCR_LOOP);
}

static void rx_push(struct vuart *u, uint8_t b)
{
	if (u->rx_count == VUART_RX_SIZE) {
		u->overrun = true;
		return;
	}
	u->rx[(u->rx_head + u->rx_count) % VUART_RX_SIZE] = b;
	u->rx_count++;
}

static uint8_t rx_pop(struct vuart *u)
{
	if (!u->rx_count)
		return 0;
	uint8_t b = u->rx[u->rx_head];
	u->rx_head = (uint8_t)((u->rx_head + 1) % VUART_RX_SIZE);
	u->rx_count--;
	return b;
}

void vuart_init(struct vuart *u, uint16_t base, unsigned index, vuart_output_fn output,
		void *ctx)
{
	memset(u, 0, sizeof(*u));
	u->base = base;
	u->index = index;
	u->output = output;
	u->ctx = ctx;
	u->divisor = 12; /* 9600 baud */
	u->lcr = 0x03;	 /* 8N1 */
	u->msr = modem_inputs(u);
}

size_t vuart_input(struct vuart *u, const char *buf, size_t n)
{
	size_t i;
	for (i = 0; i < n && u->rx_count < VUART_RX_SIZE; i++)
		rx_push(u, (uint8_t)buf[i]);
	return i;
}

static void write_reg(struct vuart *u, unsigned reg, uint8_t v)
{
	switch (reg) {
	case REG_RBR_THR:
		if (u->lcr & LCR_DLAB) {
			u->divisor = (uint16_t)((u->divisor & 0xFF00) | v);
			break;
		}
		if (u->mcr & MCR_LOOP) {
			rx_push(u, v);
		} else if (u->output) {
			char c = (char)v;
			u->output(u->ctx, u->index, &c, 1);
		}
		/* Sent at once: THR empty again, which is an interrupt. */
		u->thr_ipending = true;
		break;
	case REG_IER:
		if (u->lcr & LCR_DLAB) {
			u->divisor = (uint16_t)((u->divisor & 0x00FF) | v << 8);
			break;
		}
		/* Enabling THRI with THR empty interrupts (16550 behaviour Linux
		 * tests for: UART_BUG_THRE / UART_BUG_TXEN). */
		if ((v & IER_THRI) && !(u->ier & IER_THRI))
			u->thr_ipending = true;
		u->ier = v & 0x0F;
		break;
	case REG_IIR_FCR:
		if ((v ^ u->fcr) & FCR_ENABLE) /* switching FIFO mode clears FIFOs */
			u->rx_count = 0;
		if (v & FCR_CLEAR_RX)
			u->rx_count = 0;
		u->fcr = v & 0xC9; /* enable, DMA mode, trigger level */
		if (!(v & FCR_ENABLE))
			u->fcr = 0;
		break;
	case REG_LCR:
		u->lcr = v;
		break;
	case REG_MCR:
		u->mcr = v & 0x1F;
		update_msr(u);
		break;
	case REG_SCR:
		u->scr = v;
		break;
	default: /* LSR, MSR: read-only */
		break;
	}
}

static uint8_t read_reg(struct vuart *u, unsigned reg)
{
	uint8_t v;
	switch (reg) {
	case REG_RBR_THR:
		if (u->lcr & LCR_DLAB)
			return (uint8_t)u->divisor;
		return rx_pop(u);
	case REG_IER:
		if (u->lcr & LCR_DLAB)
			return (uint8_t)(u->divisor >> 8);
		return u->ier;
	case REG_IIR_FCR:
		v = iir_value(u);
		/* Reading IIR while THRE is the reason clears it. */
		if ((v & 0x0F) == 0x02)
			u->thr_ipending = false;
		return v;
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		v = LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0) | (u->overrun ? LSR_OE : 0);
		u->overrun = false;
		return v;
	case REG_MSR:
		update_msr(u);
		v = u->msr;
		u->msr &= (uint8_t)~MSR_DELTA;
		return v;
	default:
		return u->scr;
	}
}

bool vuart_io(struct vuart *u, uint16_t port, bool in, uint8_t *val)
{
	if (port < u->base || port > u->base + 7)
		return false;
	unsigned reg = port - u->base;
	if (in)
		*val = read_reg(u, reg);
	else
		write_reg(u, reg, *val);
	return true;
}

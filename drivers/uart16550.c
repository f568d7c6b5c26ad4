/*
 * 16550 UART, polled. Every byte waits for LSR.THRE: Bochs models the FIFO
 * and drops bytes written to a full one (QEMU forgives it). The wait is
 * bounded so a dead UART cannot hang the hypervisor.
 */
#include <plinth/errno.h>
#include <plinth/uart.h>
#include <plinth/x86/io.h>

enum uart_reg {
	UART_THR = 0, /* transmit (DLAB=0) / divisor low (DLAB=1) */
	UART_RBR = 0, /* receive (DLAB=0) */
	UART_IER = 1, /* interrupt enable / divisor high */
	UART_FCR = 2,
	UART_LCR = 3,
	UART_MCR = 4,
	UART_LSR = 5,
	UART_SCR = 7,
};

#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define FCR_ENABLE_CLEAR 0x07
#define MCR_DTR_RTS 0x03
#define LSR_DATA_READY 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define THRE_SPIN_LIMIT 1000000

static bool uart_wait(const struct uart16550 *u, uint8_t lsr_bit)
{
	for (unsigned i = 0; i < THRE_SPIN_LIMIT; i++)
		if (inb((uint16_t)(u->port + UART_LSR)) & lsr_bit)
			return true;
	return false;
}

void uart16550_putc(struct uart16550 *u, char c)
{
	if (uart_wait(u, LSR_THRE))
		outb(u->port + UART_THR, (uint8_t)c);
}

bool uart16550_getc(struct uart16550 *u, char *c)
{
	if (!(inb((uint16_t)(u->port + UART_LSR)) & LSR_DATA_READY))
		return false;
	*c = (char)inb(u->port + UART_RBR);
	return true;
}

static void uart_sink_write(struct console_sink *sink, const char *s, size_t n)
{
	struct uart16550 *u = container_of(sink, struct uart16550, sink);

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart16550_putc(u, '\r');
		uart16550_putc(u, s[i]);
	}
}

static void uart_sink_flush(struct console_sink *sink)
{
	struct uart16550 *u = container_of(sink, struct uart16550, sink);

	uart_wait(u, LSR_TEMT);
}

int uart16550_init(struct uart16550 *u, uint16_t port, uint32_t baud)
{
	uint16_t divisor = (uint16_t)(115200u / baud);

	/* The scratch register echoes on a real 16550; nothing answers otherwise. */
	outb(port + UART_SCR, 0x5A);
	if (inb(port + UART_SCR) != 0x5A)
		return -E_NOENT;

	outb(port + UART_IER, 0);
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_THR, (uint8_t)divisor);
	outb(port + UART_IER, (uint8_t)(divisor >> 8));
	outb(port + UART_LCR, LCR_8N1);
	outb(port + UART_FCR, FCR_ENABLE_CLEAR);
	outb(port + UART_MCR, MCR_DTR_RTS);

	u->port = port;
	u->baud = baud;
	u->sink.name = "uart";
	u->sink.write = uart_sink_write;
	u->sink.flush = uart_sink_flush;
	return 0;
}

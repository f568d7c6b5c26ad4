/* 16550 UART: the serial console. */
#ifndef PLINTH_UART_H
#define PLINTH_UART_H

#include <plinth/console.h>

struct uart16550 {
	uint16_t port;
	uint32_t baud;
	struct console_sink sink;
};

/*
 * Parse a console spec: "com1".."com4", "ttyS0".."ttyS3" or an I/O port
 * ("0x3f8"), optionally followed by ",BAUD" (a divisor of 115200).
 * Returns 0 or -E_INVAL.
 */
int uart_parse_spec(const char *spec, uint16_t *port, uint32_t *baud);

/* Program the UART; -E_NOENT when no UART answers at that port. */
int uart16550_init(struct uart16550 *u, uint16_t port, uint32_t baud);
void uart16550_putc(struct uart16550 *u, char c);
/* A received byte, if one is waiting (polled: never blocks). */
bool uart16550_getc(struct uart16550 *u, char *c);

#endif

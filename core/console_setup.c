/*
 * Boot console: COM1 first, then the command line's console= and loglevel=,
 * then the configuration's [hypervisor] console and log_level. The screen
 * console lives in console_screen.c.
 */
#define LOG_TAG "console"
#include <plinth/cmdline.h>
#include <plinth/console.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/uart.h>

#define DEFAULT_PORT 0x3F8
#define DEFAULT_BAUD 115200

static struct uart16550 boot_uart;

void console_early_init(void)
{
	if (uart16550_init(&boot_uart, DEFAULT_PORT, DEFAULT_BAUD) == 0)
		console_register(&boot_uart.sink);
}

static void use_serial(const char *spec, uint16_t port, uint32_t baud, const char *origin)
{
	struct uart16550 probe;

	if (port == boot_uart.port && baud == boot_uart.baud)
		return;
	if (uart16550_init(&probe, port, baud) != 0) {
		log_error("%s=%s: no UART answers at port %#x; staying on %#x",
			  origin, spec, port, boot_uart.port);
		return;
	}
	console_unregister(&boot_uart.sink);
	boot_uart = probe;
	console_register(&boot_uart.sink);
	log_info("serial console on port %#x at %u baud", port, baud);
}

void console_use(const char *spec, const char *origin)
{
	struct console_spec cs;
	const char *why;

	if (console_spec_parse(spec, &cs, &why) != 0) {
		log_error("%s=%s: %s; console unchanged", origin, spec, why);
		return;
	}
	if (cs.has_serial)
		use_serial(cs.serial, cs.port, cs.baud, origin);
	if (cs.screen != SCREEN_UNSAID)
		console_screen_choose(cs.screen, origin);
}

uint16_t console_serial_port(void)
{
	return boot_uart.port;
}

/* Serial first, then the screen's keyboard: both type at the one console. */
int console_getc(void)
{
	char c;

	return uart16550_getc(&boot_uart, &c) ? (unsigned char)c : console_screen_getc();
}

void console_configure(const char *cmdline)
{
	char value[64];
	enum log_level level;

	if (cmdline_get(cmdline, "console", value, sizeof(value)) == 0)
		console_use(value, "console");
	if (cmdline_get(cmdline, "loglevel", value, sizeof(value)) == 0) {
		if (log_level_parse(value, &level) == 0)
			log_set_level(level);
		else
			log_error("loglevel=%s: unknown (use error, warn, info or debug)", value);
	}
}

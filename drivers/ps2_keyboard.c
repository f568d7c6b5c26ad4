/*
 * Polled i8042 keyboard (include/plinth/ps2_keyboard.h). The host's PIC
 * leaves IRQ 1 masked, so the controller's interrupt setting is harmless and
 * stays as the firmware left it; so does everything else, except that the
 * keyboard port is enabled and translation to scancode set 1 turned on when
 * the firmware had them off (the decoder speaks set 1). Guests never reach
 * these ports: theirs is the emulated controller in drivers/vkbc.c.
 */
#define LOG_TAG "console"
#include <plinth/kbd_decode.h>
#include <plinth/log.h>
#include <plinth/ps2_keyboard.h>
#include <plinth/x86/io.h>

#define PS2_DATA 0x60
#define PS2_STATUS 0x64 /* read */
#define PS2_COMMAND 0x64 /* write */

#define ST_OUTPUT_FULL 0x01  /* a byte waits at PS2_DATA */
#define ST_INPUT_FULL 0x02   /* the controller has not taken the last write yet */
#define ST_AUX 0x20          /* that byte is from the mouse port */
#define ST_ERRORS 0xC0       /* timeout, parity: the byte is garbage */
#define ST_ABSENT 0xFF       /* nothing decodes the port: the bus floats high */

#define CMD_READ_CONFIG 0x20
#define CMD_WRITE_CONFIG 0x60
#define CMD_ENABLE_KEYBOARD 0xAE
#define CFG_KEYBOARD_DISABLED 0x10
#define CFG_TRANSLATE 0x40

/* Port reads before a wait gives up: ~0.1 s at ISA speed, never for ever. */
#define WAIT_SPINS 100000u
/* Bytes left over from the firmware (keys typed in GRUB, replies) dropped at start. */
#define DRAIN_MAX 64u
/* Scancodes looked at per call: a held key cannot keep the caller here. */
#define SCANCODES_PER_CALL 16u

static bool present;
static struct kbd_decoder decoder;

static bool wait_input_empty(void)
{
	for (unsigned i = 0; i < WAIT_SPINS; i++)
		if (!(inb(PS2_STATUS) & ST_INPUT_FULL))
			return true;
	return false;
}

/* The controller's answer to a command: a byte from the keyboard side, not the mouse's. */
static bool read_reply(uint8_t *b)
{
	for (unsigned i = 0; i < WAIT_SPINS; i++) {
		uint8_t st = inb(PS2_STATUS);

		if (!(st & ST_OUTPUT_FULL))
			continue;
		*b = inb(PS2_DATA);
		if (!(st & ST_AUX))
			return true;
	}
	return false;
}

static bool send_command(uint8_t cmd)
{
	if (!wait_input_empty())
		return false;
	outb(PS2_COMMAND, cmd);
	return true;
}

static bool drain(void)
{
	for (unsigned i = 0; i < DRAIN_MAX; i++) {
		if (!(inb(PS2_STATUS) & ST_OUTPUT_FULL))
			return true;
		(void)inb(PS2_DATA);
	}
	return false;
}

static bool write_config(uint8_t cfg)
{
	if (!send_command(CMD_WRITE_CONFIG) || !wait_input_empty())
		return false;
	outb(PS2_DATA, cfg);
	return true;
}

bool ps2_keyboard_start(const char **why)
{
	uint8_t cfg;

	if (inb(PS2_STATUS) == ST_ABSENT) {
		*why = "no i8042 controller (status port 0x64 reads 0xff)";
		return false;
	}
	if (!drain()) {
		*why = "the i8042 output buffer never empties";
		return false;
	}
	if (!send_command(CMD_READ_CONFIG) || !read_reply(&cfg)) {
		*why = "the i8042 does not answer at port 0x64";
		return false;
	}
	if (cfg & CFG_KEYBOARD_DISABLED) {
		if (!send_command(CMD_ENABLE_KEYBOARD)) {
			*why = "the i8042 keyboard port is disabled and does not enable";
			return false;
		}
		log_info("keyboard: the firmware left the i8042 keyboard port disabled: enabled");
	}
	if (!(cfg & CFG_TRANSLATE)) {
		/* cfg was read before the port was enabled: do not disable it again. */
		if (!write_config((uint8_t)((cfg | CFG_TRANSLATE) & ~CFG_KEYBOARD_DISABLED))) {
			*why = "the i8042 does not take a configuration byte";
			return false;
		}
		log_info("keyboard: the firmware left scancode translation off: turned on (set 1)");
	}
	kbd_decoder_init(&decoder);
	present = true;
	*why = NULL;
	return true;
}

int ps2_keyboard_getc(void)
{
	if (!present)
		return -1;
	for (unsigned n = 0; n < SCANCODES_PER_CALL; n++) {
		uint8_t st = inb(PS2_STATUS);
		uint8_t b;
		int c;

		if (!(st & ST_OUTPUT_FULL) || st == ST_ABSENT)
			return -1;
		b = inb(PS2_DATA);
		if (st & (ST_AUX | ST_ERRORS))
			continue; /* a mouse's byte, or garbled: not a key */
		c = kbd_decode(&decoder, b);
		if (c != KBD_NO_BYTE)
			return c;
	}
	return -1;
}

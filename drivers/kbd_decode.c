/*
 * Scancode set 1 to bytes (include/plinth/kbd_decode.h). A make code is the
 * key number; its break code (release) is the same with bit 7 set. Shift,
 * Ctrl and Caps Lock are tracked from their make and break codes, so a
 * released modifier is never stuck even though its release typed nothing.
 */
#include <plinth/kbd_decode.h>
#include <plinth/string.h>

#define SC_BREAK 0x80
#define SC_E0 0xE0
#define SC_E1 0xE1
#define SC_E1_LENGTH 2 /* Pause: E1 1D 45, then E1 9D C5 on release */
#define SC_LEFT_CTRL 0x1D
#define SC_LEFT_SHIFT 0x2A
#define SC_RIGHT_SHIFT 0x36
#define SC_CAPS_LOCK 0x3A
#define SC_ENTER 0x1C /* with E0: keypad Enter */
#define ESC 0x1B

/* Set 1 key numbers 0x01..0x39, US layout; 0 marks a key that types nothing. */
static const char plain[] = {
	[0x01] = ESC,
	[0x02] = '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=', '\b', '\t',
	[0x10] = 'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']', '\r',
	[0x1E] = 'a', 's', 'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`',
	[0x2B] = '\\', 'z', 'x', 'c', 'v', 'b', 'n', 'm', ',', '.', '/',
	[0x39] = ' ',
};

static const char shifted[] = {
	[0x01] = ESC,
	[0x02] = '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_', '+', '\b', '\t',
	[0x10] = 'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}', '\r',
	[0x1E] = 'A', 'S', 'D', 'F', 'G', 'H', 'J', 'K', 'L', ':', '"', '~',
	[0x2B] = '|', 'Z', 'X', 'C', 'V', 'B', 'N', 'M', '<', '>', '?',
	[0x39] = ' ',
};

_Static_assert(sizeof(plain) == sizeof(shifted), "both layers cover the same keys");

void kbd_decoder_init(struct kbd_decoder *k)
{
	memset(k, 0, sizeof(*k));
}

static bool is_letter(char c)
{
	return c >= 'a' && c <= 'z';
}

/* What Ctrl makes of the key whose unshifted character is c: a C0 control, or nothing. */
static int ctrl_byte(char c)
{
	if (is_letter(c))
		return c - 'a' + 1;
	if (c == '[' || c == '\\' || c == ']')
		return c - '@'; /* 0x1b, 0x1c, 0x1d: Ctrl-] is the console's escape key */
	if (c == ESC || c == '\b' || c == '\t' || c == '\r')
		return c; /* the same byte with or without Ctrl */
	return KBD_NO_BYTE;
}

static int key_press(struct kbd_decoder *k, uint8_t key)
{
	bool shift = k->left_shift || k->right_shift;
	char c;

	if (key >= sizeof(plain) || plain[key] == 0)
		return KBD_NO_BYTE;
	c = plain[key];
	if (k->left_ctrl || k->right_ctrl)
		return ctrl_byte(c);
	/* Caps Lock turns letters only, and Shift turns them back. */
	if (is_letter(c) && k->caps_lock)
		shift = !shift;
	return (unsigned char)(shift ? shifted[key] : c);
}

/* A key after the E0 prefix: right Ctrl and keypad Enter count, the rest is ignored. */
static int extended_key(struct kbd_decoder *k, uint8_t key, bool released)
{
	if (key == SC_LEFT_CTRL)
		k->right_ctrl = !released;
	else if (key == SC_ENTER && !released)
		return '\r';
	return KBD_NO_BYTE;
}

int kbd_decode(struct kbd_decoder *k, uint8_t scancode)
{
	uint8_t key = scancode & (uint8_t)~SC_BREAK;
	bool released = scancode & SC_BREAK;

	if (k->e1_left) {
		k->e1_left--;
		return KBD_NO_BYTE;
	}
	if (scancode == SC_E0) {
		k->e0 = true;
		return KBD_NO_BYTE;
	}
	if (scancode == SC_E1) {
		k->e0 = false;
		k->e1_left = SC_E1_LENGTH;
		return KBD_NO_BYTE;
	}
	if (k->e0) {
		k->e0 = false;
		return extended_key(k, key, released);
	}
	switch (key) {
	case SC_LEFT_SHIFT:
		k->left_shift = !released;
		return KBD_NO_BYTE;
	case SC_RIGHT_SHIFT:
		k->right_shift = !released;
		return KBD_NO_BYTE;
	case SC_LEFT_CTRL:
		k->left_ctrl = !released;
		return KBD_NO_BYTE;
	case SC_CAPS_LOCK:
		if (!released && !k->caps_key_down)
			k->caps_lock = !k->caps_lock;
		k->caps_key_down = !released;
		return KBD_NO_BYTE;
	default:
		return released ? KBD_NO_BYTE : key_press(k, key);
	}
}

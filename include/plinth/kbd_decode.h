/*
 * PC keyboard scancode set 1 (what an i8042 with translation on delivers)
 * to the bytes a terminal would send, US layout: letters, digits,
 * punctuation, space, Enter ('\r'), Backspace (0x08), Tab, Escape, with
 * Shift, Caps Lock and Ctrl (Ctrl-letter 0x01..0x1a, Ctrl-[ \ ] 0x1b..0x1d).
 * Releases produce nothing; so do E0-prefixed keys (arrows, Insert, the
 * Windows keys, ...) other than right Ctrl and keypad Enter, the Pause
 * key's E1 sequence, Alt, the function keys and the rest of the keypad.
 * Pure logic, no port I/O: drivers/ps2_keyboard.c feeds it.
 */
#ifndef PLINTH_KBD_DECODE_H
#define PLINTH_KBD_DECODE_H

#include <plinth/types.h>

#define KBD_NO_BYTE (-1)

struct kbd_decoder {
	bool e0;            /* the last scancode was the 0xE0 prefix */
	unsigned e1_left;   /* scancodes of a Pause (0xE1) sequence still to skip */
	bool left_shift, right_shift;
	bool left_ctrl, right_ctrl;
	bool caps_lock;     /* toggled by each press of Caps Lock */
	bool caps_key_down; /* held Caps Lock repeats its make code: toggle once */
};

void kbd_decoder_init(struct kbd_decoder *k);
/* One scancode in; the byte it types (0..0x7f) or KBD_NO_BYTE. */
int kbd_decode(struct kbd_decoder *k, uint8_t scancode);

#endif

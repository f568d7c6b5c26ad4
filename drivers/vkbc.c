/*
 * Emulated i8042 keyboard controller (ports 0x60/0x64) with a minimal AT
 * keyboard behind it and no mouse (docs/devices.md). Commands complete at
 * once: the input buffer is never full.
 */
#include <plinth/string.h>
#include <plinth/vplatform.h>

#define ST_OBF 0x01
#define ST_SYS 0x04
#define ST_A2 0x08	/* last write was a command */
#define ST_UNLOCKED 0x10
#define ST_AUXB 0x20

#define CB_KBD_INT 0x01
#define CB_AUX_INT 0x02
#define CB_SYS 0x04
#define CB_KBD_OFF 0x10
#define CB_AUX_OFF 0x20
#define CB_XLATE 0x40

#define OUT_RESET 0x01	/* the CPU reset line, active low */
#define OUT_A20 0x02

static void queue(struct vkbc *kbc, uint8_t b, bool aux)
{
	if (kbc->q_count == VKBC_QUEUE)
		return; /* a full controller drops bytes */
	unsigned i = (kbc->q_head + kbc->q_count) % VKBC_QUEUE;
	kbc->q[i] = b;
	kbc->q_aux[i] = aux;
	kbc->q_count++;
}

void vkbc_sync(struct vkbc *kbc)
{
	if (kbc->obf || !kbc->q_count)
		return;
	kbc->obuf = kbc->q[kbc->q_head];
	kbc->obuf_aux = kbc->q_aux[kbc->q_head];
	kbc->obf = true;
	kbc->q_head = (uint8_t)((kbc->q_head + 1) % VKBC_QUEUE);
	kbc->q_count--;
}

bool vkbc_irq1(const struct vkbc *kbc)
{
	return kbc->obf && !kbc->obuf_aux && (kbc->ram[0] & CB_KBD_INT);
}

bool vkbc_irq12(const struct vkbc *kbc)
{
	return kbc->obf && kbc->obuf_aux && (kbc->ram[0] & CB_AUX_INT);
}

void vkbc_init(struct vkbc *kbc, vplatform_reset_fn reset, void *ctx)
{
	memset(kbc, 0, sizeof(*kbc));
	kbc->reset = reset;
	kbc->ctx = ctx;
	/* As a BIOS leaves it: translation, system flag, keyboard IRQ on,
	 * aux port disabled. */
	kbc->ram[0] = CB_XLATE | CB_AUX_OFF | CB_SYS | CB_KBD_INT;
	kbc->status = ST_SYS;
	kbc->outport = OUT_RESET | OUT_A20;
	kbc->scanning = true;
}

static void do_reset(struct vkbc *kbc, const char *why)
{
	if (kbc->reset)
		kbc->reset(kbc->ctx, why);
}

static void write_outport(struct vkbc *kbc, uint8_t v)
{
	kbc->outport = v | OUT_RESET;
	if (!(v & OUT_RESET))
		do_reset(kbc, "i8042 output port reset line");
}

/* A byte for the keyboard (port 0x60 with no controller command waiting). */
static void keyboard_write(struct vkbc *kbc, uint8_t v)
{
	uint8_t cmd = kbc->kbd_cmd;
	kbc->ram[0] &= (uint8_t)~CB_KBD_OFF; /* talking to it enables the interface */
	if (cmd) {
		kbc->kbd_cmd = 0;
		queue(kbc, 0xFA, false);
		if (cmd == 0xF0 && v == 0) /* get scan code set */
			queue(kbc, (kbc->ram[0] & CB_XLATE) ? 0x41 : 0x02, false);
		return;
	}
	switch (v) {
	case 0xED: /* set LEDs */
	case 0xF0: /* scan code set */
	case 0xF3: /* typematic rate */
		kbc->kbd_cmd = v;
		queue(kbc, 0xFA, false);
		break;
	case 0xEE: /* echo */
		queue(kbc, 0xEE, false);
		break;
	case 0xF2: /* identify: MF2 keyboard */
		queue(kbc, 0xFA, false);
		queue(kbc, 0xAB, false);
		queue(kbc, (kbc->ram[0] & CB_XLATE) ? 0x41 : 0x83, false);
		break;
	case 0xF4:
		kbc->scanning = true;
		queue(kbc, 0xFA, false);
		break;
	case 0xF5: /* disable and restore defaults */
		kbc->scanning = false;
		queue(kbc, 0xFA, false);
		break;
	case 0xFF: /* reset and self-test: passed */
		kbc->scanning = true;
		queue(kbc, 0xFA, false);
		queue(kbc, 0xAA, false);
		break;
	default: /* F6 defaults, F7-FD modes, FE resend, ...: acknowledged */
		queue(kbc, 0xFA, false);
		break;
	}
}

static void data_write(struct vkbc *kbc, uint8_t v)
{
	uint8_t cmd = kbc->pending_cmd;
	kbc->pending_cmd = 0;
	kbc->status &= (uint8_t)~ST_A2;
	if (cmd >= 0x60 && cmd <= 0x7F) {
		kbc->ram[cmd - 0x60] = v;
		if (cmd == 0x60) {
			if (v & CB_SYS)
				kbc->status |= ST_SYS;
			else
				kbc->status &= (uint8_t)~ST_SYS;
		}
		return;
	}
	switch (cmd) {
	case 0xD1: /* write output port */
		write_outport(kbc, v);
		break;
	case 0xD2: /* as if the keyboard sent v */
		queue(kbc, v, false);
		break;
	case 0xD3: /* as if the aux device sent v */
		queue(kbc, v, true);
		break;
	case 0xD4: /* to the aux device: nobody there */
		queue(kbc, 0xFE, true);
		break;
	default:
		keyboard_write(kbc, v);
		break;
	}
}

static void command(struct vkbc *kbc, uint8_t v)
{
	kbc->status |= ST_A2;
	kbc->pending_cmd = 0;
	if (v >= 0x20 && v <= 0x3F) { /* read controller RAM (0x20: command byte) */
		queue(kbc, kbc->ram[v - 0x20], false);
		return;
	}
	if (v >= 0x60 && v <= 0x7F) {
		kbc->pending_cmd = v;
		return;
	}
	if (v >= 0xF0) { /* pulse output port bits whose mask bit is 0 */
		if (!(v & OUT_RESET))
			do_reset(kbc, "i8042 pulse reset");
		return;
	}
	switch (v) {
	case 0xA4: /* password installed? */
		queue(kbc, 0xF1, false);
		break;
	case 0xA7:
		kbc->ram[0] |= CB_AUX_OFF;
		break;
	case 0xA8:
		kbc->ram[0] &= (uint8_t)~CB_AUX_OFF;
		break;
	case 0xA9: /* aux interface test: passed */
	case 0xAB: /* keyboard interface test: passed */
		queue(kbc, 0x00, false);
		break;
	case 0xAA: /* controller self-test */
		kbc->status |= ST_SYS;
		queue(kbc, 0x55, false);
		break;
	case 0xAD:
		kbc->ram[0] |= CB_KBD_OFF;
		break;
	case 0xAE:
		kbc->ram[0] &= (uint8_t)~CB_KBD_OFF;
		break;
	case 0xC0: /* input port */
		queue(kbc, 0x80, false);
		break;
	case 0xD0: /* output port */
		queue(kbc, (uint8_t)(kbc->outport | (kbc->obf && !kbc->obuf_aux ? 0x10 : 0) |
				     (kbc->obf && kbc->obuf_aux ? 0x20 : 0)), false);
		break;
	case 0xD1: case 0xD2: case 0xD3: case 0xD4:
		kbc->pending_cmd = v;
		break;
	case 0xDD:
		kbc->outport &= (uint8_t)~OUT_A20;
		break;
	case 0xDF:
		kbc->outport |= OUT_A20;
		break;
	case 0xE0: /* test inputs */
		queue(kbc, 0x00, false);
		break;
	default: /* unknown commands are ignored */
		break;
	}
}

bool vkbc_io(struct vkbc *kbc, uint16_t port, bool in, uint8_t *val)
{
	switch (port) {
	case 0x60:
		if (in) {
			*val = kbc->obuf; /* an empty buffer reads its last byte again */
			kbc->obf = false;
		} else {
			data_write(kbc, *val);
		}
		return true;
	case 0x64:
		if (in) {
			vkbc_sync(kbc);
			*val = (uint8_t)((kbc->status & (ST_SYS | ST_A2)) | ST_UNLOCKED |
					 (kbc->obf ? ST_OBF : 0) |
					 (kbc->obf && kbc->obuf_aux ? ST_AUXB : 0));
		} else {
			command(kbc, *val);
		}
		return true;
	default:
		return false;
	}
}

/*
 * Emulated MC146818 CMOS RTC (ports 0x70/0x71), docs/devices.md. The time
 * is wall_base + offset + now: never ticked. Register C flags are computed
 * when time is advanced or C is read.
 */
#include <plinth/civil_time.h>
#include <plinth/string.h>
#include <plinth/vplatform.h>

#define NS_PER_SEC 1000000000ull
#define UIP_NS 2228000ull	/* UIP: 244 us before the update + the 1984 us update */

enum {
	R_SEC = 0x00, R_ASEC = 0x01, R_MIN = 0x02, R_AMIN = 0x03, R_HOUR = 0x04,
	R_AHOUR = 0x05, R_WDAY = 0x06, R_MDAY = 0x07, R_MON = 0x08, R_YEAR = 0x09,
	R_A = 0x0A, R_B = 0x0B, R_C = 0x0C, R_D = 0x0D, R_CENTURY = 0x32,
};

#define A_UIP 0x80
#define B_SET 0x80
#define B_PIE 0x40
#define B_AIE 0x20
#define B_UIE 0x10
#define B_DM 0x04	/* binary, not BCD */
#define B_24H 0x02
#define C_IRQF 0x80
#define C_PF 0x40
#define C_AF 0x20
#define C_UF 0x10

uint64_t vrtc_seconds(const struct vrtc *rtc, uint64_t now_ns)
{
	int64_t s = (int64_t)(rtc->wall_base + now_ns / NS_PER_SEC) + rtc->offset;
	return s < 0 ? 0 : (uint64_t)s;
}

static bool binary(const struct vrtc *rtc)
{
	return rtc->cmos[R_B] & B_DM;
}

static uint8_t enc(const struct vrtc *rtc, unsigned v)
{
	v %= 100;
	return (uint8_t)(binary(rtc) ? v : (v / 10) << 4 | (v % 10));
}

static unsigned dec(const struct vrtc *rtc, uint8_t v)
{
	return binary(rtc) ? v : (v >> 4) * 10u + (v & 0x0F);
}

static uint8_t enc_hour(const struct vrtc *rtc, unsigned h)
{
	if (rtc->cmos[R_B] & B_24H)
		return enc(rtc, h);
	unsigned h12 = h % 12 ? h % 12 : 12;
	return (uint8_t)(enc(rtc, h12) | (h >= 12 ? 0x80 : 0));
}

static unsigned dec_hour(const struct vrtc *rtc, uint8_t v)
{
	if (rtc->cmos[R_B] & B_24H)
		return dec(rtc, v);
	unsigned h = dec(rtc, v & 0x7F) % 12;
	return (v & 0x80) ? h + 12 : h;
}

/* The encoded value of time register reg (0-9 or the century) at seconds s. */
static uint8_t time_reg(const struct vrtc *rtc, unsigned reg, uint64_t s)
{
	struct civil_time t;
	civil_from_seconds(s, &t);
	switch (reg) {
	case R_SEC: return enc(rtc, t.sec);
	case R_MIN: return enc(rtc, t.min);
	case R_HOUR: return enc_hour(rtc, t.hour);
	case R_WDAY: return enc(rtc, t.wday + 1);
	case R_MDAY: return enc(rtc, t.mday);
	case R_MON: return enc(rtc, t.mon);
	case R_YEAR: return enc(rtc, t.year % 100);
	case R_CENTURY: return enc(rtc, t.year / 100);
	default: return rtc->cmos[reg];
	}
}

static bool is_time_reg(unsigned reg)
{
	return reg == R_SEC || reg == R_MIN || reg == R_HOUR || reg == R_WDAY ||
	       reg == R_MDAY || reg == R_MON || reg == R_YEAR || reg == R_CENTURY;
}

/* Freeze the current time into the registers the guest may now rewrite. */
static void snapshot(struct vrtc *rtc, uint64_t now)
{
	uint64_t s = vrtc_seconds(rtc, now);
	for (unsigned r = 0; r < ARRAY_SIZE(rtc->set_regs); r++)
		rtc->set_regs[r] = time_reg(rtc, r, s);
	rtc->cmos[R_CENTURY] = time_reg(rtc, R_CENTURY, s);
}

/* The guest's new date and time, in the registers, becomes the clock. */
static void commit(struct vrtc *rtc, uint64_t now)
{
	unsigned cent = dec(rtc, rtc->cmos[R_CENTURY]);
	unsigned yy = dec(rtc, rtc->set_regs[R_YEAR]) % 100;
	if (cent < 19 || cent > 99)
		cent = yy < 70 ? 20 : 19;
	unsigned mon = dec(rtc, rtc->set_regs[R_MON]), mday = dec(rtc, rtc->set_regs[R_MDAY]);
	unsigned hour = dec_hour(rtc, rtc->set_regs[R_HOUR]) % 24;
	unsigned min = dec(rtc, rtc->set_regs[R_MIN]) % 60;
	unsigned sec = dec(rtc, rtc->set_regs[R_SEC]) % 60;
	if (mon < 1 || mon > 12)
		mon = 1;
	if (mday < 1 || mday > 31)
		mday = 1;
	struct civil_time t = { cent * 100 + yy, mon, mday, hour, min, sec, 0 };
	uint64_t cur = rtc->wall_base + now / NS_PER_SEC;
	rtc->offset = civil_to_seconds(&t) - (int64_t)cur;
}

void vrtc_init(struct vrtc *rtc, uint64_t wall_clock_base, uint64_t now_ns)
{
	memset(rtc, 0, sizeof(*rtc));
	rtc->wall_base = wall_clock_base;
	rtc->last_ns = now_ns;
	rtc->cmos[R_A] = 0x26;	/* 32.768 kHz divider, 1024 Hz periodic rate */
	rtc->cmos[R_B] = B_24H;	/* BCD, 24-hour */
	rtc->cmos[R_D] = 0x80;	/* valid RAM and time */
	rtc->offset = 0;
}

void vrtc_set_memory(struct vrtc *rtc, uint64_t below_4g, uint64_t above_4g)
{
	uint64_t v = MIN(below_4g / 1024, 640);
	rtc->cmos[0x15] = (uint8_t)v;
	rtc->cmos[0x16] = (uint8_t)(v >> 8);
	v = below_4g > MiB(1) ? (below_4g - MiB(1)) / 1024 : 0;
	v = MIN(v, 0xFFFF);
	rtc->cmos[0x17] = rtc->cmos[0x30] = (uint8_t)v;
	rtc->cmos[0x18] = rtc->cmos[0x31] = (uint8_t)(v >> 8);
	v = below_4g > MiB(16) ? (below_4g - MiB(16)) / KiB(64) : 0;
	v = MIN(v, 0xFFFF);
	rtc->cmos[0x34] = (uint8_t)v;
	rtc->cmos[0x35] = (uint8_t)(v >> 8);
	v = MIN(above_4g / KiB(64), 0xFFFFFF);
	rtc->cmos[0x5B] = (uint8_t)v;
	rtc->cmos[0x5C] = (uint8_t)(v >> 8);
	rtc->cmos[0x5D] = (uint8_t)(v >> 16);
}

static uint64_t ticks32k(uint64_t ns)
{
	return (ns / NS_PER_SEC) * 32768 + (ns % NS_PER_SEC) * 32768 / NS_PER_SEC;
}

static uint64_t ticks32k_to_ns(uint64_t t)
{
	return (t / 32768) * NS_PER_SEC + ((t % 32768) * NS_PER_SEC + 32767) / 32768;
}

/* Periodic interrupt period in 32.768 kHz ticks, 0 when off. */
static uint64_t periodic_ticks(const struct vrtc *rtc)
{
	unsigned r = rtc->cmos[R_A] & 0x0F;
	if (!r)
		return 0;
	if (r < 3)
		r += 7; /* rates 1 and 2 are 256 Hz and 128 Hz */
	return 1ull << (r - 1);
}

static bool alarm_matches(const struct vrtc *rtc, uint64_t s)
{
	static const uint8_t pairs[3][2] = {{R_ASEC, R_SEC}, {R_AMIN, R_MIN}, {R_AHOUR, R_HOUR}};
	for (unsigned i = 0; i < 3; i++) {
		uint8_t a = rtc->cmos[pairs[i][0]];
		if ((a & 0xC0) == 0xC0)
			continue; /* don't care */
		if (a != time_reg(rtc, pairs[i][1], s))
			return false;
	}
	return true;
}

static void update_irqf(struct vrtc *rtc)
{
	uint8_t b = rtc->cmos[R_B], f = rtc->irq_flags;
	if (((f & C_PF) && (b & B_PIE)) || ((f & C_AF) && (b & B_AIE)) ||
	    ((f & C_UF) && (b & B_UIE)))
		rtc->irq_flags |= C_IRQF;
}

void vrtc_advance(struct vrtc *rtc, uint64_t now_ns)
{
	if (now_ns <= rtc->last_ns)
		return;
	uint64_t per = periodic_ticks(rtc);
	if (per && ticks32k(now_ns) / per > ticks32k(rtc->last_ns) / per)
		rtc->irq_flags |= C_PF;
	/* The update cycle: once a second, unless SET holds it. Only the last
	 * second crossed is checked against the alarm. */
	if (now_ns / NS_PER_SEC > rtc->last_ns / NS_PER_SEC && !(rtc->cmos[R_B] & B_SET)) {
		rtc->irq_flags |= C_UF;
		if (alarm_matches(rtc, vrtc_seconds(rtc, now_ns)))
			rtc->irq_flags |= C_AF;
	}
	rtc->last_ns = now_ns;
	update_irqf(rtc);
}

bool vrtc_irq_level(const struct vrtc *rtc)
{
	return rtc->irq_flags & C_IRQF;
}

uint64_t vrtc_next_event(const struct vrtc *rtc, uint64_t now_ns)
{
	if (rtc->irq_flags & C_IRQF)
		return UINT64_MAX; /* IRQ8 is up until the guest reads C */
	uint8_t b = rtc->cmos[R_B];
	uint64_t next = UINT64_MAX, per = periodic_ticks(rtc);
	if ((b & B_PIE) && per)
		next = ticks32k_to_ns((ticks32k(now_ns) / per + 1) * per);
	if ((b & (B_UIE | B_AIE)) && !(b & B_SET))
		next = MIN(next, (now_ns / NS_PER_SEC + 1) * NS_PER_SEC);
	return next;
}

static uint8_t read_data(struct vrtc *rtc, uint64_t now)
{
	unsigned reg = rtc->index;
	bool set = rtc->cmos[R_B] & B_SET;
	uint8_t v;
	if (is_time_reg(reg)) {
		if (set)
			return reg == R_CENTURY ? rtc->cmos[R_CENTURY] : rtc->set_regs[reg];
		return time_reg(rtc, reg, vrtc_seconds(rtc, now));
	}
	switch (reg) {
	case R_A:
		v = rtc->cmos[R_A] & 0x7F;
		if (!set && now % NS_PER_SEC >= NS_PER_SEC - UIP_NS)
			v |= A_UIP;
		return v;
	case R_C:
		vrtc_advance(rtc, now);
		v = rtc->irq_flags;
		rtc->irq_flags = 0;
		return v;
	default:
		return rtc->cmos[reg];
	}
}

static void write_data(struct vrtc *rtc, uint64_t now, uint8_t v)
{
	unsigned reg = rtc->index;
	bool set = rtc->cmos[R_B] & B_SET;
	if (is_time_reg(reg)) {
		if (!set)
			snapshot(rtc, now);
		if (reg == R_CENTURY)
			rtc->cmos[R_CENTURY] = v;
		else
			rtc->set_regs[reg] = v;
		if (!set)
			commit(rtc, now);
		return;
	}
	switch (reg) {
	case R_A:
		vrtc_advance(rtc, now);
		rtc->cmos[R_A] = v & 0x7F; /* UIP is read-only */
		break;
	case R_B:
		vrtc_advance(rtc, now);
		if ((v & B_SET) && !set) {
			snapshot(rtc, now);
		} else if (!(v & B_SET) && set) {
			/* The registers were encoded in the old format. */
			commit(rtc, now);
		}
		if (v & B_SET)
			v &= (uint8_t)~B_UIE; /* SET clears UIE */
		rtc->cmos[R_B] = v;
		update_irqf(rtc);
		break;
	case R_C:
	case R_D: /* read-only */
		break;
	default: /* alarm registers, CMOS memory */
		rtc->cmos[reg] = v;
		break;
	}
}

bool vrtc_io(struct vrtc *rtc, uint64_t now_ns, uint16_t port, bool in, uint8_t *val)
{
	switch (port) {
	case 0x70:
		if (in)
			*val = 0xFF; /* the index register is write-only */
		else
			rtc->index = *val & 0x7F; /* bit 7 masks NMI: ignored */
		return true;
	case 0x71:
		if (in)
			*val = read_data(rtc, now_ns);
		else
			write_data(rtc, now_ns, *val);
		return true;
	default:
		return false;
	}
}

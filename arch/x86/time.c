/*
 * Calibrating the TSC and the LAPIC timer against the PIT (channel 2,
 * polled), and the TSC clock built on it. The TSC frequency CPUID reports
 * (leaf 0x15, or 0x16's base frequency) is preferred when it agrees with the
 * measurement: emulators report a nominal frequency their TSC need not run at.
 */
#define LOG_TAG "time"
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/time.h>
#include <plinth/x86/cpu.h>
#include <plinth/x86/lapic.h>
#include <plinth/x86/pic.h>

#define CALIBRATION_PIT_TICKS (PIT_HZ / 100) /* 10 ms */
#define CALIBRATION_RUNS 3
#define PIT_POLL_LIMIT 200000000u /* reads of port 0x61 before giving up */
#define CPUID_AGREEMENT_PERCENT 10
/* Used only if the PIT never counts: a guess, loudly reported. */
#define FALLBACK_TSC_HZ 1000000000u
#define FALLBACK_LAPIC_HZ 62500000u

/* Until time_init (or without it), the fallback: time still moves, roughly. */
static uint64_t tsc_base;
static uint64_t tsc_hz = FALLBACK_TSC_HZ;
static uint64_t ns_per_tsc_32 = (1000000000ULL << 32) / FALLBACK_TSC_HZ; /* 32.32 fixed point */
static uint64_t tsc_per_ns_32 = ((uint64_t)FALLBACK_TSC_HZ << 32) / 1000000000ULL;

static void set_tsc_hz(uint64_t hz)
{
	tsc_hz = hz;
	ns_per_tsc_32 = (1000000000ULL << 32) / hz;
	/* (hz << 32) / 10^9 without a 128-bit division (the kernel has no libgcc). */
	tsc_per_ns_32 = ((hz / 1000000000ULL) << 32) + ((hz % 1000000000ULL) << 32) / 1000000000ULL;
}

uint64_t time_ns_to_tsc(uint64_t ns)
{
	return (uint64_t)(((unsigned __int128)ns * tsc_per_ns_32) >> 32);
}

uint64_t time_tsc_hz(void)
{
	return tsc_hz;
}

uint64_t time_now_ns(void)
{
	uint64_t delta = rdtsc() - tsc_base;

	return (uint64_t)(((unsigned __int128)delta * ns_per_tsc_32) >> 32);
}

void time_delay_us(uint64_t us)
{
	uint64_t end = time_now_ns() + us * 1000;

	while (time_now_ns() < end)
		cpu_relax();
}

/* One PIT interval: TSC and LAPIC timer ticks per second. */
static bool measure_once(uint64_t *tsc, uint64_t *lapic)
{
	lapic_timer_start_raw(0xFFFFFFFFu);
	pit_ch2_start(CALIBRATION_PIT_TICKS);
	uint64_t t0 = rdtsc();
	uint32_t l0 = lapic_timer_current();

	for (uint32_t n = 0; !pit_ch2_expired(); n++)
		if (n > PIT_POLL_LIMIT)
			return false;
	uint64_t t1 = rdtsc();
	uint32_t l1 = lapic_timer_current();

	lapic_timer_start_raw(0);
	*tsc = (t1 - t0) * PIT_HZ / CALIBRATION_PIT_TICKS;
	*lapic = (uint64_t)(l0 - l1) * PIT_HZ / CALIBRATION_PIT_TICKS;
	return true;
}

static uint64_t median3(uint64_t a, uint64_t b, uint64_t c)
{
	if ((a <= b && b <= c) || (c <= b && b <= a))
		return b;
	if ((b <= a && a <= c) || (c <= a && a <= b))
		return a;
	return c;
}

/* The TSC frequency CPUID states, 0 if none. */
static uint64_t cpuid_tsc_hz(void)
{
	uint32_t max = cpuid(0, 0).eax;

	if (max >= 0x15) {
		struct cpuid_regs r = cpuid(0x15, 0);
		if (r.eax && r.ebx && r.ecx)
			return (uint64_t)r.ecx * r.ebx / r.eax;
	}
	if (max >= 0x16) {
		uint32_t mhz = cpuid(0x16, 0).eax & 0xFFFF;
		if (mhz)
			return (uint64_t)mhz * 1000000u;
	}
	return 0;
}

static bool agrees(uint64_t a, uint64_t b)
{
	uint64_t diff = a > b ? a - b : b - a;

	return diff * 100 <= b * CPUID_AGREEMENT_PERCENT;
}

int time_init(void)
{
	uint64_t tsc[CALIBRATION_RUNS], lapic[CALIBRATION_RUNS];

	_Static_assert(CALIBRATION_RUNS == 3, "median3 takes three");
	for (unsigned i = 0; i < CALIBRATION_RUNS; i++) {
		if (!measure_once(&tsc[i], &lapic[i])) {
			set_tsc_hz(FALLBACK_TSC_HZ);
			lapic_timer_set_hz(FALLBACK_LAPIC_HZ);
			tsc_base = rdtsc();
			log_error("the PIT (channel 2) does not count: cannot calibrate; "
				  "guessing TSC %u MHz, LAPIC timer %u MHz",
				  FALLBACK_TSC_HZ / 1000000u, FALLBACK_LAPIC_HZ / 1000000u);
			return -E_NOTSUP;
		}
	}
	uint64_t measured = median3(tsc[0], tsc[1], tsc[2]);
	uint64_t stated = cpuid_tsc_hz();
	const char *source = "PIT-calibrated";

	if (stated && agrees(stated, measured)) {
		set_tsc_hz(stated);
		source = "CPUID, PIT agrees";
	} else {
		if (stated)
			log_warn("CPUID says the TSC runs at %llu kHz, the PIT measures %llu kHz: using the PIT's",
				 (unsigned long long)(stated / 1000), (unsigned long long)(measured / 1000));
		set_tsc_hz(measured);
	}
	lapic_timer_set_hz(median3(lapic[0], lapic[1], lapic[2]));
	tsc_base = rdtsc();
	log_info("TSC %llu kHz (%s), LAPIC timer %llu kHz", (unsigned long long)(tsc_hz / 1000),
		 source, (unsigned long long)(lapic_timer_hz() / 1000));
	return 0;
}

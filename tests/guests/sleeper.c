/*
 * sleeper: an I/O-bound guest for the scheduler. SLEEPS times it arms
 * HC_SET_TIMER SLEEP_NS ahead and halts; the timer's interrupt wakes it, it
 * measures how late it woke (HC_CLOCK minus the deadline), works briefly and
 * sleeps again. Beside CPU-bound guests, a vCPU that sleeps most of the time
 * is under its share when it wakes, so the scheduler must run it promptly
 * (BOOST): the report gives the worst and the average lateness.
 */
#include "guest.h"

#define US 1000ull
#define MS 1000000ull
#define SLEEPS 50
#define SLEEP_NS (5 * MS)
#define WORK_ITERATIONS 2000
#define TIMER_VECTOR 0x41

static uint64_t work(uint64_t x)
{
	for (unsigned i = 0; i < WORK_ITERATIONS; i++)
		x = mix64(x);
	return x;
}

void guest_main(void)
{
	volatile unsigned *count = &rt_irq_count[TIMER_VECTOR];
	uint64_t late_max = 0, late_total = 0, x = 1;
	unsigned woken = 0, early = 0;
	long r = 0;

	for (unsigned i = 0; i < SLEEPS; i++) {
		unsigned before = *count;
		uint64_t deadline = hc_clock() + SLEEP_NS;

		cli();
		r |= hc_set_timer(deadline, TIMER_VECTOR);
		/* STI's shadow covers HLT: the interrupt cannot slip in between. */
		while (*count == before)
			asm volatile("sti\n\thlt\n\tcli" ::: "memory");
		sti();
		uint64_t now = hc_clock();
		if (now < deadline) {
			early++;
			continue;
		}
		woken++;
		late_total += now - deadline;
		late_max = MAX(late_max, now - deadline);
		x = work(x);
	}
	check(r == 0 && woken == SLEEPS && early == 0, "sleep-wakes",
	      "%u of %u timer wake-ups, %u early, HC_SET_TIMER results %ld", woken, SLEEPS, early, r);
	say("wake latency max=%lluus avg=%lluus (checksum %#llx)",
	    (unsigned long long)(late_max / US),
	    (unsigned long long)(woken ? late_total / woken / US : 0), (unsigned long long)x);
	check(hc_set_timer(1, 5) == -E_INVAL, "sleep-bad-vector", "HC_SET_TIMER with vector 5 is refused");
}

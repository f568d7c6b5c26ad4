/*
 * Frame-pointer backtrace (the kernel is built with -fno-omit-frame-pointer)
 * and symbol lookup in the table tools/gensyms.py generates at link time.
 */
#define LOG_TAG "panic"
#include <plinth/log.h>
#include <plinth/panic_dump.h>
#include <plinth/percpu.h>
#include <plinth/x86/cpu.h>
#include <plinth/x86/layout.h>

#define BACKTRACE_MAX_FRAMES 32

extern const uint64_t ksym_count;
extern const uint64_t ksym_addrs[];
extern const uint32_t ksym_name_offsets[];
extern const char ksym_names[];

const char *ksym_lookup(uint64_t addr, uint64_t *offset)
{
	uint64_t lo = 0, hi = ksym_count;

	if (addr < (uint64_t)_text_start || addr >= (uint64_t)_text_end || ksym_count == 0 ||
	    addr < ksym_addrs[0])
		return NULL;
	/* the last symbol whose address is <= addr */
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (ksym_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - ksym_addrs[lo];
	return ksym_names + ksym_name_offsets[lo];
}

/* Saved frames live on one of the hypervisor's stacks; anything else ends the walk. */
static bool frame_pointer_ok(uint64_t rbp)
{
	return (rbp & 7) == 0 && percpu_on_own_stacks(rbp, 16);
}

void backtrace_print(uint64_t rip, uint64_t rbp)
{
	uint64_t off;
	const char *name;

	log_printf(LOG_PANIC, LOG_TAG, "backtrace:");
	for (unsigned depth = 0; depth < BACKTRACE_MAX_FRAMES; depth++) {
		name = ksym_lookup(rip, &off);
		if (name)
			log_printf(LOG_PANIC, LOG_TAG, "  #%-2u 0x%016lx %s+0x%lx", depth,
				   (unsigned long)rip, name, (unsigned long)off);
		else
			log_printf(LOG_PANIC, LOG_TAG, "  #%-2u 0x%016lx ?", depth, (unsigned long)rip);
		if (!frame_pointer_ok(rbp))
			return;
		uint64_t next_rbp;
		/* A corrupt chain must not fault inside the panic dump. */
		if (read_u64_safe(rbp, &next_rbp) || read_u64_safe(rbp + 8, &rip))
			return;
		if (rip == 0 || (next_rbp != 0 && next_rbp <= rbp))
			return;
		rbp = next_rbp;
	}
}

/*
 * Port I/O: devices on the I/O bus, otherwise an empty bus (reads all-ones,
 * writes dropped), logged with a per-guest budget so a guest that probes
 * ports cannot flood the log. String forms (INS/OUTS, with REP) are emulated
 * element by element through guest memory.
 */
#define LOG_TAG "io"
#include <plinth/backend.h>
#include <plinth/exit.h>
#include <plinth/io_bus.h>
#include <plinth/log.h>
#include <plinth/x86/descriptors.h>

#define RFLAGS_DF (1ULL << 10)

static uint32_t size_mask(uint8_t size)
{
	return size == 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;
}

static uint32_t port_access(struct vcpu *v, uint16_t port, uint8_t size, bool in, uint32_t value)
{
	struct guest *g = v->guest;

	if (io_bus_access(g, port, size, in, &value))
		return value & size_mask(size);
	if (g->io_log_budget) {
		g->io_log_budget--;
		log_info("%s: %s unclaimed port %#x (%u byte%s)%s", g->name, in ? "read from" : "write to",
			 port, size, size == 1 ? "" : "s",
			 g->io_log_budget ? "" : "; further unclaimed-port messages suppressed");
	}
	return in ? size_mask(size) : 0;
}

static void merge_into_rax(struct vcpu *v, uint8_t size, uint32_t value)
{
	if (size == 4)
		v->regs.rax = value; /* a 32-bit write zero-extends */
	else
		v->regs.rax = (v->regs.rax & ~(uint64_t)size_mask(size)) | value;
}

/*
 * INS/OUTS: linear addresses are taken as guest-physical through the guest's
 * paging (vcpu_linear_to_gpa); only flat ES/DS bases are supported, which is
 * what protected- and long-mode guests use.
 */
static bool string_io(struct vcpu *v, const struct vm_exit *e)
{
	uint64_t count = e->io.rep ? v->regs.rcx : 1;
	int64_t step = (v->regs.rflags & RFLAGS_DF) ? -(int64_t)e->io.size : e->io.size;
	uint64_t *index = e->io.in ? &v->regs.rdi : &v->regs.rsi;

	for (; count; count--) {
		uint64_t gpa;
		uint32_t value = 0;
		if (vcpu_linear_to_gpa(v, *index, e->io.in, &gpa) != 0)
			return false; /* #PF injected */
		if (e->io.in) {
			value = port_access(v, e->io.port, e->io.size, true, 0);
			if (guest_write(v->guest, gpa, &value, e->io.size) != 0)
				value = 0; /* outside RAM: dropped, as for any stray write */
		} else {
			if (guest_read(v->guest, gpa, &value, e->io.size) != 0)
				value = size_mask(e->io.size);
			port_access(v, e->io.port, e->io.size, false, value);
		}
		*index += (uint64_t)step;
		if (e->io.rep)
			v->regs.rcx--;
	}
	return true;
}

void handle_io(struct vcpu *v, const struct vm_exit *e)
{
	if (e->io.string) {
		if (!string_io(v, e))
			return;
	} else if (e->io.in) {
		merge_into_rax(v, e->io.size, port_access(v, e->io.port, e->io.size, true, 0));
	} else {
		port_access(v, e->io.port, e->io.size, false, (uint32_t)v->regs.rax & size_mask(e->io.size));
	}
	vcpu_skip_insn(v, e);
}

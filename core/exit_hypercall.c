/* The hypercalls of docs/hypercalls.md. Unknown numbers return -E_NOSYS. */
#define LOG_TAG "hypercall"
#include <plinth/errno.h>
#include <plinth/exit.h>
#include <plinth/hypercall.h>
#include <plinth/log.h>
#include <plinth/time.h>
#include <plinth/vcpu_loop.h>

static int64_t hc_console_write(struct vcpu *v, uint64_t gpa, uint64_t len)
{
	char buf[256];

	if (len > HC_CONSOLE_MAX)
		return -E_INVAL;
	/* Check first: a call that fails must not have printed half its text. */
	if (!guest_range_is_ram(v->guest, gpa, len))
		return -E_FAULT;
	for (uint64_t done = 0; done < len;) {
		size_t chunk = (size_t)MIN(len - done, sizeof(buf));
		if (guest_read(v->guest, gpa + done, buf, chunk) != 0)
			return -E_FAULT;
		guest_console_write(v->guest, buf, chunk);
		done += chunk;
	}
	return (int64_t)len;
}

static int64_t hc_raise_irq(struct vcpu *v, uint64_t vector)
{
	if (vector < 32 || vector > 255)
		return -E_INVAL;
	v->guest->pending_irq_vector = vector;
	return 0;
}

static int64_t hc_set_timer(struct vcpu *v, uint64_t deadline, uint64_t vector)
{
	if (deadline && (vector < 32 || vector > 255))
		return -E_INVAL;
	vcpu_set_timer(v, deadline, (uint8_t)vector);
	return 0;
}

void handle_hypercall(struct vcpu *v, const struct vm_exit *e)
{
	struct vcpu_regs *r = &v->regs;
	int64_t result;

	if (!vcpu_skip_insn(v, e))
		return;
	switch (r->rax) {
	case HC_CONSOLE_WRITE:
		result = hc_console_write(v, r->rdi, r->rsi);
		break;
	case HC_GUEST_ID:
		result = v->guest->id;
		break;
	case HC_YIELD:
		v->yield = true;
		result = 0;
		break;
	case HC_EXIT:
		guest_stop(v->guest, (int)r->rdi, "exited with code %d", (int)r->rdi);
		return;
	case HC_RAISE_IRQ:
		result = hc_raise_irq(v, r->rdi);
		break;
	case HC_CLOCK:
		result = (int64_t)time_now_ns();
		break;
	case HC_SET_TIMER:
		result = hc_set_timer(v, r->rdi, r->rsi);
		break;
	default:
		result = -E_NOSYS;
		break;
	}
	r->rax = (uint64_t)result;
}

/*
 * Vendor-neutral VM-exit handling (core/exit*.c). core/vcpu_loop.c calls
 * exit_dispatch() after every exit; each handler advances the guest's RIP
 * itself, and only when the instruction completed.
 */
#ifndef PLINTH_EXIT_H
#define PLINTH_EXIT_H

#include <plinth/guest.h>
#include <plinth/vm_exit.h>

void exit_dispatch(struct vcpu *v, const struct vm_exit *e);

/* Handlers, one per enum vm_exit_reason (core/exit_*.c). */
void handle_cpuid(struct vcpu *v, const struct vm_exit *e);
void handle_io(struct vcpu *v, const struct vm_exit *e);
void handle_msr_read(struct vcpu *v, const struct vm_exit *e);
void handle_msr_write(struct vcpu *v, const struct vm_exit *e);
void handle_hypercall(struct vcpu *v, const struct vm_exit *e);
void handle_stage2_fault(struct vcpu *v, const struct vm_exit *e);
void handle_hlt(struct vcpu *v, const struct vm_exit *e);
void handle_exception(struct vcpu *v, const struct vm_exit *e);
void handle_virt_insn(struct vcpu *v, const struct vm_exit *e);
void handle_shutdown(struct vcpu *v, const struct vm_exit *e);
void handle_invalid_state(struct vcpu *v, const struct vm_exit *e);
void handle_unknown(struct vcpu *v, const struct vm_exit *e);
void handle_extint(struct vcpu *v, const struct vm_exit *e);
void handle_nothing(struct vcpu *v, const struct vm_exit *e);

/*
 * Move RIP past the instruction that exited: the backend's next_rip when it
 * has one, else the decoder's length. On failure the guest is stopped
 * (returns false).
 */
bool vcpu_skip_insn(struct vcpu *v, const struct vm_exit *e);
/*
 * Translate a linear address through the guest's paging for an access
 * (write or read). On a guest page fault, injects #PF and returns -E_FAULT.
 */
int vcpu_linear_to_gpa(struct vcpu *v, uint64_t linear, bool write, uint64_t *gpa);
struct x86_insn;
/* Fetch and decode the instruction at the guest's RIP: 0, -E_FAULT (#PF injected), -E_NOTSUP. */
int vcpu_decode_insn(struct vcpu *v, struct x86_insn *out);
/* Inject a hardware exception (#GP(0), #UD...) into the vCPU. */
void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error_code, uint32_t error_code);
/* The guest's register dump, for crash reports. */
void vcpu_log_state(struct vcpu *v);
/* Guest console bytes (hypercall): buffered into lines prefixed with the guest's name. */
void guest_console_write(struct guest *g, const char *s, size_t n);

#endif

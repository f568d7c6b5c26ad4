/* Running vCPUs on this CPU (core/vcpu_loop.c). */
#ifndef PLINTH_VCPU_LOOP_H
#define PLINTH_VCPU_LOOP_H

#include <plinth/vcpu.h>

/* Run every guest until all have stopped. */
void vcpu_loop_run_all(void);
/* Reset FPU/SSE state for a new vCPU (FXSAVE image). */
void vcpu_fpu_init(struct vcpu *v);

#endif

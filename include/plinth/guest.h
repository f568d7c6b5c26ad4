/*
 * A guest: its memory, its stage-2 tables and its vCPUs. Guests are described
 * by a plain `struct guest_desc`, which core/config_boot.c fills from the
 * configuration file.
 */
#ifndef PLINTH_GUEST_H
#define PLINTH_GUEST_H

#include <plinth/byte_ring.h>
#include <plinth/image.h>
#include <plinth/pagetable.h>
#include <plinth/sched.h>
#include <plinth/spinlock.h>
#include <plinth/vplatform.h>
#include <plinth/vcpu.h>

#define GUEST_NAME_MAX 32
#define GUEST_MAX_VCPUS 4
#define GUEST_MAX 16
#define GUEST_START_MAGIC 0x504C4E54u /* "PLNT" in EAX at start (docs/guests.md) */
#define GUEST_IO_LOG_BUDGET 16        /* unclaimed-port messages per guest */

/* What happens when a guest crashes or asks for a reboot (config on_crash). */
enum guest_on_crash {
	GUEST_ON_CRASH_DESTROY,  /* stop it and return its memory at once (scrubbed) */
	GUEST_ON_CRASH_RESTART,  /* start it again from its image, fresh memory */
	GUEST_ON_CRASH_PRESERVE, /* stop it and keep its memory for inspection */
};

#define GUEST_RESTART_LIMIT 3          /* crashes in a row that are restarted */
#define GUEST_RESTART_CALM_NS 60000000000ull /* a run this long resets the count */
#define GUEST_CMDLINE_MAX 256

struct guest_desc {
	char name[GUEST_NAME_MAX];
	uint64_t memory;              /* bytes, a multiple of 4 KiB */
	unsigned vcpus;
	const void *image;            /* the kernel image (a boot module), loaded per `format` */
	size_t image_size;
	enum image_format format;     /* IMAGE_AUTO detects it (docs/images.md) */
	enum vcpu_start_mode start_mode; /* for flat images: prot32 or real */
	const char *cmdline;          /* for multiboot and Linux kernels; may be NULL */
	const void *initrd;           /* Linux: the initrd (a boot module); NULL = none */
	size_t initrd_size;
	unsigned weight;              /* credit scheduler share (docs/scheduler.md) */
	unsigned cap;                 /* percent of one pCPU for all its vCPUs; 0 = none */
	uint64_t affinity;            /* pCPUs its vCPUs may run on (bit n = pCPU n) */
	enum guest_on_crash on_crash;
	char serial[8];               /* its console: "console" (the log), "com1".."com4", "none" */
};

enum guest_state {
	GUEST_RUNNING,
	GUEST_STOPPED,
};

/* A block of host memory backing guest RAM (naturally aligned, 2^order pages). */
struct guest_ram_block {
	uint64_t gpa;
	paddr_t hpa;
	unsigned order;
};

struct guest {
	unsigned id; /* from 1 */
	char name[GUEST_NAME_MAX];
	enum guest_state state;
	int exit_code;
	char stop_reason[128];
	uint64_t memory;
	struct pagetable stage2;
	struct guest_ram_block *ram;
	size_t ram_blocks;
	struct vcpu vcpus[GUEST_MAX_VCPUS];
	unsigned vcpu_count;
	struct sched_dom sched;       /* weight and cap; its vCPUs' scheduling */
	struct guest_desc desc;       /* how it was made: a restart makes it again */
	char cmdline[GUEST_CMDLINE_MAX]; /* desc.cmdline points here */
	bool crashed;                 /* stopped by a crash or a reboot request (on_crash applies) */
	bool destroyed;               /* memory and vCPUs already given back */
	volatile bool restarting;     /* stopped, about to be made again (still counts as alive) */
	unsigned restarts;            /* crashes restarted in a row */
	uint64_t started_ns;          /* time_now_ns when it (re)started */
	uint64_t pending_irq_vector;  /* HC_RAISE_IRQ: 0 = none */
	struct vplatform platform;    /* emulated PC devices (core/guest_platform.c) */
	spinlock_t platform_lock;
	/*
	 * Until this time (time_now_ns) no device can raise an interrupt and
	 * none is waiting, so VM entries skip the platform; 0 after any device
	 * access (core/guest_platform.c).
	 */
	uint64_t platform_quiet_until;
	unsigned io_log_budget;       /* rate limit for unclaimed-port messages */
	bool console_attached;        /* the serial console is attached: output goes out raw */
	bool paused;                  /* by the console: its vCPUs stay blocked (core/guest_control.c) */
	bool restart_asked;           /* by the console: guest_ended makes it again */
	volatile bool ending;         /* left the scheduler, guest_ended not finished yet */
	spinlock_t console_ring_lock;
	struct byte_ring console_ring; /* output kept while nobody is attached ([hypervisor] console_buffer) */
	unsigned console_len;         /* bytes in console_line */
	char console_line[160];       /* guest console output, flushed per line */
};

/* Memory guests never get, kept for the hypervisor ([hypervisor] reserve). */
void guest_set_memory_reserve(uint64_t bytes);
/* Bytes of console output each guest keeps while detached ([hypervisor] console_buffer). */
void guest_set_console_buffer(size_t bytes);
/* A guest by name, or NULL. */
struct guest *guest_by_name(const char *name);
/* Create a guest: RAM reserved and zeroed, image loaded, stage-2 built, vCPUs created. */
int guest_create(const struct guest_desc *d, struct guest **out);
/* Stop every vCPU of the guest and log why, with its exit statistics. */
void guest_stop(struct guest *g, int exit_code, const char *fmt, ...) __printf(3, 4);
/* guest_stop for a crash (triple fault, refused state, ...) or a reboot request: on_crash applies. */
void guest_crash(struct guest *g, const char *fmt, ...) __printf(2, 3);
/* Scrub and free the guest's RAM, tables and vCPUs (once; later calls do nothing). */
void guest_destroy(struct guest *g);
/* A stopped guest made again from its description: fresh RAM, image, vCPUs. 0 or -E_*. */
int guest_restart(struct guest *g);

/* Host pointer for [gpa, gpa+len) when that is guest RAM inside one block; NULL otherwise. */
void *guest_ram_ptr(struct guest *g, uint64_t gpa, size_t len);
/* Whether all of [gpa, gpa+len) is guest RAM (false if it wraps). */
bool guest_range_is_ram(struct guest *g, uint64_t gpa, uint64_t len);
/* Copy from/to guest RAM, any length and alignment: 0 or -E_FAULT. */
int guest_read(struct guest *g, uint64_t gpa, void *buf, size_t len);
int guest_write(struct guest *g, uint64_t gpa, const void *buf, size_t len);

/* Print what is buffered of the guest's console output. */
void guest_console_flush(struct guest *g);
/*
 * The management console attaches to g (NULL: detaches): g's output then
 * goes out raw and the other guests' only into their rings. Returns what
 * the ring held (replay it first): its newest bytes, up to size, copied to
 * out; *dropped counts the bytes overwritten or left out since the last attach.
 */
size_t guest_console_attach(struct guest *g, char *out, size_t size, uint64_t *dropped);
/* Log a vCPU's exit counts by reason. */
void vcpu_log_exit_stats(const struct vcpu *v);

/* All guests, by id. */
struct guest *guest_by_index(size_t i);
size_t guest_count(void);

#endif

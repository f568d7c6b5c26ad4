/*
 * Guests: RAM from the frame allocator in the largest naturally aligned blocks
 * that fit (so stage-2 can use large pages), zeroed before the guest runs and
 * again when it is torn down; stage-2 tables that map exactly that RAM and
 * nothing else (not the hypervisor, not another guest, not the tables).
 */
#define LOG_TAG "guest"
#include <plinth/backend.h>
#include <plinth/errno.h>
#include <plinth/format.h>
#include <plinth/exit.h>
#include <plinth/frame.h>
#include <plinth/guest.h>
#include <plinth/guest_platform.h>
#include <plinth/heap.h>
#include <plinth/log.h>
#include <plinth/string.h>
#include <plinth/time.h>
#include <plinth/vcpu_loop.h>
#include <plinth/x86/cpu.h>

static struct guest *guests[GUEST_MAX];
static size_t guests_created;

static size_t console_buffer_bytes = KiB(16);

struct guest *guest_by_index(size_t i)
{
	return i < guest_count() ? guests[i] : NULL;
}

size_t guest_count(void)
{
	/* The console may add a guest while other CPUs walk the list. */
	return __atomic_load_n(&guests_created, __ATOMIC_ACQUIRE);
}

struct guest *guest_by_name(const char *name)
{
	for (size_t i = 0; i < guest_count(); i++)
		if (strcmp(guests[i]->name, name) == 0)
			return guests[i];
	return NULL;
}

void guest_set_console_buffer(size_t bytes)
{
	console_buffer_bytes = bytes;
}

/* ---- stage-2 table pages: hypervisor memory, never guest-visible ---------- */

static int stage2_alloc_table(void *ctx, paddr_t *out)
{
	(void)ctx;
	int err = page_alloc(0, out);

	if (err == 0)
		memset(phys_to_virt(*out), 0, PAGE_SIZE);
	return err;
}

/* Tables are only freed when the guest's vCPUs can no longer run. */
static void stage2_free_table(void *ctx, paddr_t table)
{
	(void)ctx;
	page_free(table, 0);
}

static void *stage2_table_ptr(void *ctx, paddr_t table)
{
	(void)ctx;
	return phys_to_virt(table);
}

/* ---- RAM -------------------------------------------------------------------- */

static unsigned largest_order_at(uint64_t gpa, uint64_t remaining)
{
	static const unsigned orders[] = { FRAME_ORDER_1G, FRAME_ORDER_2M, 0 };

	for (size_t i = 0; i < ARRAY_SIZE(orders); i++) {
		uint64_t size = PAGE_SIZE << orders[i];
		if (IS_ALIGNED(gpa, size) && remaining >= size)
			return orders[i];
	}
	return 0;
}

static size_t count_blocks(uint64_t memory)
{
	size_t n = 0;

	for (uint64_t gpa = 0; gpa < memory; n++)
		gpa += PAGE_SIZE << largest_order_at(gpa, memory - gpa);
	return n;
}

static void scrub_and_free_ram(struct guest *g)
{
	for (size_t i = 0; i < g->ram_blocks; i++) {
		struct guest_ram_block *b = &g->ram[i];
		memset(phys_to_virt(b->hpa), 0, PAGE_SIZE << b->order);
		page_free(b->hpa, b->order);
	}
	g->ram_blocks = 0;
}

/* Memory guests may not take ([hypervisor] reserve): tables, heap, later guests' state. */
static uint64_t memory_reserve;

void guest_set_memory_reserve(uint64_t bytes)
{
	memory_reserve = bytes;
}

/*
 * All-or-nothing: either every block is reserved, or everything taken is
 * given back and the error says how much memory was free.
 */
static int allocate_ram(struct guest *g)
{
	size_t want = count_blocks(g->memory);
	uint64_t gpa = 0, free_bytes = frame_free_pages(host_frames()) * PAGE_SIZE;

	if (free_bytes < memory_reserve || free_bytes - memory_reserve < g->memory) {
		log_error("%s: not enough memory for %llu MiB of RAM (%llu MiB free, %llu MiB of it "
			  "kept for the hypervisor by reserve)", g->name,
			  (unsigned long long)(g->memory >> 20), (unsigned long long)(free_bytes >> 20),
			  (unsigned long long)(memory_reserve >> 20));
		return -E_NOMEM;
	}

	g->ram = kzalloc(want * sizeof(*g->ram));
	if (!g->ram)
		return -E_NOMEM;
	while (gpa < g->memory) {
		unsigned order = largest_order_at(gpa, g->memory - gpa);
		paddr_t hpa;
		/* Fall back to smaller blocks when memory is fragmented. */
		while (page_alloc(order, &hpa) != 0) {
			if (order == 0) {
				log_error("%s: not enough memory for %llu MiB of RAM (%llu MiB free)",
					  g->name, (unsigned long long)(g->memory >> 20),
					  (unsigned long long)(frame_free_pages(host_frames()) >> 8));
				scrub_and_free_ram(g);
				return -E_NOMEM;
			}
			order = order == FRAME_ORDER_1G ? FRAME_ORDER_2M : 0;
		}
		if (g->ram_blocks == want) { /* smaller blocks than planned: grow */
			struct guest_ram_block *bigger = kzalloc(2 * want * sizeof(*bigger));
			if (!bigger) {
				page_free(hpa, order);
				scrub_and_free_ram(g);
				return -E_NOMEM;
			}
			memcpy(bigger, g->ram, want * sizeof(*bigger));
			kfree(g->ram);
			g->ram = bigger;
			want *= 2;
		}
		memset(phys_to_virt(hpa), 0, PAGE_SIZE << order);
		g->ram[g->ram_blocks++] = (struct guest_ram_block){ gpa, hpa, order };
		gpa += PAGE_SIZE << order;
	}
	return 0;
}

static int map_ram(struct guest *g)
{
	for (size_t i = 0; i < g->ram_blocks; i++) {
		const struct guest_ram_block *b = &g->ram[i];
		int err = pt_map(&g->stage2, b->gpa, b->hpa, PAGE_SIZE << b->order,
				 PT_READ | PT_WRITE | PT_EXEC, PT_CACHE_WB);
		if (err)
			return err;
	}
	return 0;
}

static const struct guest_ram_block *find_block(const struct guest *g, uint64_t gpa)
{
	size_t lo = 0, hi = g->ram_blocks;

	while (lo < hi) { /* blocks are sorted by gpa and contiguous */
		size_t mid = lo + (hi - lo) / 2;
		const struct guest_ram_block *b = &g->ram[mid];
		if (gpa < b->gpa)
			hi = mid;
		else if (gpa - b->gpa >= (PAGE_SIZE << b->order))
			lo = mid + 1;
		else
			return b;
	}
	return NULL;
}

void *guest_ram_ptr(struct guest *g, uint64_t gpa, size_t len)
{
	const struct guest_ram_block *b = find_block(g, gpa);

	if (!b || len > (PAGE_SIZE << b->order) - (gpa - b->gpa))
		return NULL;
	return (uint8_t *)phys_to_virt(b->hpa) + (gpa - b->gpa);
}

bool guest_range_is_ram(struct guest *g, uint64_t gpa, uint64_t len)
{
	if (len && gpa + len - 1 < gpa)
		return false; /* wraps around the address space */
	while (len) {
		const struct guest_ram_block *b = find_block(g, gpa);
		if (!b)
			return false;
		uint64_t chunk = MIN(len, (PAGE_SIZE << b->order) - (gpa - b->gpa));
		gpa += chunk;
		len -= chunk;
	}
	return true;
}

static int guest_copy(struct guest *g, uint64_t gpa, void *buf, size_t len, bool to_guest)
{
	uint8_t *p = buf;

	while (len) {
		const struct guest_ram_block *b = find_block(g, gpa);
		if (!b)
			return -E_FAULT;
		size_t chunk = MIN(len, (size_t)((PAGE_SIZE << b->order) - (gpa - b->gpa)));
		uint8_t *host = (uint8_t *)phys_to_virt(b->hpa) + (gpa - b->gpa);
		if (to_guest)
			memcpy(host, p, chunk);
		else
			memcpy(p, host, chunk);
		p += chunk;
		gpa += chunk;
		len -= chunk;
	}
	return 0;
}

int guest_read(struct guest *g, uint64_t gpa, void *buf, size_t len)
{
	return guest_copy(g, gpa, buf, len, false);
}

int guest_write(struct guest *g, uint64_t gpa, const void *buf, size_t len)
{
	return guest_copy(g, gpa, (void *)(uintptr_t)buf, len, true);
}

/* ---- lifecycle -------------------------------------------------------------- */

static int check_desc(const struct guest_desc *d)
{
	if (!d->name[0] || d->memory == 0 || !IS_ALIGNED(d->memory, PAGE_SIZE)) {
		log_error("%s: memory must be a non-zero multiple of 4 KiB", d->name);
		return -E_INVAL;
	}
	if (d->vcpus == 0 || d->vcpus > GUEST_MAX_VCPUS) {
		log_error("%s: vcpus=%u (1..%u)", d->name, d->vcpus, GUEST_MAX_VCPUS);
		return -E_INVAL;
	}
	if (guests_created == GUEST_MAX) {
		log_error("%s: at most %u guests", d->name, GUEST_MAX);
		return -E_NOSPC;
	}
	return 0;
}

static void set_start_registers(struct vcpu *v, const struct image_plan *plan, uint64_t ebx)
{
	memset(&v->regs, 0, sizeof(v->regs));
	v->regs.rax = plan->start_eax;
	v->regs.rbx = ebx;
	v->regs.rflags = 0x2;
	v->regs.rip = plan->start_mode == VCPU_START_REAL ? 0 : plan->entry;
	if (plan->linux_boot) /* 32-bit boot protocol: ESI = the zero page, EBX = EBP = EDI = 0 */
		v->regs.rsi = plan->zero_page_gpa;
}

/* The Linux zero page, command line and initrd (after the kernel's segments). */
static int load_linux_extras(struct guest *g, const struct guest_desc *d, const struct image_plan *plan)
{
	static uint8_t zero_page[PAGE_SIZE];
	const char *cmdline = d->cmdline ? d->cmdline : "";
	int err = image_build_linux_params(d->name, plan, d->image, d->image_size, g->memory, cmdline,
					   zero_page);

	if (!err)
		err = guest_write(g, plan->zero_page_gpa, zero_page, sizeof(zero_page));
	if (!err)
		err = guest_write(g, plan->cmdline_gpa, cmdline, strlen(cmdline) + 1);
	if (!err && plan->initrd_size)
		err = guest_write(g, plan->initrd_gpa, d->initrd, plan->initrd_size);
	return err;
}

/* The image's plan, with the initrd placed for a Linux kernel; nothing reserved yet. */
static int plan_image(const struct guest_desc *d, struct image_plan *plan)
{
	int err = image_plan(d->name, d->image, d->image_size, d->format, d->memory, d->start_mode, plan);

	if (!err && plan->linux_boot)
		err = image_plan_initrd(d->name, plan, d->memory, d->initrd_size);
	else if (!err && d->initrd_size)
		log_warn("%s: initrd ignored: only Linux kernels take one", d->name);
	return err;
}

/* Copy the planned segments (RAM is already zero, so bss needs nothing). */
static int load_image(struct guest *g, const struct guest_desc *d, const struct image_plan *plan,
		      uint64_t *ebx)
{
	static uint8_t info[PAGE_SIZE];
	const uint8_t *bytes = d->image;

	for (size_t i = 0; i < plan->segments; i++) {
		const struct image_segment *s = &plan->seg[i];
		int err = guest_write(g, s->gpa, bytes + s->file_offset, s->file_size);
		if (err)
			return err;
	}
	*ebx = g->memory >> 10;
	if (plan->linux_boot) {
		*ebx = 0;
		return load_linux_extras(g, d, plan);
	}
	if (!plan->multiboot)
		return 0;
	uint64_t info_gpa;
	size_t info_len;
	int err = image_build_multiboot_info(plan, g->memory, d->cmdline ? d->cmdline : "", info,
					     sizeof(info), &info_gpa, &info_len);
	if (err == 0)
		err = guest_write(g, info_gpa, info, info_len);
	*ebx = info_gpa;
	return err;
}

/*
 * Memory, stage-2 tables, image and vCPUs for g from d and its plan; on an
 * error everything taken is given back (g itself stays).
 */
static int guest_build(struct guest *g, const struct guest_desc *d, const struct image_plan *plan)
{
	const struct pt_memory mem = { stage2_alloc_table, stage2_free_table, stage2_table_ptr, NULL };
	uint64_t ebx;
	int err = allocate_ram(g);

	if (err)
		goto fail_ram;
	err = pt_init(&g->stage2, backend->stage2_format(&backend_caps), &mem);
	if (err)
		goto fail_pt;
	err = map_ram(g);
	if (err)
		goto fail_vcpus;
	err = load_image(g, d, plan, &ebx);
	if (err)
		goto fail_vcpus;
	guest_platform_init(g);
	/* The guest's TSC starts near 0, as after a reset, the same for all its vCPUs. */
	uint64_t tsc_offset = -rdtsc();
	for (unsigned i = 0; i < d->vcpus; i++) {
		struct vcpu *v = &g->vcpus[i];
		memset(v, 0, sizeof(*v));
		v->guest = g;
		v->id = i;
		set_start_registers(v, plan, ebx);
		vcpu_fpu_init(v);
		err = backend->vcpu_create(v, g->stage2.root, plan->start_mode, plan->entry);
		if (err)
			goto fail_vcpus;
		g->vcpu_count++;
		backend->creg_write(v, VCPU_TSC_OFFSET, tsc_offset);
		/* Only vCPU 0 starts; the others wait for SMP guests (later). */
		v->state = i == 0 ? VCPU_RUNNABLE : VCPU_STOPPED;
	}
	g->state = GUEST_RUNNING;
	g->crashed = false;
	g->paused = false;
	g->destroyed = false;
	g->pending_irq_vector = 0;
	g->console_len = 0;
	g->io_log_budget = GUEST_IO_LOG_BUDGET;
	g->started_ns = time_now_ns();
	log_info("%s: guest %u created: %s image, %llu MiB RAM in %zu blocks, %zu stage-2 table pages, %u vCPU(s)",
		 g->name, g->id, image_format_name(plan->format), (unsigned long long)(g->memory >> 20),
		 g->ram_blocks, g->stage2.table_pages, g->vcpu_count);
	return 0;

fail_vcpus:
	for (unsigned i = 0; i < g->vcpu_count; i++)
		backend->vcpu_destroy(&g->vcpus[i]);
	g->vcpu_count = 0;
	pt_destroy(&g->stage2);
fail_pt:
	scrub_and_free_ram(g);
fail_ram:
	kfree(g->ram);
	g->ram = NULL;
	g->destroyed = true;
	return err;
}

int guest_create(const struct guest_desc *d, struct guest **out)
{
	struct image_plan plan;
	struct guest *g;
	int err = check_desc(d);

	if (err)
		return err;
	/* Check the image against the guest before reserving anything for it. */
	err = plan_image(d, &plan);
	if (err)
		return err;
	g = kzalloc(sizeof(*g));
	if (!g)
		return -E_NOMEM;
	g->id = (unsigned)guests_created + 1;
	str_copy(g->name, d->name, sizeof(g->name));
	g->memory = d->memory;
	g->desc = *d;
	str_copy(g->cmdline, d->cmdline ? d->cmdline : "", sizeof(g->cmdline));
	g->desc.cmdline = g->cmdline;

	char *ring = console_buffer_bytes ? kmalloc(console_buffer_bytes) : NULL;
	if (console_buffer_bytes && !ring)
		log_warn("%s: no memory for its console buffer: output while detached is lost", d->name);
	byte_ring_init(&g->console_ring, ring, ring ? console_buffer_bytes : 0);

	err = guest_build(g, &g->desc, &plan);
	if (err) {
		log_error("%s: not started: %s", d->name, err_name(err));
		kfree(ring);
		kfree(g);
		return err;
	}
	guests[guests_created] = g;
	__atomic_store_n(&guests_created, guests_created + 1, __ATOMIC_RELEASE);
	*out = g;
	return 0;
}

int guest_restart(struct guest *g)
{
	struct image_plan plan;
	int err;

	guest_destroy(g);
	err = plan_image(&g->desc, &plan);
	if (!err)
		err = guest_build(g, &g->desc, &plan);
	if (err)
		log_error("%s: cannot be restarted: %s", g->name, err_name(err));
	return err;
}

static void guest_vstop(struct guest *g, int exit_code, const char *fmt, va_list ap)
{
	fmt_vsnprintf(g->stop_reason, sizeof(g->stop_reason), fmt, ap);
	g->state = GUEST_STOPPED;
	g->exit_code = exit_code;
	for (unsigned i = 0; i < g->vcpu_count; i++)
		g->vcpus[i].state = VCPU_STOPPED;
	guest_console_flush(g);
	log_info("%s stopped: %s (exit code %d)", g->name, g->stop_reason, exit_code);
	for (unsigned i = 0; i < g->vcpu_count; i++)
		vcpu_log_exit_stats(&g->vcpus[i]);
}

void guest_stop(struct guest *g, int exit_code, const char *fmt, ...)
{
	va_list ap;

	if (g->state == GUEST_STOPPED)
		return;
	va_start(ap, fmt);
	guest_vstop(g, exit_code, fmt, ap);
	va_end(ap);
}

void guest_crash(struct guest *g, const char *fmt, ...)
{
	va_list ap;

	if (g->state == GUEST_STOPPED)
		return;
	g->crashed = true;
	/*
	 * Still alive for the run's end until on_crash has been applied: another
	 * CPU must not see it stopped and not about to restart.
	 */
	if (g->desc.on_crash == GUEST_ON_CRASH_RESTART)
		__atomic_store_n(&g->restarting, true, __ATOMIC_RELEASE);
	va_start(ap, fmt);
	guest_vstop(g, -1, fmt, ap);
	va_end(ap);
}

void guest_destroy(struct guest *g)
{
	if (g->destroyed)
		return;
	g->destroyed = true;
	for (unsigned i = 0; i < g->vcpu_count; i++)
		backend->vcpu_destroy(&g->vcpus[i]);
	g->vcpu_count = 0;
	pt_destroy(&g->stage2);
	scrub_and_free_ram(g);
	kfree(g->ram);
	g->ram = NULL;
	log_info("%s: memory scrubbed and returned (%llu MiB)", g->name,
		 (unsigned long long)(g->memory >> 20));
}

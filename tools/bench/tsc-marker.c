/*
 * plinth-tsc: the Linux boot benchmark's init marker (docs/bench.md). The
 * initramfs's /init runs it first; it prints `PLINTH-LINUX-TSC <TSC>` on
 * stdout (the console). Under QEMU's -icount shift=0 the TSC counts
 * instructions, so the value is the guest's boot cost up to /init. Static,
 * no libc: built by tools/fetch-linux.sh with gcc -static -nostdlib.
 */
#define SYS_WRITE 1
#define SYS_EXIT 60

void marker_main(void);

__asm__(".globl _start\n"
	"_start:\n\t"
	"xorl %ebp, %ebp\n\t"
	"call marker_main\n\t"
	"movl $60, %eax\n\t"
	"xorl %edi, %edi\n\t"
	"syscall\n");

static long sys_write(int fd, const char *buf, unsigned long len)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"((long)SYS_WRITE), "D"((long)fd), "S"(buf), "d"(len)
			 : "rcx", "r11", "memory");
	return ret;
}

void marker_main(void)
{
	unsigned lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	unsigned long long tsc = ((unsigned long long)hi << 32) | lo;
	static const char prefix[] = "PLINTH-LINUX-TSC ";
	char buf[64];
	char digits[24];
	int n = 0, d = 0;

	for (const char *p = prefix; *p; p++)
		buf[n++] = *p;
	do {
		digits[d++] = (char)('0' + tsc % 10);
		tsc /= 10;
	} while (tsc);
	while (d)
		buf[n++] = digits[--d];
	buf[n++] = '\n';
	sys_write(1, buf, (unsigned long)n);
}

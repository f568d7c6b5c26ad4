/*
 * The C string and memory functions the kernel uses (plinth/string.h).
 * GCC itself emits calls to memcpy, memset, memmove and memcmp (for struct
 * copies, zeroing, ...), so these must exist under exactly those names.
 *
 * Host unit tests compare these with the C library's. There the C library's
 * must stay in place, so tests/unit/test_string.c defines
 * PLINTH_STRING_TEST_PREFIX and #includes this file: every function is then
 * defined (and declared, through the header) as k_memset, k_memcpy, ...
 */
#ifdef PLINTH_STRING_TEST_PREFIX
#define memset k_memset
#define memcpy k_memcpy
#define memmove k_memmove
#define memcmp k_memcmp
#define strlen k_strlen
#define strnlen k_strnlen
#define strcmp k_strcmp
#define strncmp k_strncmp
#define strchr k_strchr
#define str_copy k_str_copy
#endif

#include <plinth/string.h>

/*
 * At -O2 GCC recognises byte-copy and byte-fill loops and replaces them with
 * calls to memcpy/memset/memmove: inside those very functions that is endless
 * recursion, and in the host test build it would quietly test the C library
 * instead. Turning that pattern matching off keeps the loops as loops.
 */
#pragma GCC push_options
#pragma GCC optimize("no-tree-loop-distribute-patterns")

/*
 * memset and memcpy move 8 bytes per step with REP STOSQ / REP MOVSQ and
 * finish the tail bytewise. They sit on the VM-exit path (the VMCB snapshot)
 * and zero guest RAM, so a byte loop (4-5 instructions a byte) showed up as
 * most of an exit's cost in `make bench`; a string instruction is one step
 * per 8 bytes, and fast on real CPUs too.
 */
void *memset(void *dst, int c, size_t n)
{
	uint64_t pattern = 0x0101010101010101ull * (unsigned char)c;
	void *d = dst;
	size_t words = n / 8, tail = n % 8;

	__asm__ volatile("rep stosq" : "+D"(d), "+c"(words) : "a"(pattern) : "memory");
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(tail) : "a"(pattern) : "memory");
	return dst;
}

/* Copy forward in words then bytes; safe for dst below an overlapping src too. */
static void copy_forward(void *dst, const void *src, size_t n)
{
	size_t words = n / 8, tail = n % 8;

	__asm__ volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(words) : : "memory");
	__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(tail) : : "memory");
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	copy_forward(dst, src, n);
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* Copy backwards when dst overlaps the tail of src. */
	if ((uintptr_t)d - (uintptr_t)s >= n) {
		copy_forward(d, s, n);
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a;
	const unsigned char *y = b;

	for (; n > 0; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
	}
	return 0;
}

size_t strlen(const char *s)
{
	const char *end = s;

	while (*end)
		end++;
	return (size_t)(end - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t len = 0;

	while (len < max && s[len])
		len++;
	return len;
}

/* Characters compare as unsigned char, as the C standard requires. */
int strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	return *x - *y;
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	for (; n > 0; n--, x++, y++) {
		if (*x != *y || *x == '\0')
			return *x - *y;
	}
	return 0;
}

/* The terminating NUL counts as part of the string: strchr(s, 0) finds it. */
char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			/* C's signature drops the const. */
			return (char *)(uintptr_t)s;
		if (*s == '\0')
			return NULL;
	}
}

size_t str_copy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size > 0) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

#pragma GCC pop_options

/* Give an including test file back the C library's names. */
#ifdef PLINTH_STRING_TEST_PREFIX
#undef memset
#undef memcpy
#undef memmove
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef str_copy
#endif

/* Hypervisor command line: space-separated key=value words; the last wins. */
#include <plinth/cmdline.h>
#include <plinth/errno.h>
#include <plinth/string.h>

int cmdline_get(const char *cmdline, const char *key, char *out, size_t out_size)
{
	size_t key_len = strlen(key);
	const char *found = NULL;
	size_t found_len = 0;
	const char *p = cmdline;

	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		const char *word = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		size_t word_len = (size_t)(p - word);
		if (word_len > key_len && word[key_len] == '=' &&
		    strncmp(word, key, key_len) == 0) {
			found = word + key_len + 1;
			found_len = word_len - key_len - 1;
		}
	}
	if (!found)
		return -E_NOENT;
	if (out_size == 0)
		return -E_NOSPC;
	size_t n = MIN(found_len, out_size - 1);
	memcpy(out, found, n);
	out[n] = '\0';
	return found_len < out_size ? 0 : -E_NOSPC;
}

int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -E_INVAL;
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return -E_INVAL;
		if (v > (UINT64_MAX - d) / base)
			return -E_RANGE;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	char digits[24];
	size_t len = strlen(s);
	unsigned shift = 0;
	uint64_t v;

	if (len == 0 || len >= sizeof(digits))
		return -E_INVAL;
	switch (s[len - 1]) {
	case 'K': case 'k': shift = 10; break;
	case 'M': case 'm': shift = 20; break;
	case 'G': case 'g': shift = 30; break;
	default: break;
	}
	if (shift)
		len--;
	memcpy(digits, s, len);
	digits[len] = '\0';
	int err = parse_u64(digits, &v);
	if (err)
		return err;
	if (v > (UINT64_MAX >> shift))
		return -E_RANGE;
	*out = v << shift;
	return 0;
}

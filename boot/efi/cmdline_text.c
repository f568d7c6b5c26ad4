/*
 * The loader's two command-line sources, turned into the single line of
 * words the kernel parses (docs/boot.md).
 */
#include "cmdline_text.h"

void cmdline_from_text(char *out, size_t max, const char *text, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len && i + 1 < max && text[i]; i++) {
		char c = text[i];

		out[n++] = (c == '\r' || c == '\n' || c == '\t') ? ' ' : c;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

static bool ends_in_efi(const uint16_t *w, size_t len)
{
	return len >= 4 && w[len - 4] == '.' && (w[len - 3] | 0x20) == 'e' &&
	       (w[len - 2] | 0x20) == 'f' && (w[len - 1] | 0x20) == 'i';
}

int cmdline_from_load_options(char *out, size_t max, const uint16_t *w, size_t bytes)
{
	size_t chars = bytes / 2, start = 0, first_end = 0, n = 0;

	out[0] = '\0';
	if (!w || bytes % 2)
		return 0; /* not UCS-2 text */
	while (chars > 0 && w[chars - 1] == 0)
		chars--;
	for (size_t i = 0; i < chars; i++)
		if (w[i] < 0x20 || w[i] > 0x7e)
			return 0; /* binary data some boot entries carry */
	while (first_end < chars && w[first_end] != ' ')
		first_end++;
	if (ends_in_efi(w, first_end))
		start = first_end;
	while (start < chars && w[start] == ' ')
		start++;
	if (chars - start >= max)
		return CMDLINE_OPTIONS_TOO_LONG;
	for (size_t i = start; i < chars; i++)
		out[n++] = (char)w[i];
	out[n] = '\0';
	return (int)n;
}

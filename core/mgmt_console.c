/*
 * The management console on Plinth's serial port and, with a PS/2 keyboard,
 * on the screen (docs/console.md), polled by the boot CPU at its ticks. It is
 * quiet until a key arrives; then it is a prompt ("plinth> " as observer,
 * "plinth# " as admin) that reads a line
 * and runs it (core/mgmt_console_cmds.c). `console NAME` attaches: typed
 * bytes go to that guest only (admins) until the escape key (Ctrl-] by
 * default, [hypervisor] console_escape) brings the prompt back. `login`
 * reads a password without echo; three wrong ones lock admin login for
 * [console] lockout_seconds.
 */
#define LOG_TAG "console"
#include <plinth/config_boot.h>
#include <plinth/console.h>
#include <plinth/guest_platform.h>
#include <plinth/guest_usage.h>
#include <plinth/log.h>
#include <plinth/password.h>
#include <plinth/string.h>
#include <plinth/time.h>

#include "mgmt_console_internal.h"
#include "vcpu_loop_internal.h"

#define LOGIN_TRIES 3
#define NS_PER_S 1000000000ull
#define KEY_BACKSPACE 0x08
#define KEY_DELETE 0x7F
#define KEY_CTRL_C 0x03
#define KEY_CTRL_U 0x15

enum mode {
	MODE_QUIET,     /* nobody typed yet: the log runs as it always did */
	MODE_PROMPT,
	MODE_PASSWORD,
	MODE_ATTACHED,
	MODE_TOP,
};

static struct {
	enum mode mode;
	enum console_role role;
	char line[CMD_LINE_MAX];
	size_t len;
	bool line_too_long;
	struct guest *attached;
	bool told_read_only;
	unsigned failures;        /* wrong passwords in a row */
	uint64_t locked_until;    /* admin login refused until then (time_now_ns) */
	uint64_t top_sample;      /* the usage sample top showed last (guest_usage_samples) */
} con;

/*
 * Command output is gathered and written in one go: log lines from other CPUs
 * cannot split it. It is raw output: the serial line gets it, and the screen
 * when a keyboard types at it (a log-only screen shows no prompt nobody can
 * answer there).
 */
static char out_buf[8192];
static size_t out_len;
static bool prompt_shown; /* the serial line ends in our prompt (and the line typed so far) */

static const char *prompt_text(void)
{
	return con.role == CONSOLE_ADMIN ? "plinth# " : "plinth> ";
}

static void out_flush(void)
{
	char line[CONSOLE_PROMPT_MAX];
	size_t n = 0;

	_Static_assert(sizeof("plinth# ") - 1 + CMD_LINE_MAX <= CONSOLE_PROMPT_MAX,
		       "a prompt and a whole command line fit the console's redraw buffer");
	if (prompt_shown && con.mode == MODE_PASSWORD) {
		n = strlen("password: ");
		memcpy(line, "password: ", n);
	} else if (prompt_shown) {
		n = strlen(prompt_text());
		memcpy(line, prompt_text(), n);
		memcpy(line + n, con.line, con.len);
		n += con.len;
	}
	if (out_len || n)
		console_write_prompt(out_buf, out_len, line, n);
	out_len = 0;
}

/* What is written from now on starts a line of its own, not a prompt's. */
static void prompt_gone(void)
{
	prompt_shown = false;
}

static void out_write(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	while (n) {
		if (out_len == sizeof(out_buf))
			out_flush();
		size_t k = MIN(n, sizeof(out_buf) - out_len);
		memcpy(out_buf + out_len, s, k);
		out_len += k;
		s += k;
		n -= k;
	}
}

static struct cmd_out out = { out_write, NULL };

bool mgmt_console_in_use(void)
{
	return con.mode != MODE_QUIET;
}

static void prompt(void)
{
	cmd_printf(&out, "%s", prompt_text());
	prompt_shown = true;
	out_flush();
}

static uint8_t escape_key(void)
{
	return config_get()->hv.console_escape_byte;
}

void mgmt_console_attach(struct guest *g, struct cmd_out *o)
{
	static char replay[KiB(64)];
	uint64_t dropped = 0;

	cmd_printf(o, "[attached to %s%s; %s leaves]\n", g->name,
		   con.role == CONSOLE_ADMIN ? "" : ", read-only (login to type)",
		   config_get()->hv.console_escape);
	size_t n = guest_console_attach(g, replay, sizeof(replay), &dropped);
	if (dropped)
		cmd_printf(o, "[%llu older bytes of its output were dropped]\n",
			   (unsigned long long)dropped);
	cmd_write(o, replay, n);
	con.attached = g;
	con.told_read_only = false;
	con.mode = MODE_ATTACHED;
}

static void detach(const char *why)
{
	guest_console_attach(NULL, NULL, 0, NULL);
	prompt_gone();
	cmd_printf(&out, "\n[%s %s]\n", why, con.attached->name);
	con.attached = NULL;
	con.mode = MODE_PROMPT;
	prompt();
}

void mgmt_console_login(struct cmd_out *o)
{
	uint64_t now = time_now_ns();

	if (!config_get()->console.admin_password_hash[0]) {
		cmd_printf(o, "error: login: no admin password is configured "
			   "([console] admin_password_hash, docs/console.md)\n");
		return;
	}
	if (now < con.locked_until) {
		cmd_printf(o, "error: login: locked for %llus more after %u wrong passwords\n",
			   (unsigned long long)((con.locked_until - now + NS_PER_S - 1) / NS_PER_S),
			   LOGIN_TRIES);
		return;
	}
	cmd_printf(o, "password: ");
	con.mode = MODE_PASSWORD;
	prompt_shown = true;
}

void mgmt_console_logout(struct cmd_out *o)
{
	con.role = CONSOLE_OBSERVER;
	cmd_printf(o, "ok: observer\n");
}

void mgmt_console_top(void)
{
	con.mode = MODE_TOP;
	con.top_sample = guest_usage_samples();
}

static void check_password(void)
{
	const struct cfg *c = config_get();
	bool ok = password_verify(c->console.admin_password_hash, con.line, con.len);

	memset(con.line, 0, sizeof(con.line));
	con.len = 0;
	con.mode = MODE_PROMPT;
	prompt_gone();
	cmd_printf(&out, "\n");
	if (ok) {
		con.failures = 0;
		con.role = CONSOLE_ADMIN;
		cmd_printf(&out, "ok: admin\n");
		log_info("admin login on the console");
	} else if (++con.failures >= LOGIN_TRIES) {
		con.failures = 0;
		con.locked_until = time_now_ns() + (uint64_t)c->console.lockout_seconds * NS_PER_S;
		cmd_printf(&out, "error: login: wrong password; admin login locked for %us\n",
			   c->console.lockout_seconds);
		log_warn("%u wrong admin passwords on the console: login locked for %us",
			 LOGIN_TRIES, c->console.lockout_seconds);
	} else {
		cmd_printf(&out, "error: login: wrong password (%u of %u tries)\n", con.failures,
			   LOGIN_TRIES);
	}
	prompt();
}

static void run_line(void)
{
	prompt_gone();
	cmd_printf(&out, "\n");
	out_flush(); /* the echoed line before anything the command logs */
	if (con.line_too_long) {
		cmd_printf(&out, "error: the line is longer than %u characters\n", CMD_LINE_MAX - 1);
	} else {
		con.line[con.len] = '\0';
		cmd_dispatch(mgmt_commands, mgmt_command_count, con.line, con.role, &out, NULL);
	}
	con.len = 0;
	con.line_too_long = false;
	if (con.mode == MODE_PROMPT)
		prompt();
	out_flush();
}

/* A key at the prompt or the password question: a small line editor. */
static void line_key(char c)
{
	bool echo = con.mode == MODE_PROMPT;

	if (c == '\r' || c == '\n') {
		if (con.mode == MODE_PASSWORD)
			check_password();
		else
			run_line();
	} else if (c == KEY_BACKSPACE || c == KEY_DELETE) {
		if (con.len) {
			con.len--;
			if (echo)
				cmd_printf(&out, "\b \b");
		}
	} else if (c == KEY_CTRL_C || c == KEY_CTRL_U) {
		con.len = 0;
		con.line_too_long = false;
		prompt_gone();
		if (con.mode == MODE_PASSWORD)
			cmd_printf(&out, "\n[login cancelled]\n");
		else
			cmd_printf(&out, "^C\n");
		con.mode = MODE_PROMPT;
		prompt();
	} else if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7F) {
		if (con.len + 1 < sizeof(con.line))
			con.line[con.len++] = c;
		else
			con.line_too_long = true;
		if (echo)
			cmd_write(&out, &c, 1);
	}
}

/*
 * Keys for the attached guest, sent as its UART takes them (its receive
 * FIFO is small): an observer's are dropped.
 */
static char to_guest[256];
static size_t to_guest_len;

static void guest_keys_flush(void)
{
	if (!to_guest_len || !con.attached)
		return;
	if (con.role != CONSOLE_ADMIN) {
		if (!con.told_read_only)
			cmd_printf(&out, "\n[read-only: login as admin to type]\n");
		con.told_read_only = true;
		to_guest_len = 0;
		return;
	}
	size_t taken = guest_platform_input(con.attached, to_guest, to_guest_len);
	memmove(to_guest, to_guest + taken, to_guest_len - taken);
	to_guest_len -= taken;
}

static void key(char c)
{
	switch (con.mode) {
	case MODE_QUIET:
		con.mode = MODE_PROMPT;
		log_info("%s (help lists the commands)",
			 config_get()->console.admin_password_hash[0] ?
			 "observer; login for admin" : "observer (no admin password is configured)");
		prompt();
		if (c != '\r' && c != '\n')
			line_key(c);
		break;
	case MODE_ATTACHED:
		if ((uint8_t)c == escape_key()) {
			guest_keys_flush();
			to_guest_len = 0;
			detach("detached from");
		} else if (to_guest_len < sizeof(to_guest)) {
			to_guest[to_guest_len++] = c;
		} /* else dropped: a guest that reads no input must not stop the escape key */
		break;
	case MODE_TOP:
		con.mode = MODE_PROMPT;
		prompt();
		break;
	case MODE_PROMPT:
	case MODE_PASSWORD:
		line_key(c);
		break;
	}
}

void mgmt_console_poll(uint64_t now)
{
	int c;

	guest_usage_sample(now);
	guest_keys_flush(); /* room for new keys, if the guest took the old ones */
	for (unsigned n = 0; n < 64 && (c = console_getc()) >= 0; n++)
		key((char)c);
	guest_keys_flush();
	if (con.mode == MODE_ATTACHED && con.attached->state != GUEST_RUNNING &&
	    !con.attached->restarting)
		detach("stopped:");
	if (con.mode == MODE_TOP && guest_usage_samples() != con.top_sample) {
		con.top_sample = guest_usage_samples();
		cmd_printf(&out, "\n");
		mgmt_console_print_top(&out);
	}
	out_flush();
}

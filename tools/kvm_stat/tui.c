// SPDX-License-Identifier: GPL-2.0
/* kvm_stat: the ncurses live display and its keys. */
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kvm_stat.h"

static bool sort_total;		/* o: by Total instead of CurAvg/s */
static char msg[160];		/* one-line message at the bottom */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct ks_row *rows;
static int nrows, caprows;

static void push(const char *label, uint64_t total, uint64_t delta,
		 int depth, bool header)
{
	struct ks_row *r;

	if (nrows == caprows) {
		caprows = caprows ? 2 * caprows : 128;
		rows = realloc(rows, caprows * sizeof(*rows));
		if (!rows)
			die("out of memory");
	}
	r = &rows[nrows++];
	ks_fmt(r->label, sizeof(r->label), "%s", label);
	r->total = total;
	r->delta = delta;
	r->depth = depth;
	r->header = header;
}

static int cmp_stat(const void *a, const void *b)
{
	const struct ks_stat *x = &ks.v[*(const int *)a];
	const struct ks_stat *y = &ks.v[*(const int *)b];
	uint64_t kx = sort_total ? ks_total(x) : ks_delta(x);
	uint64_t ky = sort_total ? ks_total(y) : ks_delta(y);

	if (kx != ky)
		return kx < ky ? 1 : -1;
	kx = sort_total ? ks_delta(x) : ks_total(x);
	ky = sort_total ? ks_delta(y) : ks_total(y);
	if (kx != ky)
		return kx < ky ? 1 : -1;
	return strcmp(x->name, y->name);
}

static bool shown(const struct ks_stat *s)
{
	return s->selected && (ks_total(s) || ks_delta(s));
}

/* Rows of one group (or of all, group < 0): parents sorted, each
 * followed by its sorted children when expanded. */
static void stat_rows(int group, bool expand)
{
	int *idx = malloc(ks.n * sizeof(int)), n = 0, i, j, c;
	int *kid = malloc(ks.n * sizeof(int));

	for (i = 0; i < ks.n; i++)
		if (ks.v[i].parent < 0 && shown(&ks.v[i]) &&
		    (group < 0 || ks.v[i].group == group))
			idx[n++] = i;
	qsort(idx, n, sizeof(int), cmp_stat);
	for (i = 0; i < n; i++) {
		const struct ks_stat *p = &ks.v[idx[i]];

		push(p->name, ks_total(p), ks_delta(p), 0, false);
		if (!expand)
			continue;
		for (c = 0, j = idx[i] + 1; j < ks.n; j++)
			if (ks.v[j].parent == idx[i] && shown(&ks.v[j]))
				kid[c++] = j;
		qsort(kid, c, sizeof(int), cmp_stat);
		for (j = 0; j < c; j++)
			push(ks.v[kid[j]].name, ks_total(&ks.v[kid[j]]),
			     ks_delta(&ks.v[kid[j]]), 1, false);
	}
	free(idx);
	free(kid);
}

static void build_rows(double secs)
{
	int g;

	nrows = 0;
	if (opt.by_guest || opt.by_variant) {
		struct ks_row *r;
		int n = dbg_rows(&r, opt.by_variant,
				 opt.children || opt.by_variant, secs), i;

		for (i = 0; i < n; i++)
			if (r[i].total || r[i].delta)
				push(r[i].label, r[i].total, r[i].delta,
				     r[i].depth, false);
		free(r);
		return;
	}
	if (!opt.groups) {
		stat_rows(-1, opt.children);
		return;
	}
	for (g = 0; g < GRP_NR; g++) {
		int before = nrows;

		push(ks_group_names[g], 0, 0, 0, true);
		/* MMU and emulator events always show their outcomes */
		stat_rows(g, opt.children || g == GRP_MMU || g == GRP_EMUL);
		if (nrows == before + 1)
			nrows = before;
	}
}

static void draw(double secs)
{
	uint64_t sum = 0, parent = 0, sum_delta = 0;
	char title[256], pidinfo[96] = "";
	int i, y = 3;

	build_rows(secs);
	erase();
	if (opt.pid > 0) {
		char comm[32];

		proc_name(opt.pid, comm, sizeof(comm));
		if (opt.guest)
			ks_fmt(pidinfo, sizeof(pidinfo), " guest %s (pid %d)",
			       opt.guest, opt.pid);
		else
			ks_fmt(pidinfo, sizeof(pidinfo), " pid %d (%s)",
			       opt.pid, comm);
	}
	ks_fmt(title, sizeof(title), "kvm statistics - %s%s",
		 opt.by_variant ? "by MMU variant" : opt.by_guest ? "by guest"
		 : opt.groups ? "grouped" : "summary", pidinfo);
	attron(A_BOLD);
	mvaddnstr(0, 0, title, COLS - 1);
	attroff(A_BOLD);
	if (opt.fields)
		printw("  regex filter: %s", opt.fields);
	mvprintw(1, 0, "sources:%s%s%s%s%s%s  interval %.1f s", opt.tracepoints
		 ? " tracepoints " : "", opt.tracepoints ? tp_systems() : "",
		 opt.debugfs ? " debugfs " : "", opt.debugfs ? dbg_drivers()
		 : "", opt.stats ? " stats-fd " : "", opt.stats ? sfd_drivers()
		 : "", opt.delay);
	attron(A_REVERSE);
	mvprintw(2, 0, " %-45s %10s %7s %9s", "Event", "Total", "%Total",
		 "CurAvg/s");
	attroff(A_REVERSE);
	for (i = 0; i < nrows; i++)
		if (!rows[i].header && !rows[i].depth) {
			sum += rows[i].total;
			sum_delta += rows[i].delta;
		}
	for (i = 0; i < nrows && y < LINES - 2; i++, y++) {
		const struct ks_row *r = &rows[i];
		uint64_t of = r->depth ? parent : sum;

		if (r->header) {
			attron(A_BOLD);
			mvprintw(y, 0, "[%s]", r->label);
			attroff(A_BOLD);
			continue;
		}
		if (!r->depth)
			parent = r->total;
		mvprintw(y, 0, " %*s%-*.*s %10llu %7.1f %9.0f", 2 * r->depth, "",
			 45 - 2 * r->depth, 45 - 2 * r->depth, r->label,
			 (unsigned long long)r->total,
			 of ? 100.0 * r->total / of : 0.0, r->delta / secs);
		if (!r->depth)
			of = r->total;
	}
	if (y < LINES - 2)
		mvprintw(y, 0, " %-45s %10llu %7s %9.0f", "Total",
			 (unsigned long long)sum, "", sum_delta / secs);
	if (!nrows && y < LINES - 2)
		mvprintw(y + 1, 0, " (no events counted yet)");
	mvaddnstr(LINES - 1, 0, msg[0] ? msg :
		  "h help  q quit  f filter  x children  m groups  b guests  "
		  "v variants", COLS - 1);
	refresh();
}

static void help(void)
{
	static const char *const lines[] = {
		"Interactive commands:",
		"  b   toggle events by guests (debugfs only, honors filters)",
		"  c   clear filter",
		"  f   filter by regular expression (children pull in parents)",
		"  g   filter by guest name/PID",
		"  h   this help",
		"  m   toggle groups: exits, MMU (faults by outcome, shadow",
		"      pages, CR3 switches), emulator (steps by phase, outcome)",
		"  o   toggle sorting order (Total vs CurAvg/s)",
		"  p   filter by guest name/PID",
		"  q   quit",
		"  r   reset stats",
		"  s   set delay between refreshes",
		"  v   toggle the per-MMU-variant view (debugfs)",
		"  x   toggle reporting of stats for child trace events",
		"Any other key refreshes statistics immediately.",
		"",
		"Press any key to continue.",
	};
	size_t i;

	erase();
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		mvaddstr(i, 0, lines[i]);
	refresh();
	timeout(-1);
	getch();
}

static bool prompt(const char *q, char *buf, int len)
{
	move(LINES - 1, 0);
	clrtoeol();
	addstr(q);
	echo();
	curs_set(1);
	timeout(-1);
	buf[0] = 0;
	getnstr(buf, len - 1);
	noecho();
	curs_set(0);
	msg[0] = 0;
	return buf[0] != 0;
}

static void reopen(int pid)
{
	if (opt.tracepoints) {
		tp_close();
		tp_open(pid, opt.children || opt.groups);
	}
	if (opt.debugfs && pid != opt.pid)
		dbg_start(pid, opt.include_past);
	if (opt.stats && pid != opt.pid)
		sfd_start(pid, opt.include_past, opt.stats_fd != NULL);
	opt.pid = pid;
}

static void key_filter(void)
{
	static char buf[128];
	char err[256];

	if (!prompt("Show statistics for events matching a regex: ", buf,
		    sizeof(buf)))
		return;
	if (ks_set_filter(buf, err, sizeof(err)) < 0) {
		ks_fmt(msg, sizeof(msg), "%s", err);
		ks_set_filter(opt.fields, err, sizeof(err));
		return;
	}
	opt.fields = buf;
	reopen(opt.pid);
}

static void key_pid(void)
{
	static char name[64];
	char buf[64], err[256], *end;
	long pid;

	if (!prompt("Show statistics for a guest name or pid (0 or empty: "
		    "all): ", buf, sizeof(buf)) || !strcmp(buf, "0")) {
		opt.guest = NULL;
		reopen(0);
		return;
	}
	pid = strtol(buf, &end, 10);
	if (*end || pid <= 0) {
		pid = pid_of_guest(buf, err, sizeof(err));
		if (pid < 0) {
			ks_fmt(msg, sizeof(msg), "%s", err);
			return;
		}
		ks_fmt(name, sizeof(name), "%s", buf);
		opt.guest = name;
	} else {
		char path[64];

		ks_fmt(path, sizeof(path), "/proc/%ld", pid);
		if (access(path, F_OK)) {
			ks_fmt(msg, sizeof(msg), "no process %ld", pid);
			return;
		}
		opt.guest = NULL;
	}
	reopen(pid);
}

static void key_delay(void)
{
	char buf[32], *end;
	double d;

	if (!prompt("Set update interval (seconds, >= 0.1): ", buf,
		    sizeof(buf)))
		return;
	d = strtod(buf, &end);
	if (*end || !(d >= 0.1) || d > 86400)
		ks_fmt(msg, sizeof(msg), "'%s' is not a number >= 0.1", buf);
	else
		opt.delay = d;
}

void tui_run(void)
{
	double last, next;
	SCREEN *scr;

	if (!isatty(0) || !isatty(1))
		die("the live display needs a terminal: use -1 or -l");
	scr = newterm(NULL, stdout, stdin);
	if (!scr)
		die("cannot set up the terminal '%s'", getenv("TERM") ?: "");
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	ks_sample();
	ks_roll();
	last = now();
	next = last + 0.25;	/* a first screen soon, as upstream */
	while (!ks_stop) {
		double t = now();
		int ch;

		if (t >= next) {
			ks_sample();
			draw(t - last > 0.001 ? t - last : 0.001);
			ks_roll();
			last = t;
			next = t + opt.delay;
			continue;
		}
		timeout((int)((next - t) * 1000) + 1);
		ch = getch();
		if (ch == ERR)
			continue;
		switch (ch) {
		case 'q': ks_stop = 1; break;
		case 'b':
			if (!opt.debugfs) {
				ks_fmt(msg, sizeof(msg), "b: by guest counts "
					 "from debugfs: start with -d");
				break;
			}
			opt.by_guest = !opt.by_guest;
			opt.by_variant = false;
			break;
		case 'v':
			if (!opt.debugfs) {
				ks_fmt(msg, sizeof(msg), "v: the variant "
					 "view counts from debugfs: start with -d");
				break;
			}
			opt.by_variant = !opt.by_variant;
			opt.by_guest = false;
			break;
		case 'c':
			opt.fields = NULL;
			ks_set_filter(NULL, msg, sizeof(msg));
			reopen(opt.pid);
			break;
		case 'f': key_filter(); break;
		case 'g':
		case 'p': key_pid(); break;
		case 'h': help(); break;
		case 'm':
			opt.groups = !opt.groups;
			if (opt.tracepoints)
				tp_open_children();
			break;
		case 'o': sort_total = !sort_total; break;
		case 'r': ks_reset(); break;
		case 's': key_delay(); break;
		case 'x':
			opt.children = !opt.children;
			if (opt.tracepoints)
				tp_open_children();
			break;
		default: break;
		}
		next = now();	/* any key: refresh now */
	}
	endwin();
	delscreen(scr);
}

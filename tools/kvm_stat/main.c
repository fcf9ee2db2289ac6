// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_stat: options, the batch (-1) and log (-l, -L) modes, and the
 * choice of sources.  See README.md.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kvm_stat.h"

struct ks_opts opt = { .delay = 3.0 };

volatile sig_atomic_t ks_stop;
static volatile sig_atomic_t reopen;

static void on_stop(int sig)
{
	(void)sig;
	ks_stop = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	reopen = 1;
}

static void usage(FILE *f, int status)
{
	fprintf(f,
"usage: kvm_stat [OPTION]...\n"
"Live counts of KVM events (in-tree KVM and kvmlab) from tracepoints,\n"
"debugfs and the binary stats fds.  Interactive keys: press h in the display.\n"
"\n"
"  -1, --once, --batch       run in batch mode for one second\n"
"  -l, --log                 run in logging mode (like vmstat)\n"
"  -L, --log-to-file FILE    like -l, to FILE (reopened on SIGHUP)\n"
"  -c, --csv                 log in CSV format (with -l or -L)\n"
"  -z, --skip-zero-records   omit records with all zeros in logging mode\n"
"  -d, --debugfs             counters from debugfs\n"
"  -t, --tracepoints         counters from tracepoints\n"
"  -S, --stats               counters from the binary stats fds\n"
"                            (KVM_GET_STATS_FD) that VMMs keep open\n"
"                            (default: tracepoints if there are KVM trace\n"
"                            events, else debugfs; -d -t: both)\n"
"      --stats-fd PID:FD     -S from this fd of process PID only (a stats\n"
"                            fd; a VM or vCPU fd is tried with\n"
"                            KVM_GET_STATS_FD)\n"
"  -i, --debugfs-include-past  count what running VMs did before kvm_stat\n"
"                            started (debugfs)\n"
"  -f, --fields REGEX        only fields whose names match REGEX (anchored\n"
"                            at the start); children pull in parents\n"
"  -g, --guest NAME          only the process running guest NAME\n"
"  -p, --pid PID             only process PID\n"
"  -s, --set-delay SECS      refresh interval, >= 0.1 (default 3)\n"
"  -h, --help                this help\n"
"beyond upstream:\n"
"      --children            show child events (kvm_exit(hlt)...) from\n"
"                            the start (key x); in -l, add their columns\n"
"      --groups              group rows: exits, MMU, emulator, other (key m)\n"
"      --by-guest            debugfs counts per guest (key b)\n"
"      --by-variant          debugfs counts per MMU variant (key v)\n"
"      --dump-events         print the events, children and filters found\n"
"Exit status: 0 ok, 1 error (no permission, nothing mounted, no KVM\n"
"module), 2 bad usage (including a bad or unmatched -f REGEX).\n");
	exit(status);
}

static double parse_delay(const char *s)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (errno || end == s || *end || !(d >= 0.1) || d > 86400)
		usage_error("-s: '%s' is not a number of seconds >= 0.1", s);
	return d;
}

static void parse_args(int argc, char **argv)
{
	enum { O_CHILDREN = 256, O_GROUPS, O_BYGUEST, O_BYVARIANT, O_DUMP,
	       O_STATSFD };
	static const struct option longs[] = {
		{ "once", no_argument, NULL, '1' },
		{ "batch", no_argument, NULL, '1' },
		{ "log", no_argument, NULL, 'l' },
		{ "log-to-file", required_argument, NULL, 'L' },
		{ "csv", no_argument, NULL, 'c' },
		{ "debugfs", no_argument, NULL, 'd' },
		{ "tracepoints", no_argument, NULL, 't' },
		{ "stats", no_argument, NULL, 'S' },
		{ "stats-fd", required_argument, NULL, O_STATSFD },
		{ "fields", required_argument, NULL, 'f' },
		{ "guest", required_argument, NULL, 'g' },
		{ "pid", required_argument, NULL, 'p' },
		{ "debugfs-include-past", no_argument, NULL, 'i' },
		{ "set-delay", required_argument, NULL, 's' },
		{ "skip-zero-records", no_argument, NULL, 'z' },
		{ "help", no_argument, NULL, 'h' },
		{ "children", no_argument, NULL, O_CHILDREN },
		{ "groups", no_argument, NULL, O_GROUPS },
		{ "by-guest", no_argument, NULL, O_BYGUEST },
		{ "by-variant", no_argument, NULL, O_BYVARIANT },
		{ "dump-events", no_argument, NULL, O_DUMP },
		{ 0 }
	};
	int c;
	char *end;

	while ((c = getopt_long(argc, argv, "1lL:cdtSf:g:p:is:zh", longs,
				NULL)) != -1) {
		switch (c) {
		case '1': opt.once = true; break;
		case 'l': opt.log = true; break;
		case 'L': opt.log = true; opt.log_file = optarg; break;
		case 'c': opt.csv = true; break;
		case 'd': opt.debugfs = true; break;
		case 't': opt.tracepoints = true; break;
		case 'S': opt.stats = true; break;
		case O_STATSFD: opt.stats = true; opt.stats_fd = optarg; break;
		case 'f': opt.fields = optarg; break;
		case 'g': opt.guest = optarg; break;
		case 'p':
			opt.pid = strtol(optarg, &end, 10);
			if (*end || end == optarg || opt.pid <= 0)
				usage_error("-p: '%s' is not a process id",
					    optarg);
			break;
		case 'i': opt.include_past = true; break;
		case 's': opt.delay = parse_delay(optarg); break;
		case 'z': opt.skip_zero = true; break;
		case 'h': usage(stdout, 0); break;
		case O_CHILDREN: opt.children = true; break;
		case O_GROUPS: opt.groups = true; break;
		case O_BYGUEST: opt.by_guest = true; break;
		case O_BYVARIANT: opt.by_variant = true; break;
		case O_DUMP: opt.dump = true; break;
		default: usage(stderr, 2);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (opt.csv && !opt.log)
		usage_error("-c/--csv needs -l/--log or -L/--log-to-file");
	if (opt.skip_zero && !opt.log)
		usage_error("-z/--skip-zero-records needs -l or -L");
	if (opt.once && opt.log)
		usage_error("-1 and -l/-L exclude each other");
	if (opt.guest && opt.pid)
		usage_error("-g and -p exclude each other");
}

/* Which sources: upstream's rule (tracepoints if present, else debugfs)
 * unless -d/-t say; each requested source must be usable. */
static void open_sources(int pid)
{
	char tp_why[512] = "", dbg_why[512] = "", sfd_why[512] = "";
	int tp = 0, dbg = 0;
	bool want_tp = opt.tracepoints, want_dbg = opt.debugfs;

	if (opt.stats) {	/* -S: the stats fds, and -d/-t if given */
		if (sfd_discover(opt.stats_fd, pid, sfd_why,
				 sizeof(sfd_why)) <= 0)
			die("%s", sfd_why);
		if (!want_tp && !want_dbg)
			return;
	}

	if (want_tp || !want_dbg)
		tp = tp_discover(tp_why, sizeof(tp_why));
	if (want_dbg || tp <= 0)
		dbg = dbg_discover(dbg_why, sizeof(dbg_why));
	if (want_tp && tp <= 0)
		die("%s", tp_why);
	if (want_dbg && dbg <= 0)
		die("%s", dbg_why);
	if (tp <= 0 && dbg <= 0)
		die("no KVM counters to read:\n  %s\n  %s", tp_why, dbg_why);
	opt.tracepoints = tp > 0 && (want_tp || !want_dbg);
	opt.debugfs = dbg > 0 && (want_dbg || !opt.tracepoints);
}

/* Only the stats of the sources in use take part. */
static void mark_sources(void)
{
	int i;

	for (i = 0; i < ks.n; i++) {
		struct ks_stat *s = &ks.v[i];

		s->on = s->src == SRC_TP ? opt.tracepoints :
			s->src == SRC_DBG ? opt.debugfs : opt.stats;
		s->selected = s->on;
	}
}

static int resolve_pid(void)
{
	char err[256];
	int pid;

	if (!opt.guest)
		return opt.pid;
	pid = pid_of_guest(opt.guest, err, sizeof(err));
	if (pid < 0)
		die("%s", err);
	return pid;
}

static void sleep_secs(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	while (!ks_stop && nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void do_once(void)
{
	int i;

	ks_sample();
	ks_roll();
	sleep_secs(1.0);
	ks_sample();
	for (i = 0; i < ks.n; i++) {
		const struct ks_stat *s = &ks.v[i];

		if (!s->selected)
			continue;
		if (s->parent >= 0 && !ks_total(s) && !opt.children)
			continue;	/* children only when they counted */
		printf("%-42s%10llu%10llu\n", s->name,
		       (unsigned long long)ks_total(s),
		       (unsigned long long)ks_delta(s));
	}
}

static bool in_log(const struct ks_stat *s)
{
	return s->selected && (s->parent < 0 || opt.children);
}

static void log_header(FILE *f)
{
	int i;

	fprintf(f, opt.csv ? "timestamp" : "%-19s", "time");
	for (i = 0; i < ks.n; i++) {
		const struct ks_stat *s = &ks.v[i];

		if (!in_log(s))
			continue;
		if (opt.csv)
			fprintf(f, ",%s", s->name);
		else
			fprintf(f, " %*s", strlen(s->name) > 10
						   ? (int)strlen(s->name) : 10,
				s->name);
	}
	fputc('\n', f);
}

static FILE *log_open(void)
{
	FILE *f;

	if (!opt.log_file)
		return stdout;
	f = fopen(opt.log_file, "a");
	if (!f)
		die("%s: %s", opt.log_file, strerror(errno));
	setvbuf(f, NULL, _IOLBF, 0);
	return f;
}

static void do_log(void)
{
	FILE *f = log_open();
	int i, rows = 0;
	struct sigaction sa = { .sa_handler = on_hup };

	sigaction(SIGHUP, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	ks_sample();
	ks_roll();
	while (!ks_stop) {
		char ts[32];
		time_t now;
		bool any = false;

		sleep_secs(opt.delay);
		ks_sample();
		if (reopen && opt.log_file) {
			fclose(f);
			f = log_open();
			reopen = 0;
			rows = 0;
		}
		for (i = 0; i < ks.n; i++)
			any |= in_log(&ks.v[i]) && ks_delta(&ks.v[i]);
		if (opt.skip_zero && !any) {
			ks_roll();
			continue;
		}
		if (opt.csv ? rows == 0 : rows % 20 == 0)
			log_header(f);
		now = time(NULL);
		strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", localtime(&now));
		fprintf(f, opt.csv ? "%s" : "%-19s", ts);
		for (i = 0; i < ks.n; i++) {
			const struct ks_stat *s = &ks.v[i];

			if (!in_log(s))
				continue;
			if (opt.csv)
				fprintf(f, ",%llu",
					(unsigned long long)ks_delta(s));
			else
				fprintf(f, " %*llu", strlen(s->name) > 10
						? (int)strlen(s->name) : 10,
					(unsigned long long)ks_delta(s));
		}
		fputc('\n', f);
		fflush(f);
		rows++;
		ks_roll();
	}
	if (f != stdout)
		fclose(f);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_stop };
	char err[512];
	int pid;

	parse_args(argc, argv);
	pid = resolve_pid();
	opt.pid = pid;
	open_sources(pid);
	mark_sources();
	if (opt.fields && ks_set_filter(opt.fields, err, sizeof(err)) < 0)
		usage_error("-f: %s", err);
	if (opt.dump) {
		tp_dump(stdout);
		return 0;
	}
	if ((opt.by_guest || opt.by_variant) && !opt.debugfs)
		usage_error("--by-guest and --by-variant count from debugfs: "
			    "add -d");
	if (opt.tracepoints)
		tp_open(pid, opt.once || opt.children || opt.groups);
	if (opt.debugfs)
		dbg_start(pid, opt.include_past);
	if (opt.stats)
		sfd_start(pid, opt.include_past, opt.stats_fd != NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (opt.once)
		do_once();
	else if (opt.log)
		do_log();
	else
		tui_run();
	tp_close();
	return 0;
}

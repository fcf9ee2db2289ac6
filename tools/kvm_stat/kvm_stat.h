/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm_stat: live KVM event counters from tracepoints, debugfs and the
 * binary stats fds, for the
 * in-tree KVM and for kvmlab.
 *
 * Every counter is a struct ks_stat in one table.  A provider (tp.c for
 * tracepoints, dbgfs.c for debugfs) fills in 'cur', a count that only
 * grows while the provider stays open; what the user sees is cur - base
 * (base moves on reset) and cur - prev (the last interval).
 */
#ifndef KVM_STAT_H
#define KVM_STAT_H

#include <regex.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define KS_NAME	96

enum ks_src { SRC_TP, SRC_DBG, SRC_STATS };
enum ks_group { GRP_EXITS, GRP_MMU, GRP_EMUL, GRP_OTHER, GRP_NR };

struct ks_stat {
	char name[KS_NAME];	/* kvm_exit, kvm_exit(hlt), exits */
	int parent;		/* index of the parent event, or -1 */
	int src;		/* enum ks_src */
	int group;		/* enum ks_group */
	uint64_t cur, base, prev;
	bool on;		/* its source is in use */
	bool selected;		/* on, and matches the field regex */
	/* tracepoints */
	int ev;			/* index into tp.c's event table */
	char filter[128];	/* "" or e.g. "exit_reason == 120" */
	int *fds;
	int nfds;
	/* debugfs */
	int drv;		/* index into dbgfs.c's driver table */
	int field;		/* index of the file in that driver */
};

struct ks_table {
	struct ks_stat *v;
	int n, cap;
};

/* One row of a guest or MMU-variant view (debugfs). */
struct ks_row {
	char label[KS_NAME];
	uint64_t total, delta;
	int depth;		/* 0 top level, 1 child */
	bool header;		/* a section title */
};

struct ks_opts {
	bool once, log, csv, debugfs, tracepoints, stats, include_past;
	bool skip_zero;
	const char *stats_fd;	/* --stats-fd PID:FD */
	bool children, groups, by_guest, by_variant, dump;
	const char *log_file;
	const char *fields;	/* regex, NULL for all */
	const char *guest;
	int pid;
	double delay;
};

extern struct ks_table ks;
extern struct ks_opts opt;
extern volatile sig_atomic_t ks_stop;
extern const char *const ks_group_names[GRP_NR];

/* stats.c */
/* snprintf that truncates on purpose (names, paths into fixed buffers) */
int ks_fmt(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int ks_add(const char *name, int parent, int src);
int ks_set_filter(const char *regex, char *err, size_t errlen);
int ks_selected_count(void);
void ks_reset(void);
void ks_sample(void);		/* read every open provider */
void ks_roll(void);		/* prev = cur, after an interval is shown */
uint64_t ks_total(const struct ks_stat *s);
uint64_t ks_delta(const struct ks_stat *s);
int ks_group_of(const char *name);
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
const char *fs_mount(const char *type, const char *env, const char *dflt);
int pid_of_guest(const char *name, char *err, size_t errlen);
void proc_name(int pid, char *buf, size_t len);

/* tp.c */
int tp_discover(char *why, size_t whylen);	/* trace systems found */
const char *tp_systems(void);
int tp_open(int pid, bool children);
void tp_open_children(void);
void tp_close(void);
void tp_read(void);
void tp_dump(FILE *f);

/* dbgfs.c */
int dbg_discover(char *why, size_t whylen);	/* drivers found */
const char *dbg_drivers(void);
void dbg_start(int pid, bool include_past);
void dbg_read(void);
void dbg_reset(void);
int dbg_rows(struct ks_row **rows, bool by_variant, bool children,
	     double secs);

/* statsfd.c */
int sfd_discover(const char *explicit_fd, int pid, char *why, size_t whylen);
const char *sfd_drivers(void);
void sfd_start(int pid, bool include_past, bool fixed);
void sfd_read(void);

/* tui.c */
void tui_run(void);

#endif

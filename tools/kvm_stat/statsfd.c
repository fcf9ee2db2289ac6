// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_stat: counters from the binary stats fds of <linux/kvm.h>
 * (KVM_GET_STATS_FD: struct kvm_stats_header, struct kvm_stats_desc, the
 * data read with pread at the header's offsets), in-tree KVM and kvmlab.
 *
 * The VM and vCPU fds belong to the VMM, and both drivers refuse every VM
 * and vCPU ioctl, KVM_GET_STATS_FD included, from a process other than
 * the VM's owner (-EIO: the in-tree kvm_vm_ioctl/kvm_vcpu_ioctl check
 * kvm->mm != current->mm before looking at the ioctl).  So kvm_stat takes
 * the stats fds the VMM keeps open (QEMU does; so does tools/vmrun): it
 * finds them in /proc/PID/fd (anon_inode:kvm-vm-stats,
 * kvm-vcpu-stats:N, kvmlab-vm-stats, kvmlab-vcpu-stats) and copies them
 * with pidfd_open + pidfd_getfd (root, or ptrace permission).  A stats fd
 * is a plain file for pread, not refused.  A VM or vCPU fd given with
 * --stats-fd is tried with KVM_GET_STATS_FD, which works only if the
 * driver allows it (it tells which error it got).
 *
 * Rows are the descriptor names, each summed over every VM (VM scope) or
 * every vCPU (vCPU scope); histograms are the sum of their buckets.  Only
 * cumulative counters and histograms are rows (instant values and peaks
 * are not counts).  A copied fd keeps its VM's stats readable after the
 * VMM exits, so a finished VM keeps its last values.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/kvm.h>

#include "kvm_stat.h"

struct sfd {
	int pid, fd;		/* where it was found */
	int mine;		/* our copy */
	struct kvm_stats_header h;
	struct kvm_stats_desc **descs;
	int *stat;		/* row per descriptor, -1 none */
	uint64_t *start;	/* values when first seen */
	bool counted_past;	/* new since start: counts from its creation */
};

static struct sfd *sfds;
static int nsfds;
static int scan_pid;
static int only_pid;
static bool started;
static char refusal[256];
static char found[64];

const char *sfd_drivers(void)
{
	return found;
}

static bool is_stats_link(const char *l)
{
	return !strcmp(l, "anon_inode:kvm-vm-stats") ||
	       !strncmp(l, "anon_inode:kvm-vcpu-stats:", 26) ||
	       !strcmp(l, "anon_inode:kvmlab-vm-stats") ||
	       !strcmp(l, "anon_inode:kvmlab-vcpu-stats");
}

static bool is_vm_link(const char *l)
{
	return !strcmp(l, "anon_inode:kvm-vm") ||
	       !strncmp(l, "anon_inode:kvm-vcpu:", 20) ||
	       !strcmp(l, "anon_inode:kvmlab-vm") ||
	       !strcmp(l, "anon_inode:kvmlab-vcpu");
}

static void note_driver(const char *l)
{
	const char *d = strstr(l, "kvmlab") ? "kvmlab" : "kvm";

	if (!strstr(found, d))
		ks_fmt(found + strlen(found), sizeof(found) - strlen(found),
		       "%s%s", *found ? " " : "", d);
}

/* a copy of PID's FD, or -1 with errno */
static int grab(int pid, int fd)
{
	int pfd = syscall(SYS_pidfd_open, pid, 0), r, e;

	if (pfd < 0)
		return -1;
	r = syscall(SYS_pidfd_getfd, pfd, fd, 0);
	e = errno;
	close(pfd);
	errno = e;
	return r;
}

static bool known(int pid, int fd)
{
	for (int i = 0; i < nsfds; i++)
		if (sfds[i].pid == pid && sfds[i].fd == fd)
			return true;
	return false;
}

static int row_of(const char *name)
{
	for (int i = 0; i < ks.n; i++)
		if (ks.v[i].src == SRC_STATS && !strcmp(ks.v[i].name, name))
			return i;
	return -1;
}

static bool read_val(const struct sfd *s, const struct kvm_stats_desc *d,
		     uint64_t *out)
{
	uint64_t v[256];
	uint32_t n = d->size < 256 ? d->size : 256;

	if (pread(s->mine, v, n * sizeof(v[0]),
		  s->h.data_offset + d->offset) != (ssize_t)(n * sizeof(v[0])))
		return false;
	*out = 0;
	for (uint32_t j = 0; j < n; j++)
		*out += v[j];
	return true;
}

/* Take MINE (a stats fd, ours) as found at PID:FD; false if unreadable. */
static bool add_fd(int pid, int fd, int mine, bool may_add_rows)
{
	struct sfd s = { .pid = pid, .fd = fd, .mine = mine };
	size_t dsize;
	char *buf;

	if (pread(mine, &s.h, sizeof(s.h), 0) != sizeof(s.h) ||
	    !s.h.num_desc || s.h.num_desc > 4096 || s.h.name_size > 4096)
		return false;
	dsize = sizeof(struct kvm_stats_desc) + s.h.name_size;
	buf = calloc(s.h.num_desc, dsize);
	s.descs = calloc(s.h.num_desc, sizeof(*s.descs));
	s.stat = calloc(s.h.num_desc, sizeof(*s.stat));
	s.start = calloc(s.h.num_desc, sizeof(*s.start));
	if (!buf || !s.descs || !s.stat || !s.start)
		die("out of memory");
	if (pread(mine, buf, s.h.num_desc * dsize, s.h.desc_offset) !=
	    (ssize_t)(s.h.num_desc * dsize)) {
		free(buf);
		return false;
	}
	for (uint32_t i = 0; i < s.h.num_desc; i++) {
		struct kvm_stats_desc *d = (void *)(buf + i * dsize);
		uint32_t type = d->flags & KVM_STATS_TYPE_MASK;

		s.descs[i] = d;
		d->name[s.h.name_size - 1] = 0;
		s.stat[i] = -1;
		if (type == KVM_STATS_TYPE_INSTANT || type == KVM_STATS_TYPE_PEAK)
			continue;
		s.stat[i] = row_of(d->name);
		if (s.stat[i] < 0 && may_add_rows)
			s.stat[i] = ks_add(d->name, -1, SRC_STATS);
		read_val(&s, d, &s.start[i]);
	}
	/* found after start: a new VM, counted from its creation */
	s.counted_past = started;
	sfds = realloc(sfds, (nsfds + 1) * sizeof(*sfds));
	if (!sfds)
		die("out of memory");
	sfds[nsfds++] = s;
	return true;
}

/* Every stats fd of PID (0: every process) not yet known; VM and vCPU
 * fds without a stats fd next to them are tried with KVM_GET_STATS_FD. */
static int scan(int pid, bool may_add_rows)
{
	DIR *proc = opendir("/proc");
	struct dirent *p;
	int n = 0;

	if (!proc)
		return 0;
	while ((p = readdir(proc))) {
		char dir[64], path[128], link[128];
		int ppid = atoi(p->d_name), vmfd = -1, nstats = 0;
		struct dirent *f;
		DIR *fds;
		ssize_t l;

		if (ppid <= 0 || (pid && ppid != pid) || ppid == getpid())
			continue;
		ks_fmt(dir, sizeof(dir), "/proc/%d/fd", ppid);
		fds = opendir(dir);
		if (!fds)
			continue;
		while ((f = readdir(fds))) {
			int fd = atoi(f->d_name), mine;

			if (f->d_name[0] < '0' || f->d_name[0] > '9')
				continue;
			ks_fmt(path, sizeof(path), "%s/%s", dir, f->d_name);
			l = readlink(path, link, sizeof(link) - 1);
			if (l <= 0)
				continue;
			link[l] = 0;
			if (is_vm_link(link)) {
				note_driver(link);
				if (vmfd < 0)
					vmfd = fd;
			}
			if (!is_stats_link(link))
				continue;
			nstats++;
			if (known(ppid, fd))
				continue;
			note_driver(link);
			mine = grab(ppid, fd);
			if (mine < 0) {
				ks_fmt(refusal, sizeof(refusal),
				       "pidfd_getfd(pid %d, fd %d): %s", ppid,
				       fd, strerror(errno));
				continue;
			}
			if (add_fd(ppid, fd, mine, may_add_rows))
				n++;
			else
				close(mine);
		}
		closedir(fds);
		if (vmfd >= 0 && !nstats && !known(ppid, vmfd)) {
			int mine = grab(ppid, vmfd), sfd;

			if (mine < 0)
				continue;
			sfd = ioctl(mine, KVM_GET_STATS_FD, NULL);
			if (sfd < 0)
				ks_fmt(refusal, sizeof(refusal),
				       "pid %d has a VM but no stats fd open, and "
				       "KVM_GET_STATS_FD on its VM fd %d from "
				       "another process: %s", ppid, vmfd,
				       strerror(errno));
			else if (add_fd(ppid, vmfd, sfd, may_add_rows))
				n++;
			else
				close(sfd);
			close(mine);
		}
	}
	closedir(proc);
	return n;
}

/* --stats-fd PID:FD: a stats fd, or a VM/vCPU fd to ask for one */
static int take_explicit(const char *spec, char *why, size_t whylen)
{
	char path[64], link[128];
	int pid, fd, mine, sfd;
	ssize_t l;

	if (sscanf(spec, "%d:%d", &pid, &fd) != 2 || pid <= 0 || fd < 0)
		usage_error("--stats-fd: '%s' is not PID:FD", spec);
	ks_fmt(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
	l = readlink(path, link, sizeof(link) - 1);
	if (l <= 0) {
		ks_fmt(why, whylen, "--stats-fd %s: %s: %s", spec, path,
		       strerror(errno));
		return -1;
	}
	link[l] = 0;
	if (!is_stats_link(link) && !is_vm_link(link)) {
		ks_fmt(why, whylen, "--stats-fd %s: %s is not a KVM VM, vCPU "
		       "or stats fd", spec, link);
		return -1;
	}
	note_driver(link);
	mine = grab(pid, fd);
	if (mine < 0) {
		ks_fmt(why, whylen, "--stats-fd %s: pidfd_getfd: %s%s", spec,
		       strerror(errno), errno == EPERM
		       ? " (no permission: needs root or ptrace access)" : "");
		return -1;
	}
	sfd = mine;
	if (is_vm_link(link)) {
		sfd = ioctl(mine, KVM_GET_STATS_FD, NULL);
		if (sfd < 0) {
			ks_fmt(why, whylen, "--stats-fd %s: KVM_GET_STATS_FD "
			       "on %s from another process than the VM's "
			       "owner is refused: %s (give the VMM's open "
			       "stats fd instead)", spec, link,
			       strerror(errno));
			close(mine);
			return -1;
		}
		close(mine);
	}
	if (!add_fd(pid, fd, sfd, true)) {
		ks_fmt(why, whylen, "--stats-fd %s: unreadable stats header",
		       spec);
		close(sfd);
		return -1;
	}
	return 1;
}

int sfd_discover(const char *explicit_fd, int pid, char *why, size_t whylen)
{
	int n;

	if (explicit_fd)
		return take_explicit(explicit_fd, why, whylen);
	if (access("/dev/kvm", F_OK) && access("/dev/kvmlab", F_OK)) {
		ks_fmt(why, whylen, "no binary stats: neither /dev/kvm nor "
		       "/dev/kvmlab exists: no KVM module loaded");
		return -1;
	}
	n = scan(pid, true);
	if (n <= 0)
		ks_fmt(why, whylen, "no binary stats fd to read%s%s: %s",
		       pid ? " in pid " : "", pid ? "given" : "",
		       *refusal ? refusal :
		       "no process keeps a KVM stats fd open (a VMM running "
		       "a VM, e.g. QEMU or tools/vmrun; --stats-fd PID:FD)");
	return n;
}

void sfd_start(int pid, bool include_past, bool fixed)
{
	scan_pid = fixed ? -1 : pid;
	only_pid = fixed ? 0 : pid;
	for (int i = 0; i < nsfds; i++) {
		struct sfd *s = &sfds[i];

		s->counted_past = include_past;
		for (uint32_t j = 0; j < s->h.num_desc; j++)
			if (s->stat[j] >= 0)
				read_val(s, s->descs[j], &s->start[j]);
	}
	started = true;
	sfd_read();
	for (int i = 0; i < ks.n; i++)
		if (ks.v[i].src == SRC_STATS) {
			ks.v[i].base = 0;
			ks.v[i].prev = ks.v[i].cur;
		}
}

void sfd_read(void)
{
	if (scan_pid >= 0)
		scan(scan_pid, false);	/* VMs started since */
	for (int i = 0; i < ks.n; i++)
		if (ks.v[i].src == SRC_STATS)
			ks.v[i].cur = 0;
	for (int i = 0; i < nsfds; i++) {
		struct sfd *s = &sfds[i];

		if (only_pid && s->pid != only_pid)
			continue;
		for (uint32_t j = 0; j < s->h.num_desc; j++) {
			uint64_t v;

			if (s->stat[j] < 0 || !read_val(s, s->descs[j], &v))
				continue;
			/* without -i, a VM present at start counts from
			 * then on; one found later, from its creation */
			if (!s->counted_past)
				v = v >= s->start[j] ? v - s->start[j] : 0;
			ks.v[s->stat[j]].cur += v;
		}
	}
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Context-switch latency in the style of lmbench's lat_ctx: N processes in
 * a ring of pipes pass one token around; each, on receiving it, reads its
 * own working set of W KiB, then passes it on.  Every pass is a switch to
 * another process (another address space: a CR3 write in the guest).
 *
 *   latctx [-r ROUNDS] [-b BATCHES] [-s KIB,...] [-p PROCS,...]
 *
 * One line per (W, N):
 *   # LATCTX procs=N size_kb=W rounds=R batches=B switch_us=X min_us=L
 *     max_us=H ws_us=Y
 * Each ring is timed in B batches of R rounds: switch_us is the median
 * batch's time per pass (the upper median for an even B), min_us and max_us the fastest and slowest batch's
 * (a timer tick or a host exit lands in one batch, not in the median).
 * All three are minus ws_us, the time one process takes to read its
 * working set with no switch (lmbench's overhead subtraction; the pipe
 * write and read stay in, as lmbench's do).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

#define MAX_BATCHES	64

static volatile unsigned long sink;

static void touch(const unsigned long *ws, size_t words)
{
	unsigned long s = 0;

	for (size_t i = 0; i < words; i++)
		s += ws[i];
	sink = s;
}

static int xread(int fd, void *buf)
{
	ssize_t r;

	do
		r = read(fd, buf, 1);
	while (r < 0 && errno == EINTR);
	return r == 1 ? 0 : -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Time of one pass through a ring of n processes, in microseconds, for
 * each of the batches (sorted, fastest first).
 */
static void ring(int n, size_t kib, int rounds, int batches, double *t)
{
	size_t words = kib * 1024 / sizeof(unsigned long);
	int (*p)[2] = calloc(n, sizeof(*p));
	pid_t *pids = calloc(n, sizeof(*pids));
	unsigned long *ws = calloc(words ? words : 1, sizeof(*ws));
	double t0 = 0;
	char c = 'x';
	int i;

	if (!p || !pids || !ws) {
		perror("latctx: calloc");
		exit(1);
	}
	for (i = 0; i < n; i++)
		if (pipe(p[i]) < 0) {
			perror("latctx: pipe");
			exit(1);
		}
	/* process i reads pipe i, writes pipe (i + 1) % n; process 0 is us */
	for (i = 1; i < n; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("latctx: fork");
			exit(1);
		}
		if (pids[i] == 0) {
			memset(ws, i, words * sizeof(*ws));	/* own pages */
			for (;;) {
				if (xread(p[i][0], &c) < 0)
					_exit(1);
				touch(ws, words);
				if (write(p[(i + 1) % n][1], &c, 1) != 1)
					_exit(1);
			}
		}
	}
	memset(ws, 1, words * sizeof(*ws));
	/* one round to warm up: every process has run once */
	for (int r = -1; r < rounds * batches; r++) {
		if (r >= 0 && r % rounds == 0)
			t0 = now_us();
		touch(ws, words);
		if (write(p[1 % n][1], &c, 1) != 1 || xread(p[0][0], &c) < 0) {
			fprintf(stderr, "latctx: the ring broke\n");
			exit(1);
		}
		if (r >= 0 && r % rounds == rounds - 1)
			t[r / rounds] = (now_us() - t0) / rounds / n;
	}
	qsort(t, batches, sizeof(*t), cmp_double);
	/* every process holds every pipe end: no EOF ever ends the ring */
	for (i = 1; i < n; i++)
		kill(pids[i], SIGKILL);
	for (i = 1; i < n; i++)
		waitpid(pids[i], NULL, 0);
	for (i = 0; i < n; i++) {
		close(p[i][0]);
		close(p[i][1]);
	}
	free(p);
	free(pids);
	free(ws);
}

/* The working-set read alone, per pass. */
static double overhead(size_t kib, int rounds)
{
	size_t words = kib * 1024 / sizeof(unsigned long);
	unsigned long *ws = calloc(words ? words : 1, sizeof(*ws));
	double t0;

	if (!ws) {
		perror("latctx: calloc");
		exit(1);
	}
	memset(ws, 1, words * sizeof(*ws));
	t0 = now_us();
	for (int r = 0; r < rounds; r++)
		touch(ws, words);
	t0 = (now_us() - t0) / rounds;
	free(ws);
	return t0;
}

static int parse_list(char *s, int *v, int max)
{
	int n = 0;

	for (char *t = strtok(s, ","); t && n < max; t = strtok(NULL, ","))
		v[n++] = atoi(t);
	return n;
}

int main(int argc, char **argv)
{
	int sizes[16] = { 0, 16 }, procs[16] = { 2, 8 };
	int nsizes = 2, nprocs = 2, rounds = 10, batches = 1, opt;
	double t[MAX_BATCHES];

	while ((opt = getopt(argc, argv, "r:b:s:p:")) != -1) {
		switch (opt) {
		case 'r': rounds = atoi(optarg); break;
		case 'b': batches = atoi(optarg); break;
		case 's': nsizes = parse_list(optarg, sizes, 16); break;
		case 'p': nprocs = parse_list(optarg, procs, 16); break;
		default:
			fprintf(stderr, "usage: latctx [-r ROUNDS] [-b BATCHES] [-s KIB,...] [-p PROCS,...]\n");
			return 2;
		}
	}
	if (rounds < 1) {
		fprintf(stderr, "latctx: -r wants at least 1 round\n");
		return 2;
	}
	if (batches < 1 || batches > MAX_BATCHES) {
		fprintf(stderr, "latctx: -b wants 1 to %d batches\n", MAX_BATCHES);
		return 2;
	}
	for (int s = 0; s < nsizes; s++) {
		double ws = overhead(sizes[s], rounds * 8);

		for (int q = 0; q < nprocs; q++) {
			if (procs[q] < 2) {
				fprintf(stderr, "latctx: a ring needs 2 processes\n");
				return 2;
			}
			ring(procs[q], sizes[s], rounds, batches, t);
			printf("# LATCTX procs=%d size_kb=%d rounds=%d batches=%d switch_us=%.2f min_us=%.2f max_us=%.2f ws_us=%.2f\n",
			       procs[q], sizes[s], rounds, batches,
			       t[batches / 2] - ws, t[0] - ws,
			       t[batches - 1] - ws, ws);
			fflush(stdout);
		}
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * fork + exec + exit, as lmbench's lat_proc exec: the parent forks, the
 * child execs this same static program with the argument "exit", which
 * returns at once; the parent waits.  Each iteration builds and tears down
 * an address space twice (fork's copy, exec's new one).
 *
 *   forkexec [ITERATIONS]
 *   # FORKEXEC iterations=N us_per_iter=X
 */
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

int main(int argc, char **argv)
{
	int n = 10;
	double t0;

	if (argc > 1 && !strcmp(argv[1], "exit"))
		return 0;
	if (argc > 1)
		n = atoi(argv[1]);
	if (n < 1) {
		fprintf(stderr, "usage: forkexec [ITERATIONS >= 1]\n");
		return 2;
	}
	t0 = now_us();
	for (int i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();

		if (pid < 0) {
			perror("forkexec: fork");
			return 1;
		}
		if (pid == 0) {
			execl("/proc/self/exe", "forkexec", "exit", (char *)NULL);
			perror("forkexec: exec");
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			fprintf(stderr, "forkexec: child %d failed (status %#x)\n",
				i, status);
			return 1;
		}
	}
	printf("# FORKEXEC iterations=%d us_per_iter=%.1f\n", n,
	       (now_us() - t0) / n);
	return 0;
}

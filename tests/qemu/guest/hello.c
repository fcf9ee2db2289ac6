// SPDX-License-Identifier: GPL-2.0
/*
 * The first program of the Linux guest: a few system calls that need the
 * kernel's syscall path, page faults in a fresh process and a child
 * process, then one line tests/qemu/run checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	size_t len = 4 << 20;
	char *buf = malloc(len);
	unsigned long sum = 0;
	int status;
	pid_t pid;

	if (!buf) {
		perror("hello: malloc");
		return 1;
	}
	memset(buf, 0x5a, len);	/* 1024 fresh pages, one fault each */
	for (size_t i = 0; i < len; i += 4096)
		sum += (unsigned char)buf[i];
	pid = fork();
	if (pid < 0) {
		perror("hello: fork");
		return 1;
	}
	if (pid == 0) {
		buf[0] = 1;	/* copy-on-write in the child */
		_exit(buf[0] == 1 && buf[4096] == 0x5a ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "hello: the child failed (status %#x)\n", status);
		return 1;
	}
	if (sum != 0x5aUL * (len / 4096) || buf[0] != 0x5a) {
		fprintf(stderr, "hello: memory check failed\n");
		return 1;
	}
	printf("KVMLAB-GUEST hello pid=%d pages=%zu ok\n", (int)getpid(),
	       len / 4096);
	return 0;
}

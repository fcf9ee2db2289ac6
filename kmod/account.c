// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: the live-allocation counts (account.h) in debugfs, as one file
 * a script reads: /sys/kernel/debug/kvmlab/accounting, "NAME VALUE" per
 * line, the in-use figures of this moment.
 */
#include <linux/bug.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "account.h"

atomic_long_t kvmlab_acct[KVMLAB_NR_ACCT];

static const char *const acct_names[] = {
#define X(n) #n,
	KVMLAB_ACCT_KINDS(X)
#undef X
};

static int accounting_show(struct seq_file *m, void *unused)
{
	int i;

	for (i = 0; i < KVMLAB_NR_ACCT; i++)
		seq_printf(m, "%s %ld\n", acct_names[i],
			   atomic_long_read(&kvmlab_acct[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(accounting);

void kvmlab_account_init(struct dentry *dir)
{
	debugfs_create_file("accounting", 0444, dir, NULL, &accounting_fops);
}

/* At unload no VM can be left: anything counted is a leak. */
void kvmlab_account_check(void)
{
	int i;

	for (i = 0; i < KVMLAB_NR_ACCT; i++) {
		long n = atomic_long_read(&kvmlab_acct[i]);

		WARN(n, "kvmlab: %ld %s still counted at unload: a leak\n",
		     n, acct_names[i]);
	}
}

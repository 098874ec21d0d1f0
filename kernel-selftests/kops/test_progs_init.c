// SPDX-License-Identifier: GPL-2.0
/*
 * /init that runs the series' upstream-shaped selftests in QEMU:
 * test_progs -t verifier_kops -t kops (tools/testing/selftests/bpf, built
 * by scripts/vm-test-progs.sh), then reboots.  The exit status is printed
 * as "TEST-PROGS-RC: N".  Unprivileged BPF is switched on first (the test
 * kernels start with it off, value 2, which may be changed), so that
 * test_loader runs the @unpriv variants: markers need CAP_BPF.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int st = 0, fd;
	pid_t pid;

	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TEST-PROGS-BEGIN\n");
	fd = open("/proc/sys/kernel/unprivileged_bpf_disabled", O_WRONLY);
	if (fd < 0 || write(fd, "0", 1) != 1)
		printf("TEST-PROGS-WARN: unprivileged BPF stays off\n");
	if (fd >= 0)
		close(fd);
	pid = fork();
	if (!pid) {
		execl("/test_progs", "test_progs", "-t", "verifier_kops",
		      "-t", "kops", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	printf("TEST-PROGS-RC: %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	fflush(stdout);
	sync();
	reboot(RB_AUTOBOOT);
	return 0;
}

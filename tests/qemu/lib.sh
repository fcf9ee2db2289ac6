# tests/qemu/lib.sh: sourced by tests/qemu/run and tests/qemu/bench (inside
# the lab, from the repo root).  Loads the driver of a configuration and
# boots the Linux guest under unmodified QEMU in the 2006 model.

qemu_img=build/qemu/initramfs.cpio.gz
qemu_kernel=/boot/vmlinuz-$(lab/kernel-version)
qemu_configs=(kvm-npt1 kvm-npt0 kvmlab-npt kvmlab-cache kvmlab-unsync kvmlab-flush)

qemu_unload_all() {
	lab/kvmlab unload >/dev/null 2>&1
	lab/kvm-intree unload >/dev/null 2>&1
}

# qemu_load CONFIG: load its driver; sets qemu_node (the device QEMU gets
# as /dev/kvm) and qemu_driver (kvm or kvmlab).  1: unknown or not loaded.
qemu_load() {
	qemu_unload_all
	case "$1" in
	kvm-npt1) lab/kvm-intree load npt=1; qemu_node=/dev/kvm qemu_driver=kvm ;;
	kvm-npt0) lab/kvm-intree load npt=0; qemu_node=/dev/kvm qemu_driver=kvm ;;
	kvmlab-npt|kvmlab-cache|kvmlab-flush|kvmlab-unsync)
		lab/kvmlab load "mmu=${1#kvmlab-}"
		qemu_node=/dev/kvmlab qemu_driver=kvmlab ;;
	*) return 1 ;;
	esac
	[ -c "$qemu_node" ]
}

# qemu_stuck PID: what QEMU's threads are doing in the kernel (state,
# wait channel, kernel stack) and whether kvmlab's guest still exits: for
# a boot that timed out, or a QEMU that outlives SIGKILL.
qemu_stuck() {
	local t c0 c1
	for t in /proc/"$1"/task/*; do
		[ -d "$t" ] || continue
		echo "  thread ${t##*/} ($(cat "$t/comm" 2>/dev/null)):" \
			"state $(cut -d' ' -f3 "$t/stat" 2>/dev/null)," \
			"wchan $(cat "$t/wchan" 2>/dev/null)"
		sed 's/^/    /' "$t/stack" 2>/dev/null | head -n 20
	done
	[ -r /sys/kernel/debug/kvmlab/exits ] || return 0
	# in the background: a read that blocks must not stop the report
	t=$(mktemp)
	{ cat /sys/kernel/debug/kvmlab/exits; sleep 1
	  cat /sys/kernel/debug/kvmlab/exits; } >"$t" 2>&1 &
	sleep 2
	c0=$(sed -n 1p "$t") c1=$(sed -n 2p "$t")
	echo "  kvmlab exits: ${c0:-no answer}, a second later ${c1:-no answer}"
	rm -f "$t"
}

# qemu_boot NODE LOG TIMEOUT [KERNEL ARGS...]: QEMU in a mount namespace
# whose /dev is a tmpfs with null, zero, full, random, urandom and a kvm
# node that is NODE; console to LOG.  QEMU's exit status (124: timeout,
# after its threads' kernel stacks are printed; 137: it outlived SIGKILL).
# QEMU_STRACE=FILE: its ioctls there.
qemu_boot() {
	local node=$1 log=$2 timeout=$3 dev pid end i
	shift 3
	dev=$(stat -c '%t:%T' "$node") || return 1
	# shellcheck disable=SC2016
	unshare -m sh -c '
		set -e
		d=$(mktemp -d)
		mount -t tmpfs -o mode=755 qemudev "$d"
		for n in null zero full random urandom; do cp -a /dev/$n "$d/"; done
		mknod -m 600 "$d/kvm" c $((0x${1%:*})) $((0x${1#*:}))
		mount --bind "$d" /dev
		shift
		exec "$@"' sh "$dev" \
		${QEMU_STRACE:+strace -f -o "$QEMU_STRACE" -e trace=ioctl -X verbose} \
		qemu-system-x86_64 -accel kvm -machine pc,kernel-irqchip=off \
		-cpu host,kvm=off -smp 1 -m 256 -nodefaults -no-reboot \
		-display none -serial stdio -monitor none \
		-kernel "$qemu_kernel" -initrd "$qemu_img" \
		-append "console=ttyS0 panic=-1 loglevel=${QEMU_LOGLEVEL:-4} $*" \
		</dev/null >"$log" 2>&1 &
	pid=$!	# unshare and sh exec: QEMU's pid
	end=$((SECONDS + timeout))
	while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt "$end" ]; do
		sleep 1
	done
	kill -0 "$pid" 2>/dev/null || { wait "$pid"; return; }
	echo "qemu_boot: QEMU (pid $pid) still runs after $timeout s; its threads:" | tee -a "$log"
	qemu_stuck "$pid" | tee -a "$log"
	exec 3>&2 2>/dev/null	# (no "Killed" notice from the shell)
	kill -TERM "$pid"
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
		kill -0 "$pid" 2>/dev/null || break
		[ "$i" = 5 ] && kill -KILL "$pid" 2>/dev/null
		sleep 1
	done
	exec 2>&3 3>&-
	if kill -0 "$pid" 2>/dev/null; then
		echo "qemu_boot: QEMU (pid $pid) outlived SIGKILL: stuck in the kernel; its threads:" | tee -a "$log"
		qemu_stuck "$pid" | tee -a "$log"
		return 137
	fi
	wait "$pid" 2>/dev/null
	return 124
}

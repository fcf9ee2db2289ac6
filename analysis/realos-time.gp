# analysis/realos-time.gp: Linux under QEMU, boot time to the first
# userspace program (left) and fork+exec+exit+wait (right) per
# configuration, guest clock.
load "analysis/common.gp"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.8
set logscale y
set xtics rotate by -30 font ",8"
unset key
set multiplot layout 1,2 title "Linux under QEMU: boot and fork+exec"
set title "boot to /init" font ",10"
set ylabel "guest seconds (log)"
plot dir . "/realos-time.dat" using 2:xtic(1) lc rgb "#7570b3"
set title "fork + exec + exit + wait" font ",10"
set ylabel "guest milliseconds (log)"
plot dir . "/realos-time.dat" using 3:xtic(1) lc rgb "#d95f02"
unset multiplot

# analysis/realos-reasons.gp: Linux under QEMU, exits by reason per
# context switch of lat_ctx (left) and per fork+exec (right), every
# configuration (the in-tree KVM has no CR and nested-page-fault exit
# counters: its "other" includes them, with its #PF exits).
load "analysis/common.gp"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set yrange [0.001:*]
set xtics rotate by -30 font ",8"
set key top left font ",8"
set multiplot layout 1,2 title "Linux under QEMU: exits by reason"
set title "per context switch (lat\\_ctx)" font ",10"
set ylabel "exits (log)"
plot for [i=2:8] dir . "/realos-reasons-latctx.dat" using i:xtic(1) title columnhead(i)
set title "per fork+exec" font ",10"
unset key
plot for [i=2:8] dir . "/realos-reasons-forkexec.dat" using i:xtic(1) title columnhead(i)
unset multiplot

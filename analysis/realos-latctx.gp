# analysis/realos-latctx.gp: Linux under QEMU, lmbench-style lat_ctx:
# microseconds per context switch against the number of processes in the
# ring, with no working set (left) and 64 KiB each (right), every
# configuration (analysis/realos.py's realos-latctx-W-CONFIG.dat): the
# median batch, with a bar from the fastest to the slowest batch.
load "analysis/common.gp"
f(w, i) = sprintf("%s/realos-latctx-%d-%s.dat", dir, w, word(configs, i))
set multiplot layout 1,2 title "Linux under QEMU: context-switch latency (lat\\_ctx)"
set logscale x 2
set logscale y
set xlabel "processes in the ring"
set ylabel "guest microseconds per switch (log)"
set title "working set 0 KiB" font ",10"
# a switch time at or below zero (the working-set subtraction exceeds it)
# is not drawn on the log scale
bar(c) = column(c) > 0 ? column(c) : NaN
plot for [i=1:words(configs)] f(0, i) using 1:(bar(2)) with linespoints ls i title word(labels, i), \
     for [i=1:words(configs)] f(0, i) using 1:(bar(2)):(bar(3)):(bar(4)) with yerrorbars ls i notitle
set title "working set 64 KiB per process" font ",10"
plot for [i=1:words(configs)] f(64, i) using 1:(bar(2)) with linespoints ls i title word(labels, i), \
     for [i=1:words(configs)] f(64, i) using 1:(bar(2)):(bar(3)):(bar(4)) with yerrorbars ls i notitle
unset multiplot

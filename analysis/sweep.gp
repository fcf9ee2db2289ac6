# analysis/sweep.gp: exits and emulated time per context switch against the
# number of address spaces (axis "n", 16 pages each) or pages touched per
# switch (axis "m", 16 address spaces), one paging mode, every variant.
# Set `axis` and `mode` too (gnuplot -e).
load "analysis/common.gp"
xl = (axis eq "n") ? "address spaces N (M = 16 pages)" : "pages touched per switch M (N = 16)"
f(i) = sprintf("%s/sweep-%s-%s-%s.dat", dir, axis, mode, word(configs, i))
set multiplot layout 1,2 title sprintf("Context switches, %s paging", mode eq "32" ? "32-bit" : mode eq "pae" ? "PAE" : "64-bit")
set logscale x 2
set xlabel xl
set ylabel "exits per switch"
set logscale y
set yrange [0.01:*]
plot for [i=1:words(configs)] f(i) using 1:($2 > 0 ? $2 : 0.01):($3 > 0 ? $3 : 0.01):($4 > 0 ? $4 : 0.01) with yerrorlines ls i title word(labels, i)
set ylabel "emulated time per switch (ns)"
set yrange [*:*]
plot for [i=1:words(configs)] f(i) using 1:6:7:8 with yerrorlines ls i title word(labels, i)
unset multiplot

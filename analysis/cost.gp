# analysis/cost.gp: emulated time per operation against the cost model
# (emulated time + exits x the VMRUN round trip of analysis/costs.txt).
load "analysis/common.gp"
set terminal push
set title "Cost model: emulated time vs. emulated time + exits x VMRUN round trip"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set ylabel "ns per operation (log)"
set xtics rotate by -35 font ",8"
set bmargin 7
set key top right
plot dir . "/cost.dat" using 2:xtic(1) title "emulated (icount)" lc rgb "#7570b3", \
     '' using 3 title "modelled" lc rgb "#d95f02"

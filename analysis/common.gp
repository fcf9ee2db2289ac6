# analysis/common.gp: terminal and style shared by the figures; analysis/plot
# sets `dir` (the .dat files), `out` (output file without extension) and
# `fmt` (png or svg) with gnuplot -e.
if (fmt eq "png") set terminal pngcairo size 900,420 font "DejaVu Sans,10"; \
else set terminal svg size 900,420 font "DejaVu Sans,10" dynamic
set output out . "." . fmt
configs = "kvm-npt1 kvm-npt0 kvmlab-npt kvmlab-flush kvmlab-cache kvmlab-unsync"
labels = "KVM-npt=1 KVM-npt=0 kvmlab-npt kvmlab-flush kvmlab-cache kvmlab-unsync"
set style line 1 lc rgb "#1b9e77" lw 2 pt 5 dt 2
set style line 2 lc rgb "#000000" lw 2 pt 7
set style line 3 lc rgb "#7570b3" lw 2 pt 9 dt 2
set style line 4 lc rgb "#d95f02" lw 2 pt 11
set style line 5 lc rgb "#e7298a" lw 2 pt 13
set style line 6 lc rgb "#66a61e" lw 2 pt 15 dt 3
set key top left font ",9"
set grid

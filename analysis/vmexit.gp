# analysis/vmexit.gp: emulated time per operation of the exit
# micro-benchmarks (guests/long/vmexit.c), every variant.
load "analysis/common.gp"
set title "Exit micro-benchmarks: emulated time per operation"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set yrange [1:*]
set ylabel "emulated ns per operation (log)"
set xtics rotate by -30
set key top right
plot for [i=2:words(configs) + 1] dir . "/vmexit.dat" using i:xtic(1) title word(labels, i - 1) lc rgb word("#1b9e77 #000000 #7570b3 #d95f02 #e7298a #66a61e", i - 1)

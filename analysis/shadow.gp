# analysis/shadow.gp: shadow memory in use at the end of each context-switch
# segment against the number of address spaces (kvmlab's shadow_pages level
# counter; the in-tree KVM 6.1 has no such counter).
load "analysis/common.gp"
set title "Shadow page tables in use (kvmlab), M = 16 pages"
set logscale xy 2
set xlabel "address spaces N"
set ylabel "shadow memory (KiB)"
f(v, m) = sprintf("%s/sweep-n-%s-kvmlab-%s.dat", dir, m, v)
plot for [m in "32 pae long"] f("cache", m) using 1:($9 * 4) with linespoints lw 2 title "cache, " . m, \
     for [m in "32 pae long"] f("flush", m) using 1:($9 * 4) with linespoints lw 2 dt 2 title "flush, " . m

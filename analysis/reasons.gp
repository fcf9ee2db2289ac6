# analysis/reasons.gp: exits per tick of the desktop-like guest by reason,
# every variant (the in-tree KVM has no CR/NPF exit counters: its "other"
# includes them).
load "analysis/common.gp"
set title "Desktop-like guest: exits per timer tick by reason"
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.6
set ylabel "exits per tick"
set key top left
plot dir . "/reasons.dat" using 2:xtic(1) title "PIO", '' using 3 title "MMIO", \
     '' using 4 title "HLT", '' using 5 title "interrupt", '' using 6 title "CR access", \
     '' using 7 title "nested page fault", '' using 8 title "other (exceptions, ...)"

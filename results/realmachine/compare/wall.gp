set terminal svg size 1200,700 dynamic font 'sans,14' background '#ffffff'
set output 'wall.svg'
set title 'Wall clock under plain TCG: MiB/s, stock vs patched 6.12 (median, bars: min-max over boots)' noenhanced
set ylabel 'MiB/s'
set xlabel 'number above each pair: wall time stock/patched, median over ABBA boot pairs (?: their range includes 1)' offset 0,-1.2
set bmargin 6
unset logscale y
set yrange [0:8529.98]
set xrange [-0.6:1.6]
set grid ytics
set key top right
set style fill solid 0.85 border -1
set xtics noenhanced scale 0 font ',11'
set xtics ("QEMU NVMe Ctrl (nvme0n1)\nblkdiscard -z" 0, "QEMU NVMe Ctrl (nvme0n1)\nfallocate-zero-range" 1)
bw = 0.36
plot 'wall.dat' using ($1-bw/2):3:($1-bw):($1):(0):3 with boxxyerror lc rgb '#d62728' title 'stock', \
     '' using ($1+bw/2):6:($1):($1+bw):(0):6 with boxxyerror lc rgb '#1f77b4' title 'patched', \
     '' using ($1-bw/2):3:4:5 with yerrorbars lc rgb 'black' lw 1.5 pt 7 ps 0.6 notitle, \
     '' using ($1+bw/2):6:7:8 with yerrorbars lc rgb 'black' lw 1.5 pt 7 ps 0.6 notitle, \
     '' using 1:10:9 with labels font ',13' notitle

set terminal pngcairo size 1200,700 font 'sans,12' background '#ffffff'
set output 'wall.png'
replot
unset output

set terminal svg size 1200,700 dynamic font 'sans,14' background '#ffffff'
set output 'latency.svg'
set title 'fio driving kernel zeroing: completion latency per call, stock vs patched 6.12' noenhanced
set ylabel 'thousand guest ns per call, log scale (cost boots: thousand instructions)'
set xlabel 'bar: p50, whisker: p50 to p99.9; number above each pair: stock/patched at p50' offset 0,-1.2
set bmargin 6
set logscale y
set yrange [100:100000]
set xrange [-0.6:2.6]
set grid ytics
set key top right
set style fill solid 0.85 border -1
set xtics noenhanced scale 0 font ',11'
set xtics ("QEMU NVMe Ctrl (nvme0n1)\nfio-fallocate-2m" 0, "QEMU NVMe Ctrl (nvme0n1)\nfio-ioctl-2m" 1, "QEMU NVMe Ctrl (nvme0n1)\nfio-uring-small-2m" 2)
bw = 0.36
plot 'latency.dat' using ($1-bw/2):3:($1-bw):($1):(100):3 with boxxyerror lc rgb '#d62728' title 'stock', \
     '' using ($1+bw/2):5:($1):($1+bw):(100):5 with boxxyerror lc rgb '#1f77b4' title 'patched', \
     '' using ($1-bw/2):3:3:4 with yerrorbars lc rgb 'black' lw 1.5 pt 7 ps 0.6 notitle, \
     '' using ($1+bw/2):5:5:6 with yerrorbars lc rgb 'black' lw 1.5 pt 7 ps 0.6 notitle, \
     '' using 1:8:7 with labels font ',13' notitle

set terminal pngcairo size 1200,700 font 'sans,12' background '#ffffff'
set output 'latency.png'
replot
unset output

set terminal svg size 1200,700 dynamic font 'sans,14' background '#ffffff'
set output 'cost.svg'
set title "Kernel zeroing (blkdiscard -z): guest instructions per GiB, stock vs patched 6.12" noenhanced
set ylabel 'million guest instructions per GiB (log scale)'
set xlabel 'QEMU TCG -icount, mean of the boots; number above each pair: stock/patched'
set logscale y
set yrange [0.1:1000]
set xrange [-0.6:3.6]
set grid ytics
set key top right
set style fill solid 0.85 border -1
set xtics noenhanced scale 0
set xtics ("null_blk default" 0, "null_blk 1280K req" 1, "null_blk 8M req" 2, "null_blk virt_boundary" 3)
bw = 0.36
plot 'cost.dat' using ($1-bw/2):3:($1-bw):($1):(0.1):3 with boxxyerror lc rgb '#d62728' title 'stock', \
     '' using ($1+bw/2):4:($1):($1+bw):(0.1):4 with boxxyerror lc rgb '#1f77b4' title 'patched', \
     '' using 1:6:5 with labels font ',14' notitle

set terminal pngcairo size 1200,700 font 'sans,12' background '#ffffff'
set output 'cost.png'
replot
unset output

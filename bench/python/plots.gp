# bench/python/plots.gp - PNG plots of bench/python/run.py's python.csv.
#   gnuplot -e "dir='results/latest'" bench/python/plots.gp
# python.csv: one row per part (percall, e2e), variant and P; medians with min and max over
# clean runs (columns: 5-7 mean ns per call, 8-10 p50 of block means, 17-19 lines/s; 22 label).

if (!exists("dir")) dir = "results/latest"
csv = dir . "/python.csv"
set datafile separator ","
set datafile missing "NaN"
set terminal pngcairo size 1100,700 font "DejaVu Sans,11" noenhanced
set grid y

set output dir . "/python_per_call.png"
set title "Python, per call in one process: mean ns per call (median over rounds, min-max)"
set ylabel "ns per call (log scale)"
set logscale y
set style fill solid 0.6 border -1
set boxwidth 0.7
set xtics rotate by -30 left font ",9"
set bmargin 12
set rmargin 12
set key off
rows = "< grep '^percall,' '" . csv . "'"
plot rows using 2:5:xtic(22) with boxes lc rgb "#4c72b0", \
	'' using 2:5:6:7 with yerrorbars lc rgb "black" pt 0, \
	'' using 2:5:(sprintf("%.0f", column(5))) with labels offset 0,0.8 font ",8"

reset
set datafile separator ","
set datafile missing "NaN"
set output dir . "/python_e2e.png"
set title "Python, end to end: lines/s into one file against writer processes (median, min-max)"
set grid
set key outside right top font ",9"
set logscale y
set logscale x 2
set xrange [0.8:5]
set xtics (1, 2, 4)
set xlabel "P: writer processes, on 2 CPUs"
set ylabel "thousand lines/s (log scale)"
label(v) = v eq "shm_handler" ? "shmlog.Handler" : v eq "shm_ring" ? "shmlog Ring.info direct" : \
	v eq "shm_structlog" ? "structlog via shmlog" : v eq "shm_loguru" ? "loguru via shmlog" : \
	v eq "file" ? "FileHandler, O_APPEND" : v eq "queue" ? "QueueHandler + QueueListener" : \
	v eq "loguru_enqueue" ? "loguru enqueue=True" : v eq "structlog_json" ? "structlog JSON -> file" : v
variants = "shm_handler shm_ring shm_structlog shm_loguru file queue loguru_enqueue structlog_json"
pick(v, c) = strcol(1) eq "e2e" && strcol(3) eq v ? column(c) : NaN
plot for [v in variants] csv skip 1 using 4:(pick(v, 17) / 1e3):(pick(v, 18) / 1e3):(pick(v, 19) / 1e3) \
	with yerrorlines lw 2 title label(v)

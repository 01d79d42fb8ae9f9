# plots.gp - PNG plots of one bench/run.sh run, from the CSV files it wrote.
#   gnuplot -e "dir='results/latest'" bench/plots.gp
# e2e_summary.csv: one row per variant and P (sorted so), medians with min and max per metric;
# latency_summary.csv: bench_writer_latency's percentiles per writer count and call.
# Points are medians over runs; error bars span min to max.

if (!exists("dir")) dir = "results/latest"
e2e = dir . "/e2e_summary.csv"
lat = dir . "/latency_summary.csv"
set datafile separator ","
set datafile missing "NaN"
set terminal pngcairo size 1100,700 font "DejaVu Sans,11" noenhanced
set key outside right top
set grid
# gnuplot's default colours repeat after eight; there are nine variants
set linetype 9 lc rgb "#8c564b" pt 9
set logscale x 2
set xrange [0.8:10]
set xtics (1, 2, 4, 8)
set xlabel "P: writer processes (spdlog: threads), on 2 CPUs"

variants = "shm_text shm_json shm_fields shm_write shm_json_sync append pipe syslog spdlog"
label(v) = v eq "shm_text" ? "shmlog_log -> shmlogd, text" : \
	v eq "shm_json" ? "shmlog_log -> shmlogd, json" : \
	v eq "shm_fields" ? "shmlog_log_fields -> shmlogd, json" : \
	v eq "shm_write" ? "snprintf + shmlog_write -> shmlogd, text" : \
	v eq "shm_json_sync" ? "shmlog_log -> shmlogd, json, --fsync interval:1000" : \
	v eq "append" ? "write(2), one O_APPEND file" : \
	v eq "pipe" ? "pipe -> collector" : \
	v eq "syslog" ? "syslog -> private rsyslogd" : \
	v eq "spdlog" ? "spdlog async (P threads)" : v
pick(v, c) = strcol(1) eq v ? column(c) : NaN

has_e2e = system("test -s '" . e2e . "' && echo 1 || echo 0") + 0
has_lat = system("test -s '" . lat . "' && echo 1 || echo 0") + 0

if (has_e2e) {
	set output dir . "/throughput.png"
	set title "End to end: lines/s into one file (median, min-max over runs)"
	set ylabel "thousand lines/s (log scale)"
	set logscale y
	plot for [v in variants] e2e skip 1 using 2:(pick(v, 5) / 1e3):(pick(v, 6) / 1e3):(pick(v, 7) / 1e3) \
		with yerrorlines lw 2 title label(v)
	unset logscale y

	set output dir . "/latency_under_load.png"
	set multiplot layout 1, 2 title "Logging call latency under load (whole call, sampled; timer included)"
	set key inside left top font ",8"
	set logscale y
	set ylabel "ns (log scale)"
	set title "p50"
	plot for [v in variants] e2e skip 1 using 2:(pick(v, 17)):(pick(v, 18)):(pick(v, 19)) \
		with yerrorlines lw 2 title label(v)
	set title "p99"
	plot for [v in variants] e2e skip 1 using 2:(pick(v, 20)):(pick(v, 21)):(pick(v, 22)) \
		with yerrorlines lw 2 notitle
	unset multiplot
	unset logscale y

	set output dir . "/collector_and_memory.png"
	set terminal pngcairo size 1500,550 font "DejaVu Sans,10" noenhanced
	set multiplot layout 1, 3 title "Collector CPU per line, and peak RSS (VmHWM)"
	set key inside left top font ",8"
	set title "collector CPU, µs per line"
	set ylabel "µs (log scale)"
	set logscale y
	plot for [v in variants] e2e skip 1 using 2:(pick(v, 8)):(pick(v, 9)):(pick(v, 10)) \
		with yerrorlines lw 2 title label(v)
	unset logscale y
	set title "collector VmHWM, MiB"
	set ylabel "MiB"
	set yrange [0:*]
	plot for [v in variants] e2e skip 1 using 2:(pick(v, 11)):(pick(v, 12)):(pick(v, 13)) \
		with yerrorlines lw 2 notitle
	set title "largest writer VmHWM, MiB"
	plot for [v in variants] e2e skip 1 using 2:(pick(v, 14)):(pick(v, 15)):(pick(v, 16)) \
		with yerrorlines lw 2 notitle
	unset multiplot
	set autoscale y
	set terminal pngcairo size 1100,700 font "DejaVu Sans,11" noenhanced
}

if (has_lat) {
	calls = "snprintf shmlog_write shmlog_log shmlog_log_fields"
	picks(c, col) = strcol(2) eq "sleeping" && strcol(3) eq c ? column(col) : NaN
	set output dir . "/writer_latency.png"
	set multiplot layout 1, 2 title "bench_writer_latency: one call, room in the ring (timer subtracted)"
	set key inside left top font ",9"
	set ylabel "ns"
	set yrange [0:*]
	set xlabel "writer processes, on 2 CPUs"
	set title "p50"
	plot for [c in calls] lat skip 1 using 1:(picks(c, 13)):(picks(c, 14)):(picks(c, 15)) \
		with yerrorlines lw 2 title c
	set title "p99 (timer included)"
	set autoscale y
	set logscale y
	set ylabel "ns (log scale)"
	plot for [c in calls] lat skip 1 using 1:(picks(c, 7)):(picks(c, 8)):(picks(c, 9)) \
		with yerrorlines lw 2 notitle
	unset multiplot
}

// spdlog_async.cpp - the reference point for bench_e2e: spdlog's async logger in ONE process
// with P threads, each logging N lines "w=W seq=S request done status=200 bytes=5120" (level
// info, logger "bench", two integers formatted in the writer thread by fmt) to one file through
// a basic_file_sink_mt, with the block policy (lossless: a full queue makes writers wait).
//
// spdlog::init_thread_pool(8192, 1) (spdlog's default queue, one backend thread) and
// spdlog::async_factory build the logger; the pattern mimics shmlogd's text lines, in UTC.
// The run is timed from releasing the threads until every thread returned, the backend drained
// its queue (spdlog::shutdown joins it) and the file is closed. bench_e2e runs this program,
// then reads the file back and checks every line itself.
//
// Output, one line on stdout: secs=S backend_cpu=C hwm_kb=K failed=F
//   backend_cpu: user + system seconds of the process (its CPU-time clock) minus the writer
//   threads' own CPU time: what the backend thread used.
// --samples FILE: every --sample-every'th call is timed (timer.h ticks) and the samples are
// written to FILE as native uint32 values.
#include <spdlog/async.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <getopt.h>
#include <pthread.h>
#include <string>
#include <memory>
#include <thread>
#include <vector>

extern "C" {
#include "common.h"
#include "timer.h"
}

namespace {

struct thread_result {
	double cpu = 0;
	long failed = 0;
	std::vector<uint32_t> samples;
};

double thread_cpu()
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void writer(spdlog::logger *lg, int w, long n, int every, pthread_barrier_t *gate,
	    thread_result *res)
{
	res->samples.reserve((size_t)(every > 0 ? n / every + 1 : 0));
	pthread_barrier_wait(gate);
	double cpu0 = thread_cpu();
	for (long seq = 0; seq < n; seq++) {
		if (every > 0 && seq % every == 0) {
			uint64_t t0 = tick_begin();
			lg->info("w={} seq={:09} request done status=200 bytes=5120", w, seq);
			res->samples.push_back(bench_ticks32(tick_end() - t0));
		} else {
			lg->info("w={} seq={:09} request done status=200 bytes=5120", w, seq);
		}
	}
	res->cpu = thread_cpu() - cpu0;
}

void usage(FILE *to)
{
	std::fprintf(to, "usage: bench_spdlog_async --threads P --n N --out FILE [--samples FILE]\n"
			 "                          [--sample-every K]\n"
			 "spdlog's async logger (block policy, one backend thread, queue 8192) with P\n"
			 "threads each logging N lines to FILE; prints secs, backend CPU, VmHWM.\n");
}

} // namespace

int main(int argc, char **argv)
{
	static const struct option longopts[] = {{"threads", required_argument, nullptr, 't'},
						  {"n", required_argument, nullptr, 'n'},
						  {"out", required_argument, nullptr, 'o'},
						  {"samples", required_argument, nullptr, 's'},
						  {"sample-every", required_argument, nullptr, 'e'},
						  {"help", no_argument, nullptr, 'h'},
						  {nullptr, 0, nullptr, 0}};
	int threads = 1, every = 0, opt;
	long n = 0;
	std::string out, samples;

	while ((opt = getopt_long(argc, argv, "", longopts, nullptr)) != -1) {
		switch (opt) {
		case 't':
			threads = std::atoi(optarg);
			break;
		case 'n':
			n = std::atol(optarg);
			break;
		case 'o':
			out = optarg;
			break;
		case 's':
			samples = optarg;
			break;
		case 'e':
			every = std::atoi(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 64;
		}
	}
	if (threads < 1 || threads > 64 || n < 1 || out.empty()) {
		usage(stderr);
		return 64;
	}

	std::shared_ptr<spdlog::logger> lg;
	try {
		spdlog::init_thread_pool(8192, 1);
		// spdlog::async_factory: overflow policy block, lossless.
		lg = spdlog::create_async<spdlog::sinks::basic_file_sink_mt>("bench", out, true);
	} catch (const spdlog::spdlog_ex &e) {
		std::fprintf(stderr, "bench_spdlog_async: %s\n", e.what());
		return 1;
	}
	lg->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %-5l %n[%P/%t] %v", spdlog::pattern_time_type::utc);
	lg->set_level(spdlog::level::info);

	pthread_barrier_t gate;
	pthread_barrier_init(&gate, nullptr, (unsigned)threads + 1);
	std::vector<thread_result> res((size_t)threads);
	std::vector<std::thread> pool;
	for (int w = 0; w < threads; w++)
		pool.emplace_back(writer, lg.get(), w, n, every, &gate, &res[(size_t)w]);
	double cpu0 = bench_proc_cpu(0);
	int64_t t0 = bench_now_ns();
	pthread_barrier_wait(&gate);
	for (auto &t : pool)
		t.join();
	lg->flush();
	spdlog::shutdown(); // the backend drains the queue, then its thread is joined
	lg.reset();         // the last reference: the sink closes the file
	int64_t t1 = bench_now_ns();
	double cpu = bench_proc_cpu(0) - cpu0;
	for (auto &r : res)
		cpu -= r.cpu;

	if (!samples.empty()) {
		FILE *f = std::fopen(samples.c_str(), "wb");
		if (!f) {
			std::perror("bench_spdlog_async: samples");
			return 1;
		}
		for (auto &r : res)
			if (!r.samples.empty() &&
			    std::fwrite(r.samples.data(), sizeof(uint32_t), r.samples.size(), f) !=
				    r.samples.size())
				return 1;
		if (std::fclose(f) != 0)
			return 1;
	}
	std::printf("secs=%.9f backend_cpu=%.6f hwm_kb=%ld failed=0\n", (double)(t1 - t0) / 1e9,
		    cpu < 0 ? 0 : cpu, bench_proc_hwm_kb(0));
	return 0;
}

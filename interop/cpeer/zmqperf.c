/*
 * zmqperf: purezmq's libzmq reference peer for interop tests and benchmarks.
 *
 * It speaks the same command-line interface and prints the same result lines
 * as libzmq's perf tools (local_thr, remote_thr, local_lat, remote_lat,
 * inproc_thr, inproc_lat), folded into one binary so one build gives every
 * role. `purezmq bench` implements the identical interface, so either program
 * can stand on either side of a measurement.
 *
 *   zmqperf [options] local_thr  ENDPOINT SIZE COUNT       PULL, binds, receives
 *   zmqperf [options] remote_thr ENDPOINT SIZE COUNT       PUSH, connects, sends
 *   zmqperf [options] local_lat  ENDPOINT SIZE ROUNDTRIPS  REP, binds, echoes
 *   zmqperf [options] remote_lat ENDPOINT SIZE ROUNDTRIPS  REQ, connects, measures
 *   zmqperf [options] pub_thr    ENDPOINT SIZE COUNT SUBS  XPUB, binds, waits for SUBS
 *                                                       subscribers, sends COUNT + marker
 *   zmqperf [options] sub_thr    ENDPOINT SIZE COUNT       SUB, connects, receives
 *   zmqperf [options] router_thr ENDPOINT SIZE COUNT       ROUTER, binds, receives
 *   zmqperf [options] dealer_thr ENDPOINT SIZE COUNT       DEALER, connects, sends
 *   zmqperf [options] local_latdist  ENDPOINT SIZE COUNT       ROUTER, binds, echoes
 *   zmqperf [options] remote_latdist ENDPOINT SIZE RATE COUNT  DEALER, connects, sends at
 *                                                RATE msg/s, prints round-trip percentiles
 *   zmqperf [options] inproc_thr SIZE COUNT
 *   zmqperf [options] inproc_lat SIZE ROUNDTRIPS
 *
 * Fan-out (pub_thr/sub_thr): the publisher is an XPUB with XPUB_VERBOSE, so
 * it sees every subscriber's subscription, and it sends nothing until SUBS
 * of them have arrived: a subscription that reached the XPUB means that
 * subscriber's pipe is in place, so no subscriber misses the start (no
 * sleeping, no side channel). XPUB_NODROP makes a full pipe block the
 * sender instead of dropping, so every subscriber gets all COUNT messages
 * at the pace of the slowest. After them comes one marker message of another
 * size (empty; 1 byte when SIZE is 0); sub_thr fails unless it received
 * exactly COUNT messages before the marker. Each sub_thr prints its own
 * rate, timed from its first message to its last.
 *
 * Router/dealer (router_thr/dealer_thr): PULL/PUSH's throughput run with a
 * ROUTER receiving [routing id, payload] from one DEALER.
 *
 * Latency distribution (local_latdist/remote_latdist): the client is open
 * loop. Message i is sent at start + i/RATE whatever the replies do, and its
 * round trip is measured from that scheduled time, not from the actual send:
 * a client that waited for replies, or timed from when it got round to
 * sending, would let a stall delay the very messages that should have
 * measured it ("coordinated omission"), so a 10 ms stall would count once
 * instead of for every message it held up. DEALER/ROUTER rather than
 * REQ/REP, so sending never waits for a reply; replies come back in order
 * over the one connection, so reply i belongs to scheduled time i. One
 * warm-up round trip (connection setup) comes first and is not counted.
 * Percentiles are nearest-rank, in integer arithmetic, as purezmq's are.
 *
 * Options (before the verb):
 *   --bind / --connect   force the socket to bind or connect, overriding the
 *                        role's default (local_* bind, remote_* connect)
 *   --linger MS          ZMQ_LINGER for the sending side's close (default:
 *                        -1 for remote_thr, which must deliver everything it
 *                        queued, 1000 elsewhere so a vanished peer never
 *                        leaves the process hanging in zmq_ctx_term)
 *   --hwm N              ZMQ_SNDHWM and ZMQ_RCVHWM (default: libzmq's 1000)
 *   --timeout MS         give up (exit 1) if no message arrives for MS
 *                        milliseconds (default 0: wait forever, like libzmq's
 *                        tools)
 *
 * Build: cc -O2 -Wall zmqperf.c $(pkg-config --cflags --libs libzmq) -o zmqperf
 */
#define _GNU_SOURCE /* ppoll */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <zmq.h>

enum placement { PLACE_DEFAULT, PLACE_BIND, PLACE_CONNECT };

struct config {
    enum placement place;
    int linger;      /* -2: role default */
    int hwm;         /* -1: libzmq default */
    int timeout_ms;  /* 0: none */
};

static struct config cfg = {PLACE_DEFAULT, -2, -1, 0};

static void die(const char *what)
{
    fprintf(stderr, "zmqperf: %s: %s\n", what, zmq_strerror(zmq_errno()));
    exit(1);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: zmqperf [--bind|--connect] [--linger MS] [--hwm N] [--timeout MS] VERB ARGS\n"
            "  local_thr  ENDPOINT SIZE COUNT\n"
            "  remote_thr ENDPOINT SIZE COUNT\n"
            "  local_lat  ENDPOINT SIZE ROUNDTRIPS\n"
            "  remote_lat ENDPOINT SIZE ROUNDTRIPS\n"
            "  pub_thr    ENDPOINT SIZE COUNT SUBS\n"
            "  sub_thr    ENDPOINT SIZE COUNT\n"
            "  router_thr ENDPOINT SIZE COUNT\n"
            "  dealer_thr ENDPOINT SIZE COUNT\n"
            "  local_latdist  ENDPOINT SIZE COUNT\n"
            "  remote_latdist ENDPOINT SIZE RATE COUNT\n"
            "  inproc_thr SIZE COUNT\n"
            "  inproc_lat SIZE ROUNDTRIPS\n");
    exit(2);
}

/* Parses a non-negative decimal that must fit an int; anything else is a
 * usage error, because a silently truncated count would skew a benchmark. */
static int parse_count(const char *s, const char *name)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || *s == '\0' || *end != '\0' || v < 0 || v > 0x7fffffff) {
        fprintf(stderr, "zmqperf: bad %s: %s\n", name, s);
        usage();
    }
    return (int) v;
}

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

/* Creates a socket of type and attaches it to ep, binding when the role (or
 * the --bind/--connect override) says so. */
static void *open_socket(void *ctx, int type, const char *ep, int bind_default, int linger_default)
{
    void *s = zmq_socket(ctx, type);
    if (!s)
        die("zmq_socket");
    int linger = cfg.linger == -2 ? linger_default : cfg.linger;
    if (zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger) != 0)
        die("ZMQ_LINGER");
    if (cfg.hwm >= 0) {
        if (zmq_setsockopt(s, ZMQ_SNDHWM, &cfg.hwm, sizeof cfg.hwm) != 0)
            die("ZMQ_SNDHWM");
        if (zmq_setsockopt(s, ZMQ_RCVHWM, &cfg.hwm, sizeof cfg.hwm) != 0)
            die("ZMQ_RCVHWM");
    }
    if (cfg.timeout_ms > 0) {
        if (zmq_setsockopt(s, ZMQ_RCVTIMEO, &cfg.timeout_ms, sizeof cfg.timeout_ms) != 0)
            die("ZMQ_RCVTIMEO");
    }
    int bind = bind_default;
    if (cfg.place == PLACE_BIND)
        bind = 1;
    else if (cfg.place == PLACE_CONNECT)
        bind = 0;
    if (bind) {
        if (zmq_bind(s, ep) != 0)
            die("zmq_bind");
    } else {
        if (zmq_connect(s, ep) != 0)
            die("zmq_connect");
    }
    return s;
}

/* Receives one message and checks its size: a perf run that silently
 * accepted wrong sizes would report numbers for traffic that never happened. */
static void recv_sized(void *s, zmq_msg_t *msg, size_t size)
{
    if (zmq_msg_recv(msg, s, 0) < 0)
        die(zmq_errno() == EAGAIN ? "receive timed out" : "zmq_msg_recv");
    if (zmq_msg_size(msg) != size) {
        fprintf(stderr, "zmqperf: message of wrong size: got %zu, want %zu\n",
                zmq_msg_size(msg), size);
        exit(1);
    }
}

static void print_thr(int size, int count, uint64_t elapsed_us)
{
    if (elapsed_us == 0)
        elapsed_us = 1;
    double msgs = (double) count * 1000000.0 / (double) elapsed_us;
    double mbits = msgs * (double) size * 8.0 / 1000000.0;
    printf("message size: %d [B]\n", size);
    printf("message count: %d\n", count);
    printf("mean throughput: %d [msg/s]\n", (int) msgs);
    printf("mean throughput: %.3f [Mb/s]\n", mbits);
    fflush(stdout);
}

static void print_lat(int size, int roundtrips, uint64_t elapsed_us)
{
    /* One-way latency, as libzmq reports it: half a round trip. */
    double lat = roundtrips ? (double) elapsed_us / (2.0 * roundtrips) : 0.0;
    printf("message size: %d [B]\n", size);
    printf("roundtrip count: %d\n", roundtrips);
    printf("average latency: %.3f [us]\n", lat);
    fflush(stdout);
}

/* Receiving side of a throughput run; timing starts at the first message so
 * connection setup is not counted. */
static void thr_receive(void *s, int size, int count)
{
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    uint64_t start = 0, end = 0;
    if (count > 0) {
        recv_sized(s, &msg, (size_t) size);
        start = now_us();
        for (int i = 1; i < count; i++)
            recv_sized(s, &msg, (size_t) size);
        end = now_us();
    }
    zmq_msg_close(&msg);
    print_thr(size, count, end - start);
}

/* Every message is a copy of one filled template: zmq_msg_copy shares the
 * payload of large messages by reference count, which is what purezmq's and
 * go-zeromq's senders do with their one payload slice, so no side pays for
 * filling COUNT buffers that the others do not fill. */
static void thr_send(void *s, int size, int count)
{
    zmq_msg_t tmpl;
    if (zmq_msg_init_size(&tmpl, (size_t) size) != 0)
        die("zmq_msg_init_size");
    memset(zmq_msg_data(&tmpl), 'x', (size_t) size);
    for (int i = 0; i < count; i++) {
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_copy(&msg, &tmpl) != 0)
            die("zmq_msg_copy");
        if (zmq_msg_send(&msg, s, 0) < 0)
            die("zmq_msg_send");
    }
    zmq_msg_close(&tmpl);
}

static void lat_echo(void *s, int size, int roundtrips)
{
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    for (int i = 0; i < roundtrips; i++) {
        recv_sized(s, &msg, (size_t) size);
        if (zmq_msg_send(&msg, s, 0) < 0)
            die("zmq_msg_send");
    }
    zmq_msg_close(&msg);
}

static uint64_t lat_measure(void *s, int size, int roundtrips)
{
    zmq_msg_t msg;
    if (zmq_msg_init_size(&msg, (size_t) size) != 0)
        die("zmq_msg_init_size");
    memset(zmq_msg_data(&msg), 'x', (size_t) size);
    uint64_t start = now_us();
    for (int i = 0; i < roundtrips; i++) {
        /* zmq_msg_send empties msg; the reply refills it for the next trip. */
        if (zmq_msg_send(&msg, s, 0) < 0)
            die("zmq_msg_send");
        recv_sized(s, &msg, (size_t) size);
    }
    uint64_t elapsed = now_us() - start;
    zmq_msg_close(&msg);
    return elapsed;
}

static void set_int(void *s, int option, int value, const char *name)
{
    if (zmq_setsockopt(s, option, &value, sizeof value) != 0)
        die(name);
}

/* The marker that ends a fan-out stream differs from the data in size only,
 * so the subscriber can tell it apart without a second frame. */
static size_t marker_size(int size)
{
    return size == 0 ? 1 : 0;
}

/* Publishing side of a fan-out run: waits for subs subscriptions, then sends
 * count messages and the marker. */
static void fanout_publish(void *s, int size, int count, int subs)
{
    set_int(s, ZMQ_XPUB_VERBOSE, 1, "ZMQ_XPUB_VERBOSE");
    set_int(s, ZMQ_XPUB_NODROP, 1, "ZMQ_XPUB_NODROP");
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    for (int n = 0; n < subs;) {
        if (zmq_msg_recv(&msg, s, 0) < 0)
            die(zmq_errno() == EAGAIN ? "waiting for subscribers timed out" : "zmq_msg_recv");
        const unsigned char *d = zmq_msg_data(&msg);
        if (zmq_msg_size(&msg) >= 1 && d[0] == 1)
            n++;
        else if (zmq_msg_size(&msg) >= 1 && d[0] == 0) {
            fprintf(stderr, "zmqperf: a subscriber left before the start\n");
            exit(1);
        }
    }
    zmq_msg_close(&msg);
    thr_send(s, size, count);
    zmq_msg_t end;
    if (zmq_msg_init_size(&end, marker_size(size)) != 0)
        die("zmq_msg_init_size");
    memset(zmq_msg_data(&end), 'x', marker_size(size));
    if (zmq_msg_send(&end, s, 0) < 0)
        die("zmq_msg_send");
}

/* Receiving side of a fan-out run: counts messages of SIZE up to the marker
 * and fails unless there were exactly count, so a drop cannot pass as speed.
 * Timed from the first message to the count-th. */
static void fanout_receive(void *s, int size, int count)
{
    if (zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0) != 0)
        die("ZMQ_SUBSCRIBE");
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    uint64_t start = 0, end = 0;
    int got = 0;
    for (;;) {
        if (zmq_msg_recv(&msg, s, 0) < 0)
            die(zmq_errno() == EAGAIN ? "receive timed out" : "zmq_msg_recv");
        if (zmq_msg_size(&msg) != (size_t) size)
            break;
        if (++got == 1)
            start = now_us();
        if (got == count)
            end = now_us();
        if (got > count)
            break;
    }
    zmq_msg_close(&msg);
    if (got != count) {
        fprintf(stderr, "zmqperf: received %d messages of %d before the end marker\n", got, count);
        exit(1);
    }
    print_thr(size, count, end - start);
}

/* Receives one [routing id, payload] message on a ROUTER and checks it. */
static void recv_routed(void *s, zmq_msg_t *id, zmq_msg_t *msg, size_t size)
{
    if (zmq_msg_recv(id, s, 0) < 0)
        die(zmq_errno() == EAGAIN ? "receive timed out" : "zmq_msg_recv");
    if (!zmq_msg_more(id)) {
        fprintf(stderr, "zmqperf: ROUTER message without a payload frame\n");
        exit(1);
    }
    recv_sized(s, msg, size);
    if (zmq_msg_more(msg)) {
        fprintf(stderr, "zmqperf: ROUTER message with more than one payload frame\n");
        exit(1);
    }
}

static void router_receive(void *s, int size, int count)
{
    zmq_msg_t id, msg;
    zmq_msg_init(&id);
    zmq_msg_init(&msg);
    uint64_t start = 0, end = 0;
    if (count > 0) {
        recv_routed(s, &id, &msg, (size_t) size);
        start = now_us();
        for (int i = 1; i < count; i++)
            recv_routed(s, &id, &msg, (size_t) size);
        end = now_us();
    }
    zmq_msg_close(&id);
    zmq_msg_close(&msg);
    print_thr(size, count, end - start);
}

/* Echoes the warm-up and count [routing id, payload] messages back. */
static void latdist_echo(void *s, int size, int count)
{
    zmq_msg_t id, msg;
    zmq_msg_init(&id);
    zmq_msg_init(&msg);
    for (int i = 0; i <= count; i++) {
        recv_routed(s, &id, &msg, (size_t) size);
        if (zmq_msg_send(&id, s, ZMQ_SNDMORE) < 0 || zmq_msg_send(&msg, s, 0) < 0)
            die("zmq_msg_send");
    }
    zmq_msg_close(&id);
    zmq_msg_close(&msg);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

/* Message i's send time after the start of the schedule, in nanoseconds. */
static uint64_t due_ns(int i, int rate)
{
    return (uint64_t) i * 1000000000u / (uint64_t) rate;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
    return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest sample with at least pm/1000 of them at or
 * below it (sorted ascending). */
static double rank_us(const uint64_t *sorted, int n, int pm)
{
    if (n == 0)
        return 0.0;
    long k = ((long) pm * n + 999) / 1000;
    return (double) sorted[(k < 1 ? 1 : k) - 1] / 1000.0;
}

static void print_latdist(int size, int count, int rate, uint64_t *rtt, uint64_t *lag)
{
    static const struct { const char *name; int pm; } q[] = {
        {"p50", 500}, {"p90", 900}, {"p99", 990}, {"p99.9", 999}, {"max", 1000}};
    qsort(rtt, (size_t) count, sizeof *rtt, cmp_u64);
    qsort(lag, (size_t) count, sizeof *lag, cmp_u64);
    printf("message size: %d [B]\n", size);
    printf("roundtrip count: %d\n", count);
    printf("offered rate: %d [msg/s]\n", rate);
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
        printf("roundtrip %s: %.3f [us]\n", q[i].name, rank_us(rtt, count, q[i].pm));
    printf("send lag p99: %.3f [us]\n", rank_us(lag, count, 990));
    printf("send lag max: %.3f [us]\n", rank_us(lag, count, 1000));
    fflush(stdout);
}

/* Waits until the DEALER may have a reply or the clock reaches wake_ns (0:
 * no send pending). ZMQ_FD only signals a change of ZMQ_EVENTS, so it is
 * slept on only after ZMQ_EVENTS said no reply is waiting. ppoll takes a
 * nanosecond timeout (zmq_poll's is in milliseconds), and the timer slack
 * set in latdist_measure keeps the kernel from deferring the wake-up. */
static void latdist_wait(void *s, int fd, uint64_t wake_ns, uint64_t idle_since, int sent, int got)
{
    int ev;
    size_t len = sizeof ev;
    if (zmq_getsockopt(s, ZMQ_EVENTS, &ev, &len) != 0)
        die("ZMQ_EVENTS");
    if (ev & ZMQ_POLLIN)
        return;
    uint64_t now = now_ns(), limit = 0;
    if (cfg.timeout_ms > 0) {
        limit = idle_since + (uint64_t) cfg.timeout_ms * 1000000u;
        if (now >= limit) {
            fprintf(stderr, "zmqperf: receive timed out: %d replies to %d messages sent\n", got, sent);
            exit(1);
        }
    }
    if (wake_ns != 0 && (limit == 0 || wake_ns < limit))
        limit = wake_ns;
    if (limit != 0 && limit <= now)
        return;
    struct timespec ts = {(time_t) ((limit - now) / 1000000000u), (long) ((limit - now) % 1000000000u)};
    struct pollfd p = {fd, POLLIN, 0};
    if (ppoll(&p, 1, limit ? &ts : NULL, NULL) < 0 && errno != EINTR) {
        perror("zmqperf: ppoll");
        exit(1);
    }
}

/* The open-loop client: one thread sends each message when it is due (at
 * once when late) and, between sends, takes every reply already there. */
static void latdist_measure(void *s, int size, int rate, int count)
{
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL); /* best effort: precision only */
    zmq_msg_t tmpl, msg;
    if (zmq_msg_init_size(&tmpl, (size_t) size) != 0)
        die("zmq_msg_init_size");
    memset(zmq_msg_data(&tmpl), 'x', (size_t) size);
    zmq_msg_init(&msg);
    if (zmq_msg_copy(&msg, &tmpl) != 0 || zmq_msg_send(&msg, s, 0) < 0)
        die("zmq_msg_send");
    recv_sized(s, &msg, (size_t) size); /* the warm-up */
    uint64_t *rtt = calloc((size_t) count + 1, sizeof *rtt);
    uint64_t *lag = calloc((size_t) count + 1, sizeof *lag);
    if (!rtt || !lag) {
        fprintf(stderr, "zmqperf: out of memory\n");
        exit(1);
    }
    int fd;
    size_t fdlen = sizeof fd;
    if (zmq_getsockopt(s, ZMQ_FD, &fd, &fdlen) != 0)
        die("ZMQ_FD");
    uint64_t start = now_ns(), idle_since = start;
    int sent = 0, got = 0;
    while (got < count) {
        while (sent < count && start + due_ns(sent, rate) <= now_ns()) {
            lag[sent] = now_ns() - (start + due_ns(sent, rate));
            zmq_msg_t out;
            zmq_msg_init(&out);
            if (zmq_msg_copy(&out, &tmpl) != 0 || zmq_msg_send(&out, s, 0) < 0)
                die("zmq_msg_send");
            sent++;
        }
        while (got < count && zmq_msg_recv(&msg, s, ZMQ_DONTWAIT) >= 0) {
            uint64_t t = now_ns();
            if (zmq_msg_size(&msg) != (size_t) size) {
                fprintf(stderr, "zmqperf: message of wrong size: got %zu, want %d\n",
                        zmq_msg_size(&msg), size);
                exit(1);
            }
            rtt[got] = t - (start + due_ns(got, rate));
            got++;
            idle_since = t;
        }
        if (got < count && zmq_errno() != EAGAIN)
            die("zmq_msg_recv");
        if (got < count)
            latdist_wait(s, fd, sent < count ? start + due_ns(sent, rate) : 0, idle_since, sent, got);
    }
    zmq_msg_close(&msg);
    zmq_msg_close(&tmpl);
    print_latdist(size, count, rate, rtt, lag);
    free(rtt);
    free(lag);
}

static void finish(void *ctx, void *s)
{
    if (zmq_close(s) != 0)
        die("zmq_close");
    if (zmq_ctx_term(ctx) != 0)
        die("zmq_ctx_term");
}

struct worker {
    void *ctx;
    const char *ep;
    int size, count;
};

static void *inproc_sender(void *arg)
{
    struct worker *w = arg;
    void *s = open_socket(w->ctx, ZMQ_PUSH, w->ep, 0, -1);
    thr_send(s, w->size, w->count);
    zmq_close(s);
    return NULL;
}

static void *inproc_echoer(void *arg)
{
    struct worker *w = arg;
    void *s = open_socket(w->ctx, ZMQ_REP, w->ep, 0, 1000);
    lat_echo(s, w->size, w->count);
    zmq_close(s);
    return NULL;
}

static int run_inproc(int thr, int size, int count)
{
    void *ctx = zmq_ctx_new();
    if (!ctx)
        die("zmq_ctx_new");
    /* inproc needs the bind before the connect on libzmq < 4; binding first
     * in this thread keeps that order whatever the version. */
    cfg.place = PLACE_DEFAULT;
    const char *ep = thr ? "inproc://zmqperf_thr" : "inproc://zmqperf_lat";
    void *s = open_socket(ctx, thr ? ZMQ_PULL : ZMQ_REQ, ep, 1, 1000);
    struct worker w = {ctx, ep, size, count};
    pthread_t tid;
    if (pthread_create(&tid, NULL, thr ? inproc_sender : inproc_echoer, &w) != 0) {
        fprintf(stderr, "zmqperf: pthread_create failed\n");
        return 1;
    }
    if (thr)
        thr_receive(s, size, count);
    else
        print_lat(size, count, lat_measure(s, size, count));
    pthread_join(tid, NULL);
    finish(ctx, s);
    return 0;
}

int main(int argc, char **argv)
{
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--bind") == 0)
            cfg.place = PLACE_BIND;
        else if (strcmp(o, "--connect") == 0)
            cfg.place = PLACE_CONNECT;
        else if (strcmp(o, "--linger") == 0 && i + 1 < argc) {
            const char *v = argv[++i];
            cfg.linger = strcmp(v, "-1") == 0 ? -1 : parse_count(v, "linger");
        } else if (strcmp(o, "--hwm") == 0 && i + 1 < argc)
            cfg.hwm = parse_count(argv[++i], "hwm");
        else if (strcmp(o, "--timeout") == 0 && i + 1 < argc)
            cfg.timeout_ms = parse_count(argv[++i], "timeout");
        else if (strcmp(o, "--help") == 0)
            usage();
        else {
            fprintf(stderr, "zmqperf: unknown option %s\n", o);
            usage();
        }
    }
    if (i >= argc)
        usage();
    const char *verb = argv[i++];
    int nargs = argc - i;

    if (strcmp(verb, "inproc_thr") == 0 || strcmp(verb, "inproc_lat") == 0) {
        if (nargs != 2)
            usage();
        int size = parse_count(argv[i], "size");
        int count = parse_count(argv[i + 1], "count");
        return run_inproc(verb[7] == 't', size, count);
    }

    /* pub_thr takes a fourth argument, how many subscribers to wait for;
     * remote_latdist takes its RATE before the COUNT. */
    int is_pub = strcmp(verb, "pub_thr") == 0;
    int is_dist = strcmp(verb, "remote_latdist") == 0;
    if (nargs != (is_pub || is_dist ? 4 : 3))
        usage();
    const char *ep = argv[i];
    int size = parse_count(argv[i + 1], "size");
    int count = parse_count(argv[i + (is_dist ? 3 : 2)], "count");
    int subs = is_pub ? parse_count(argv[i + 3], "subs") : 0;
    int rate = is_dist ? parse_count(argv[i + 2], "rate") : 0;
    if (is_dist && (rate < 1 || rate > 10000000)) {
        fprintf(stderr, "zmqperf: RATE must be from 1 to 10000000\n");
        usage();
    }

    void *ctx = zmq_ctx_new();
    if (!ctx)
        die("zmq_ctx_new");
    void *s;
    if (strcmp(verb, "local_thr") == 0) {
        s = open_socket(ctx, ZMQ_PULL, ep, 1, 1000);
        thr_receive(s, size, count);
    } else if (strcmp(verb, "remote_thr") == 0) {
        s = open_socket(ctx, ZMQ_PUSH, ep, 0, -1);
        thr_send(s, size, count);
    } else if (strcmp(verb, "local_lat") == 0) {
        s = open_socket(ctx, ZMQ_REP, ep, 1, 1000);
        lat_echo(s, size, count);
    } else if (strcmp(verb, "remote_lat") == 0) {
        s = open_socket(ctx, ZMQ_REQ, ep, 0, 1000);
        print_lat(size, count, lat_measure(s, size, count));
    } else if (is_pub) {
        s = open_socket(ctx, ZMQ_XPUB, ep, 1, -1);
        fanout_publish(s, size, count, subs);
    } else if (strcmp(verb, "sub_thr") == 0) {
        s = open_socket(ctx, ZMQ_SUB, ep, 0, 1000);
        fanout_receive(s, size, count);
    } else if (strcmp(verb, "router_thr") == 0) {
        s = open_socket(ctx, ZMQ_ROUTER, ep, 1, 1000);
        router_receive(s, size, count);
    } else if (strcmp(verb, "local_latdist") == 0) {
        s = open_socket(ctx, ZMQ_ROUTER, ep, 1, 1000);
        latdist_echo(s, size, count);
    } else if (is_dist) {
        s = open_socket(ctx, ZMQ_DEALER, ep, 0, 1000);
        latdist_measure(s, size, rate, count);
    } else if (strcmp(verb, "dealer_thr") == 0) {
        s = open_socket(ctx, ZMQ_DEALER, ep, 0, -1);
        thr_send(s, size, count);
    } else {
        fprintf(stderr, "zmqperf: unknown verb %s\n", verb);
        zmq_ctx_term(ctx);
        usage();
        return 2;
    }
    finish(ctx, s);
    return 0;
}

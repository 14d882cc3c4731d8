/* Network family: one-byte round trips over loopback TCP and over a Unix socket pair. */
#include "bench.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct {
  int mine;    /* our end */
  int theirs;  /* the echo thread's end */
  pthread_t echo;
  int have_echo;
} rtt_state;

static void *echo_thread(void *arg) {
  rtt_state *s = arg;
  /* Let the echo side run on any CPU, as a real peer would. */
  cpu_set_t all;
  CPU_ZERO(&all);
  for (int c = 0; c < CPU_SETSIZE; c++) CPU_SET(c, &all);
  sched_setaffinity(0, sizeof all, &all);
  bench_echo(s->theirs, s->theirs);
  return NULL;
}

static int start_echo(bench_ctx *ctx, rtt_state *s) {
  ctx->state = s;
  if (pthread_create(&s->echo, NULL, echo_thread, s) != 0) {
    bench_set_error(ctx, "pthread_create failed");
    return -1;
  }
  s->have_echo = 1;
  return 0;
}

/*
 * Accepts the connection whose peer is `me` (our own client socket). Any local process can
 * connect to a 127.0.0.1 listener between listen() and our connect(): its connection would
 * become the echo side, and it could stall or forge the round trips. Such connections are
 * closed; after 64 of them we give up (-2). -1 with errno: accept failed.
 */
static int accept_own_peer(int listener, const struct sockaddr_in *me) {
  for (int tries = 0; tries < 64; tries++) {
    struct sockaddr_in peer;
    socklen_t len = sizeof peer;
    int fd = accept4(listener, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return -1;
    }
    if (len == sizeof peer && peer.sin_family == AF_INET && peer.sin_port == me->sin_port &&
        peer.sin_addr.s_addr == me->sin_addr.s_addr)
      return fd;
    close(fd); /* not ours */
  }
  return -2;
}

static int tcp_setup(bench_ctx *ctx) {
  rtt_state *s = calloc(1, sizeof *s);
  s->mine = s->theirs = -1;
  ctx->state = s;
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof addr) ||
      listen(listener, 1) || getsockname(listener, (struct sockaddr *)&addr, &len)) {
    bench_set_error(ctx, "cannot listen on 127.0.0.1: %s", strerror(errno));
    if (listener >= 0) close(listener);
    return -1;
  }
  s->mine = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in me;
  socklen_t me_len = sizeof me;
  if (s->mine < 0 || connect(s->mine, (struct sockaddr *)&addr, sizeof addr) ||
      getsockname(s->mine, (struct sockaddr *)&me, &me_len)) {
    bench_set_error(ctx, "cannot connect over 127.0.0.1: %s", strerror(errno));
    close(listener);
    return -1;
  }
  s->theirs = accept_own_peer(listener, &me);
  if (s->theirs < 0) {
    bench_set_error(ctx, s->theirs == -2 ? "another process kept connecting to the benchmark's 127.0.0.1 listener"
                                         : "cannot accept over 127.0.0.1: %s",
                    strerror(errno));
    close(listener);
    return -1;
  }
  close(listener);
  int one = 1; /* no Nagle: every byte leaves at once */
  setsockopt(s->mine, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(s->theirs, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return start_echo(ctx, s);
}

static int unix_setup(bench_ctx *ctx) {
  rtt_state *s = calloc(1, sizeof *s);
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
    bench_set_error(ctx, "socketpair: %s", strerror(errno));
    free(s);
    return -1;
  }
  s->mine = sv[0];
  s->theirs = sv[1];
  return start_echo(ctx, s);
}

static double rtt_run(bench_ctx *ctx, uint64_t ops) {
  rtt_state *s = ctx->state;
  char byte = 'x';
  uint64_t t0 = bench_now_ns();
  for (uint64_t i = 0; i < ops; i++) {
    if (write(s->mine, &byte, 1) != 1 || read(s->mine, &byte, 1) != 1) {
      bench_set_error(ctx, "round trip failed: %s", strerror(errno));
      return -1;
    }
  }
  return (double)(bench_now_ns() - t0);
}

static void rtt_teardown(bench_ctx *ctx) {
  rtt_state *s = ctx->state;
  if (!s) return;
  if (s->mine >= 0) shutdown(s->mine, SHUT_RDWR); /* the echo thread reads end-of-file */
  if (s->have_echo) pthread_join(s->echo, NULL);
  if (s->mine >= 0) close(s->mine);
  if (s->theirs >= 0) close(s->theirs);
  free(s);
}

const bench_def bench_tcp_rtt = {"tcp-rtt", tcp_setup, rtt_run, rtt_teardown, 0, 10, PIN_NEVER};
const bench_def bench_unix_rtt = {"unix-rtt", unix_setup, rtt_run, rtt_teardown, 0, 10, PIN_NEVER};

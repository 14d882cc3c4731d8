// Drains a BPF ring buffer on a native thread, so the kernel's ring empties at memcpy speed
// whatever the JS thread is doing: ringDrainStart() maps the ring (the layout libbpf uses: the
// consumer page read-write at offset 0, the producer page and the data, mapped twice so a record
// that wraps is contiguous, read-only after it), and every few milliseconds (or when the BPF side
// forces a wakeup) copies the committed records out in one memcpy per batch and hands the batch
// to JS through a thread-safe function. The batch keeps the kernel's framing: per record a u32
// length (bit 30: discarded), a u32 page offset, the data, padded to 8 bytes.
//
// What JS has not processed yet is bounded (maxQueued bytes): past it the drainer leaves records
// in the kernel ring, which then fills and counts what it drops (the `lost` map), so memory stays
// bounded and every loss is still counted.
#include <napi.h>

#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>

namespace {

constexpr uint32_t kBusy = 1u << 31;
constexpr uint32_t kDiscard = 1u << 30;
constexpr size_t kHeader = 8;
constexpr size_t kBatch = 1 << 20;

struct Drainer;

struct Message {
  uint8_t* batch = nullptr;
  size_t len = 0;
  bool done = false;
  Drainer* d = nullptr;
};

void CallJs(Napi::Env env, Napi::Function cb, std::nullptr_t*, Message* m);
using TsfnT = Napi::TypedThreadSafeFunction<std::nullptr_t, Message, CallJs>;

struct Drainer {
  int id = 0;
  int epfd = -1;
  int evfd = -1;
  size_t page = 0;
  size_t size = 0;  // data bytes (the map's max_entries, a power of 2)
  uint64_t* consumer = nullptr;
  uint8_t* producer = nullptr;  // producer page, then data twice
  int every_ms = 10;
  size_t max_queued = 0;
  std::atomic<size_t> queued{0};
  std::atomic<bool> stop{false};
  // The thread and every message still queued for JS hold a reference: the last one frees it
  // (JS may still be handling batches after the thread is gone).
  std::atomic<int> refs{1};
  TsfnT fn;
};

void Unref(Drainer* d) {
  if (--d->refs == 0) delete d;
}

std::map<int, Drainer*> g_drainers;  // touched by the JS thread only
int g_next_id = 1;

void CallJs(Napi::Env env, Napi::Function cb, std::nullptr_t*, Message* m) {
  if (env != nullptr && cb != nullptr) {
    if (m->done) {
      cb.Call({env.Null()});
    } else {
      size_t len = m->len;
      Napi::Buffer<uint8_t> buf =
          Napi::Buffer<uint8_t>::New(env, m->batch, len, [](Napi::Env, uint8_t* p) { free(p); });
      m->batch = nullptr;
      cb.Call({buf});
    }
  }
  if (!m->done) m->d->queued -= m->len;  // handled (or dropped): the drainer may take more
  Unref(m->d);
  free(m->batch);
  delete m;
}

void Emit(Drainer* d, uint8_t* batch, size_t len) {
  auto* m = new Message();
  m->batch = batch;
  m->len = len;
  m->d = d;
  d->queued += len;
  d->refs++;
  if (d->fn.NonBlockingCall(m) != napi_ok) {
    d->queued -= len;
    d->refs--;
    free(batch);
    delete m;
  }
}

// Copies out every committed record (up to the queue bound), one memcpy per batch.
void Drain(Drainer* d) {
  uint8_t* data = d->producer + d->page;
  const uint64_t mask = d->size - 1;
  uint64_t cons = __atomic_load_n(d->consumer, __ATOMIC_ACQUIRE);
  for (;;) {
    uint64_t prod = __atomic_load_n(reinterpret_cast<uint64_t*>(d->producer), __ATOMIC_ACQUIRE);
    if (cons >= prod || d->queued.load() >= d->max_queued) return;
    // The committed prefix: stop at a record still being written (busy).
    uint64_t end = cons;
    while (end < prod && end - cons < kBatch) {
      uint32_t hdr = __atomic_load_n(reinterpret_cast<uint32_t*>(data + (end & mask)), __ATOMIC_ACQUIRE);
      if (hdr & kBusy) break;
      uint64_t len = hdr & ~(kBusy | kDiscard);
      end += (len + kHeader + 7) & ~7ull;
    }
    if (end == cons) return;
    size_t n = end - cons;
    auto* batch = static_cast<uint8_t*>(malloc(n));
    if (batch == nullptr) return;  // try again next round; the kernel counts what it drops
    // Contiguous even across the end of the ring: the data is mapped twice in a row.
    memcpy(batch, data + (cons & mask), n);
    __atomic_store_n(d->consumer, end, __ATOMIC_RELEASE);
    cons = end;
    Emit(d, batch, n);
  }
}

void* ThreadMain(void* arg) {
  auto* d = static_cast<Drainer*>(arg);
  epoll_event ev[2];
  for (;;) {
    bool stopping = d->stop.load();
    Drain(d);
    if (stopping) break;
    epoll_wait(d->epfd, ev, 2, d->every_ms);
    uint64_t v;
    if (read(d->evfd, &v, sizeof v) < 0 && errno != EAGAIN) break;
  }
  munmap(d->consumer, d->page);
  munmap(d->producer, d->page + 2 * d->size);
  close(d->epfd);
  close(d->evfd);
  auto* m = new Message();
  m->done = true;
  m->d = d;
  d->refs++;
  if (d->fn.NonBlockingCall(m) != napi_ok) {
    d->refs--;
    delete m;
  }
  d->fn.Release();
  Unref(d);
  return nullptr;
}

Napi::Value Fail(Napi::Env env, const char* what) {
  Napi::Error::New(env, std::string(what) + ": " + strerror(errno)).ThrowAsJavaScriptException();
  return env.Undefined();
}

// ringDrainStart(mapFd, size, everyMs, maxQueued, callback): callback(batch) per batch, then
// callback(null) once stopped. Returns an id for ringDrainStop.
Napi::Value RingDrainStart(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 5 || !info[4].IsFunction()) {
    Napi::TypeError::New(env, "ringDrainStart(fd, size, everyMs, maxQueued, callback)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int fd = info[0].ToNumber().Int32Value();
  auto size = static_cast<size_t>(info[1].ToNumber().Int64Value());
  auto* d = new Drainer();
  d->page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  d->size = size;
  d->every_ms = info[2].ToNumber().Int32Value();
  d->max_queued = static_cast<size_t>(info[3].ToNumber().Int64Value());
  if (size == 0 || (size & (size - 1)) != 0) {
    delete d;
    Napi::RangeError::New(env, "ring size must be a power of 2").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  void* c = mmap(nullptr, d->page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (c == MAP_FAILED) {
    delete d;
    return Fail(env, "mmap(ring buffer consumer page)");
  }
  void* p = mmap(nullptr, d->page + 2 * size, PROT_READ, MAP_SHARED, fd, static_cast<off_t>(d->page));
  if (p == MAP_FAILED) {
    munmap(c, d->page);
    delete d;
    return Fail(env, "mmap(ring buffer data)");
  }
  d->consumer = static_cast<uint64_t*>(c);
  d->producer = static_cast<uint8_t*>(p);
  d->epfd = epoll_create1(EPOLL_CLOEXEC);
  d->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  if (d->epfd < 0 || d->evfd < 0 || epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) != 0 ||
      epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->evfd, &ev) != 0) {
    munmap(c, d->page);
    munmap(p, d->page + 2 * size);
    if (d->epfd >= 0) close(d->epfd);
    if (d->evfd >= 0) close(d->evfd);
    delete d;
    return Fail(env, "epoll on the ring buffer");
  }
  d->fn = TsfnT::New(env, info[4].As<Napi::Function>(), "oslens-ringdrain", 0, 1);
  d->id = g_next_id++;
  pthread_t th;
  if (pthread_create(&th, nullptr, ThreadMain, d) != 0) {
    d->fn.Release();
    munmap(c, d->page);
    munmap(p, d->page + 2 * size);
    close(d->epfd);
    close(d->evfd);
    delete d;
    return Fail(env, "pthread_create(ring buffer drainer)");
  }
  pthread_detach(th);
  g_drainers[d->id] = d;
  return Napi::Number::New(env, d->id);
}

// ringDrainStop(id): one last full drain, then callback(null). Idempotent.
Napi::Value RingDrainStop(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int id = info.Length() > 0 ? info[0].ToNumber().Int32Value() : 0;
  auto it = g_drainers.find(id);
  if (it != g_drainers.end()) {
    Drainer* d = it->second;
    g_drainers.erase(it);
    d->stop = true;
    uint64_t one = 1;
    if (write(d->evfd, &one, sizeof one) < 0) {
      // The thread still sees `stop` at its next timeout.
    }
  }
  return env.Undefined();
}

}  // namespace

Napi::Object InitRingDrain(Napi::Env env, Napi::Object exports) {
  exports["ringDrainStart"] = Napi::Function::New(env, RingDrainStart);
  exports["ringDrainStop"] = Napi::Function::New(env, RingDrainStop);
  return exports;
}

// Glue for the ptrace engine: traceStart() runs tracer_run() on a dedicated native thread
// (ptrace requests must all come from one thread) and hands batches of binary records to JS
// through a thread-safe function; traceStop() asks it to detach or to kill.
#include <napi.h>

#include <pthread.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "tracer.h"
}

#include "../napi_args.h"

namespace {

struct Message {
  uint8_t* batch = nullptr;
  size_t len = 0;
  bool done = false;
  int rc = 0;
  tracer_result result{};
};

using Tsfn = Napi::ThreadSafeFunction;

struct Session {
  std::string path;
  std::vector<std::string> argv_s, envp_s;
  std::vector<char*> argv, envp;
  std::vector<int> pids;
  std::vector<int> keep_fds;
  std::vector<uint32_t> capture;
  tracer_opts opts{};
  Tsfn tsfn;
};

bool g_active = false;

void CallJs(Napi::Env env, Napi::Function cb, std::nullptr_t*, Message* m) {
  if (env != nullptr && cb != nullptr) {
    if (m->done) {
      Napi::Object r = Napi::Object::New(env);
      r["rc"] = m->rc;
      r["status"] = m->result.status;
      r["spawnedPid"] = m->result.spawned_pid;
      r["seccomp"] = m->result.seccomp != 0;
      r["detachedOnSignal"] = m->result.detached_on_signal;
      r["error"] = m->rc != 0 ? Napi::Value(Napi::String::New(env, m->result.err)) : env.Null();
      g_active = false;
      cb.Call({env.Null(), r});
    } else {
      Napi::Buffer<uint8_t> buf = Napi::Buffer<uint8_t>::New(
          env, m->batch, m->len, [](Napi::Env, uint8_t* p) { free(p); });
      m->batch = nullptr;
      cb.Call({buf});
    }
  }
  if (m->batch) free(m->batch);
  delete m;
}

using TsfnT = Napi::TypedThreadSafeFunction<std::nullptr_t, Message, CallJs>;

struct Runner {
  Session s;
  TsfnT fn;
};

void Emit(void* ctx, uint8_t* batch, size_t len) {
  auto* r = static_cast<Runner*>(ctx);
  auto* m = new Message();
  m->batch = batch;
  m->len = len;
  if (r->fn.BlockingCall(m) != napi_ok) {
    free(batch);
    delete m;
  }
}

void* ThreadMain(void* arg) {
  auto* r = static_cast<Runner*>(arg);
  auto* m = new Message();
  m->done = true;
  m->rc = tracer_run(&r->s.opts, Emit, r, &m->result);
  if (r->fn.BlockingCall(m) != napi_ok) delete m;
  r->fn.Release();
  delete r;
  return nullptr;
}

// A string (UTF-8) or a Buffer (its bytes, exactly: argv and environment are bytes, not text).
std::string Bytes(Napi::Value v) {
  if (v.IsBuffer()) {
    Napi::Buffer<char> b = v.As<Napi::Buffer<char>>();
    return std::string(b.Data(), b.Length());
  }
  return v.ToString().Utf8Value();
}

std::vector<std::string> Strings(Napi::Value v) {
  std::vector<std::string> out;
  if (!v.IsArray()) return out;
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) out.push_back(Bytes(a.Get(i)));
  return out;
}

// A u64 mask given as a hex string (as /proc/PID/status writes SigIgn); 0 when absent.
uint64_t Mask(Napi::Value v) {
  return v.IsString() ? std::strtoull(v.As<Napi::String>().Utf8Value().c_str(), nullptr, 16) : 0;
}

std::vector<char*> Pointers(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

using napi_args::Kind;

// Every option traceStart reads, with its exact type and range (an unknown one is a TypeError:
// a new option must be listed here). The capture table is read as TRACER_MAX_NR * 6 u32s.
const napi_args::Spec kTraceOptions[] = {
    {"path", Kind::Bytes},
    {"argv", Kind::StringArray, 1},  // lo = 1: strings or Buffers
    {"env", Kind::StringArray, 1},
    {"pids", Kind::IntArray, 1, INT32_MAX},
    {"follow", Kind::Bool},
    {"strsize", Kind::Int, 0, INT32_MAX},  // clamped to 1 MiB below
    {"emitSyscalls", Kind::Bool},
    {"count", Kind::Bool},
    {"spinUs", Kind::Int, 0, 1000000},
    {"filter", Kind::IntArray, 0, TRACER_MAX_NR - 1},
    {"capture", Kind::Uint32Array, 0, 0, TRACER_MAX_NR * 6},
    // What oslens's caller gave it (src/util/caller.ts), for the spawned command to get the same.
    {"keepFds", Kind::IntArray, 0, INT32_MAX},
    {"stdioNonblock", Kind::Slots, 0, 0, 3},
    {"savedStdio", Kind::Slots, 0, INT32_MAX, 3},
    {"sigIgnored", Kind::String},
    {"sigBlocked", Kind::String},
};

// traceStart(options, callback): callback(batch: Buffer) per batch, then callback(null, result).
Napi::Value TraceStart(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsFunction()) {
    Napi::TypeError::New(env, "traceStart(options: object, callback: function)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (g_active) {
    Napi::Error::New(env, "a trace is already running").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Object o;  // a checked copy of the options (napi_args.h)
  if (!napi_args::Snapshot(env, info[0], kTraceOptions, "traceStart", &o)) return env.Undefined();
  auto* r = new Runner();
  Session& s = r->s;
  if (o.Get("path").IsString() || o.Get("path").IsBuffer()) s.path = Bytes(o.Get("path"));
  s.argv_s = Strings(o.Get("argv"));
  s.envp_s = Strings(o.Get("env"));
  s.argv = Pointers(s.argv_s);
  s.envp = Pointers(s.envp_s);
  Napi::Value pids = o.Get("pids");
  if (pids.IsArray()) {
    Napi::Array a = pids.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) s.pids.push_back(a.Get(i).ToNumber().Int32Value());
  }
  Napi::Value keep = o.Get("keepFds");
  if (keep.IsArray()) {
    Napi::Array a = keep.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) s.keep_fds.push_back(a.Get(i).ToNumber().Int32Value());
  }
  Napi::Value cap = o.Get("capture");
  if (cap.IsTypedArray()) {
    Napi::Uint32Array c = cap.As<Napi::Uint32Array>();
    if (c.ElementLength() == TRACER_MAX_NR * 6) s.capture.assign(c.Data(), c.Data() + c.ElementLength());
  }
  tracer_opts& t = s.opts;
  t.path = s.path.empty() ? nullptr : s.path.c_str();
  t.argv = s.argv.data();
  t.envp = s.envp.data();
  t.pids = s.pids.data();
  t.npids = static_cast<int>(s.pids.size());
  t.follow = o.Get("follow").ToBoolean();
  t.strsize = o.Get("strsize").IsNumber() ? o.Get("strsize").ToNumber().Int32Value() : 32;
  if (t.strsize < 0) t.strsize = 0;
  if (t.strsize > 1 << 20) t.strsize = 1 << 20;
  t.emit_syscalls = o.Get("emitSyscalls").ToBoolean();
  t.count = o.Get("count").ToBoolean();
  t.spin_us = o.Get("spinUs").IsNumber() ? o.Get("spinUs").ToNumber().Int32Value() : 0;
  t.capture = s.capture.empty() ? nullptr : s.capture.data();
  t.keep_fds = keep.IsArray() ? s.keep_fds.data() : nullptr;
  t.nkeep_fds = static_cast<int>(s.keep_fds.size());
  Napi::Value nonblock = o.Get("stdioNonblock");
  for (int fd = 0; fd < 3; fd++) {
    Napi::Value f = nonblock.IsArray() ? nonblock.As<Napi::Array>().Get(fd) : env.Undefined();
    t.stdio_nonblock[fd] = f.IsBoolean() ? (f.ToBoolean() ? 1 : 0) : -1;
  }
  Napi::Value saved = o.Get("savedStdio");
  for (int fd = 0; fd < 3; fd++) {
    Napi::Value f = saved.IsArray() ? saved.As<Napi::Array>().Get(fd) : env.Undefined();
    t.saved_stdio[fd] = f.IsNumber() ? f.ToNumber().Int32Value() : -1;
  }
  t.sig_ignored = Mask(o.Get("sigIgnored"));
  t.sig_blocked = Mask(o.Get("sigBlocked"));
  Napi::Value filter = o.Get("filter");
  if (filter.IsArray()) {
    t.use_filter = 1;
    Napi::Array a = filter.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) {
      int nr = a.Get(i).ToNumber().Int32Value();
      if (nr >= 0 && nr < TRACER_MAX_NR) t.filter[nr / 8] |= static_cast<uint8_t>(1 << (nr % 8));
    }
  }
  if (!t.path && t.npids == 0) {
    delete r;
    Napi::TypeError::New(env, "traceStart: give path+argv or pids").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  r->fn = TsfnT::New(env, info[1].As<Napi::Function>(), "oslens-trace", 64, 1);
  g_active = true;
  pthread_t th;
  if (pthread_create(&th, nullptr, ThreadMain, r) != 0) {
    g_active = false;
    r->fn.Release();
    delete r;
    Napi::Error::New(env, "cannot start the tracer thread").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  pthread_detach(th);
  return env.Undefined();
}

// traceStop(how, signal?): 'detach' leaves every tracee running; 'kill' kills spawned tracees;
// 'signal' says oslens got that signal (tracer.h); 'wake' only wakes the engine up again.
Napi::Value TraceStop(const Napi::CallbackInfo& info) {
  std::string how = info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "detach";
  int sig = info.Length() > 1 && info[1].IsNumber() ? info[1].ToNumber().Int32Value() : 0;
  int code = how == "kill" ? 2 : how == "signal" ? 3 : how == "wake" ? 0 : 1;
  tracer_request_stop(code, sig);
  return info.Env().Undefined();
}

}  // namespace

Napi::Object InitPtrace(Napi::Env env, Napi::Object exports) {
  exports["traceStart"] = Napi::Function::New(env, TraceStart);
  exports["traceStop"] = Napi::Function::New(env, TraceStop);
  return exports;
}

// preadMany(fds, buf, slot, lens): one pread at offset 0 of each open file into its own slot of
// buf, in one call from JS. `oslens top` re-reads every process's /proc/PID/stat and schedstat
// each second; one fs.readSync each costs several times what the kernel takes to build those
// few hundred bytes (argument checks, a binding call, an exception object when one fails).
#include <napi.h>

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "../napi_args.h"

namespace {

// lens[i] = bytes read into buf[i*slot ..), or -errno (a /proc/PID file of a process that has
// exited reads as ESRCH or 0 bytes: the caller reopens or forgets it).
Napi::Value PreadMany(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  using napi_args::Kind;
  // Exact kinds: a DataView or a Float64Array passed as buf would abort in As<Buffer>().
  if (info.Length() != 4) {
    Napi::TypeError::New(env, "preadMany(fds: Int32Array, buf: Buffer, slot: number, lens: Int32Array)")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (!napi_args::Check(env, info[0], {"fds", Kind::Int32Array}, "preadMany: fds") ||
      !napi_args::Check(env, info[1], {"buf", Kind::Uint8Array}, "preadMany: buf") ||
      !napi_args::Check(env, info[2], {"slot", Kind::Int, 1, INT32_MAX}, "preadMany: slot") ||
      !napi_args::Check(env, info[3], {"lens", Kind::Int32Array}, "preadMany: lens")) {
    return env.Undefined();
  }
  Napi::Int32Array fds = info[0].As<Napi::Int32Array>();
  Napi::Uint8Array buf = info[1].As<Napi::Uint8Array>();
  Napi::Int32Array lens = info[3].As<Napi::Int32Array>();
  int64_t slot = info[2].As<Napi::Number>().Int64Value();
  size_t n = fds.ElementLength();
  // slot <= INT32_MAX: a byte count fits lens; n <= Length / slot: no overflow in slot * n.
  if (lens.ElementLength() < n || (n > 0 && n > buf.ElementLength() / static_cast<uint64_t>(slot))) {
    Napi::RangeError::New(env, "preadMany: buf must hold fds.length slots and lens one entry per fd")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  for (size_t i = 0; i < n; i++) {
    if (fds[i] < 0) {
      lens[i] = -EBADF;
      continue;
    }
    ssize_t r = pread(fds[i], buf.Data() + i * slot, static_cast<size_t>(slot), 0);
    lens[i] = r < 0 ? -errno : static_cast<int32_t>(r);
  }
  return env.Undefined();
}

}  // namespace

Napi::Object InitProcRead(Napi::Env env, Napi::Object exports) {
  exports["preadMany"] = Napi::Function::New(env, PreadMany);
  return exports;
}

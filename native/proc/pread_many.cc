// preadMany(fds, buf, slot, lens): one pread at offset 0 of each open file into its own slot of
// buf, in one call from JS. `oslens top` re-reads every process's /proc/PID/stat and schedstat
// each second; one fs.readSync each costs several times what the kernel takes to build those
// few hundred bytes (argument checks, a binding call, an exception object when one fails).
#include <napi.h>

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

namespace {

// lens[i] = bytes read into buf[i*slot ..), or -errno (a /proc/PID file of a process that has
// exited reads as ESRCH or 0 bytes: the caller reopens or forgets it).
Napi::Value PreadMany(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto isInt32Array = [](const Napi::Value& v) {
    return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_int32_array;
  };
  if (info.Length() < 4 || !isInt32Array(info[0]) || !info[1].IsBuffer() || !info[2].IsNumber() ||
      !isInt32Array(info[3])) {
    Napi::TypeError::New(env, "preadMany(fds: Int32Array, buf: Buffer, slot: number, lens: Int32Array)")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Int32Array fds = info[0].As<Napi::Int32Array>();
  Napi::Buffer<uint8_t> buf = info[1].As<Napi::Buffer<uint8_t>>();
  Napi::Int32Array lens = info[3].As<Napi::Int32Array>();
  int64_t slot = info[2].As<Napi::Number>().Int64Value();
  size_t n = fds.ElementLength();
  // slot <= INT32_MAX: a byte count fits lens; n <= Length / slot: no overflow in slot * n.
  if (slot <= 0 || slot > INT32_MAX || lens.ElementLength() < n ||
      (n > 0 && n > buf.Length() / static_cast<uint64_t>(slot))) {
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

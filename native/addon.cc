// node-addon-api glue only: argument checks and AsyncWorker wrappers around the C engines.
// The timed loops run on a libuv worker thread, so the JS thread stays free (progress, Ctrl-C).
#include <napi.h>

#include <atomic>
#include <string>
#include <vector>

extern "C" {
#include "bench/bench.h"
}

#include "napi_args.h"

Napi::Object InitPtrace(Napi::Env env, Napi::Object exports);
Napi::Object InitProcRead(Napi::Env env, Napi::Object exports);
Napi::Object InitRingDrain(Napi::Env env, Napi::Object exports);

namespace {

volatile int g_bench_cancel = 0;

class BenchWorker : public Napi::AsyncWorker {
 public:
  BenchWorker(Napi::Env env, const bench_def* def, bench_params params, std::string tmpdir,
              std::string helper, int batches, double target_batch_ns)
      : Napi::AsyncWorker(env),
        deferred_(Napi::Promise::Deferred::New(env)),
        def_(def),
        params_(params),
        tmpdir_(std::move(tmpdir)),
        helper_(std::move(helper)),
        batches_(batches),
        target_batch_ns_(target_batch_ns) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    params_.tmpdir = tmpdir_.c_str();
    params_.helper_path = helper_.c_str();
    bench_run(def_, &params_, batches_, target_batch_ns_, &g_bench_cancel, &result_);
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object out = Napi::Object::New(env);
    Napi::Array ns = Napi::Array::New(env, result_.batches);
    Napi::Array aux = Napi::Array::New(env, result_.batches);
    for (int i = 0; i < result_.batches; i++) {
      ns[i] = result_.ns_per_op[i];
      aux[i] = result_.aux_per_op[i];
    }
    out["nsPerOp"] = ns;
    out["auxPerOp"] = aux;
    out["opsPerBatch"] = static_cast<double>(result_.ops_per_batch);
    out["pinnedCpu"] = result_.pinned_cpu;
    Napi::Array waited = Napi::Array::New(env, result_.batches);
    for (int i = 0; i < result_.batches; i++) waited[i] = result_.waited_ns[i];
    out["waitedNs"] = waited;
    out["skipped"] = result_.skipped[0] ? Napi::Value(Napi::String::New(env, result_.skipped))
                                        : env.Null();
    out["note"] = result_.note[0] ? Napi::Value(Napi::String::New(env, result_.note)) : env.Null();
    free(result_.ns_per_op);
    free(result_.aux_per_op);
    free(result_.waited_ns);
    deferred_.Resolve(out);
  }

 private:
  Napi::Promise::Deferred deferred_;
  const bench_def* def_;
  bench_params params_;
  std::string tmpdir_;
  std::string helper_;
  int batches_;
  double target_batch_ns_;
  bench_result result_{};
};

using napi_args::Kind;

// runBench's options: every field the harness sizes buffers or loops with, in its range.
const napi_args::Spec kBenchOptions[] = {
    {"heapBytes", Kind::Int, 1 << 20, 1ull << 40},
    {"l1Bytes", Kind::Int, 1 << 10, 1ull << 30},
    {"l2Bytes", Kind::Int, 1 << 10, 1ull << 34},
    {"llcBytes", Kind::Int, 1 << 10, 1ull << 36},
    {"cpu", Kind::Int, -1, 65535},
    {"quick", Kind::Int, 0, 1},
    {"tmpdir", Kind::String},
    {"helperPath", Kind::String},
    {"batches", Kind::Int, 1, 100000},
    // A batch of up to 10 s: Infinity or 1e300 would loop forever.
    {"targetBatchNs", Kind::Number, 1, 1e10},
};

double NumberOr(const Napi::Object& o, const char* key, double fallback) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : fallback;
}

// benchIds(): string[]
Napi::Value BenchIds(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  const char* const* ids = bench_all_ids();
  for (uint32_t i = 0; ids[i]; i++) out[i] = Napi::String::New(env, ids[i]);
  return out;
}

// runBench(id, options): Promise<RawBenchResult>
Napi::Value RunBench(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsObject()) {
    Napi::TypeError::New(env, "runBench(id: string, options: object)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string id = info[0].As<Napi::String>();
  const bench_def* def = bench_find(id.c_str());
  if (!def) {
    Napi::Error::New(env, "unknown benchmark: " + id).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Object o;  // a checked copy: a getter runs once, a throwing one is this call's exception
  if (!napi_args::Snapshot(env, info[1], kBenchOptions, "runBench", &o)) return env.Undefined();
  bench_params p{};
  p.heap_bytes = static_cast<uint64_t>(NumberOr(o, "heapBytes", 1 << 30));
  p.l1_bytes = static_cast<uint64_t>(NumberOr(o, "l1Bytes", 32 << 10));
  p.l2_bytes = static_cast<uint64_t>(NumberOr(o, "l2Bytes", 512 << 10));
  p.llc_bytes = static_cast<uint64_t>(NumberOr(o, "llcBytes", 32 << 20));
  p.cpu = static_cast<int>(NumberOr(o, "cpu", -1));
  p.quick = NumberOr(o, "quick", 0) != 0;
  Napi::Value dir = o.Get("tmpdir");
  std::string tmpdir = dir.IsString() ? dir.As<Napi::String>().Utf8Value() : "/var/tmp";
  Napi::Value helper = o.Get("helperPath");
  std::string helper_path = helper.IsString() ? helper.As<Napi::String>().Utf8Value() : "";
  int batches = static_cast<int>(NumberOr(o, "batches", 30));
  double target = NumberOr(o, "targetBatchNs", 2e6);
  g_bench_cancel = 0;
  auto* worker = new BenchWorker(env, def, p, tmpdir, helper_path, batches, target);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// cancelBench(): asks the running benchmark to stop after its current batch.
Napi::Value CancelBench(const Napi::CallbackInfo& info) {
  g_bench_cancel = 1;
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports["benchIds"] = Napi::Function::New(env, BenchIds);
  exports["runBench"] = Napi::Function::New(env, RunBench);
  exports["cancelBench"] = Napi::Function::New(env, CancelBench);
  InitPtrace(env, exports);
  InitProcRead(env, exports);
  InitRingDrain(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(oslens, Init)

// Argument checks at the addon boundary, shared by every binding. The C engines trust what they
// are given (lengths, counts, ranges), so nothing from JS reaches them unchecked: exact types,
// exact typed-array kinds and lengths, integers in range, finite numbers. A bad call throws a
// TypeError (wrong type) or a RangeError (wrong value) and the binding returns at once.
//
// An options object is read once, into a plain copy (Snapshot): a getter (or a Proxy trap) runs
// a single time, a throwing one becomes the call's exception, and what was checked is what the
// binding reads afterwards. With NAPI_DISABLE_CPP_EXCEPTIONS every failed N-API call leaves an
// exception pending and an empty value, which must not be used: each step checks for that.
#pragma once

#include <napi.h>

#include <cmath>
#include <cstdio>
#include <cstdint>
#include <string>

namespace napi_args {

enum class Kind {
  Bool,          // true/false
  Int,           // an integer number in [lo, hi]
  Number,        // a finite number in [lo, hi]
  String,        // a string
  Bytes,         // a string or a Buffer/Uint8Array (raw bytes: paths, argv)
  StringArray,   // an array of String (or of Bytes when `lo` is 1)
  IntArray,      // an array of Int in [lo, hi]
  Slots,         // an array of at most `len` elements, each null, a boolean or an Int in [lo, hi]
  Uint8Array,    // a Uint8Array (Buffer) of exactly `len` elements (0: any length)
  Int32Array,    // an Int32Array of exactly `len` elements (0: any length)
  Uint32Array,   // a Uint32Array of exactly `len` elements (0: any length)
  Function,
};

// Arrays longer than this are refused (a sparse [,,,] of length 2^32-1 would take forever).
constexpr uint32_t kMaxArray = 1u << 20;

struct Spec {
  const char* key;
  Kind kind;
  double lo = 0;
  double hi = 0;
  size_t len = 0;
};

inline const char* TypeName(const Napi::Value& v) {
  switch (v.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "a boolean";
    case napi_number: return "a number";
    case napi_string: return "a string";
    case napi_symbol: return "a symbol";
    case napi_object: return v.IsTypedArray() ? "a typed array" : v.IsArray() ? "an array" : "an object";
    case napi_function: return "a function";
    case napi_bigint: return "a bigint";
    default: return "an external";
  }
}

inline std::string Num(double d) {
  char b[32];
  snprintf(b, sizeof b, "%.17g", d);
  return b;
}

inline bool Fail(Napi::Env env, bool range, const std::string& what, const std::string& want,
                 const Napi::Value& got) {
  std::string msg = what + " must be " + want;
  if (!range) msg += " (got " + std::string(TypeName(got)) + ")";
  if (range && got.IsNumber()) {
    double d = got.As<Napi::Number>().DoubleValue();
    msg += " (got " + (std::isnan(d) ? std::string("NaN") : Num(d)) + ")";
  }
  if (range) Napi::RangeError::New(env, msg).ThrowAsJavaScriptException();
  else Napi::TypeError::New(env, msg).ThrowAsJavaScriptException();
  return false;
}

inline bool TypedArrayOf(Napi::Env env, const Napi::Value& v, napi_typedarray_type type, size_t len,
                         const std::string& what, const char* name) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type) {
    return Fail(env, false, what, std::string("a ") + name, v);
  }
  if (len != 0 && v.As<Napi::TypedArray>().ElementLength() != len) {
    Napi::RangeError::New(env, what + " must hold exactly " + std::to_string(len) + " elements (it holds " +
                                   std::to_string(v.As<Napi::TypedArray>().ElementLength()) + ")")
        .ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

// One value against its spec; `what` names it in the message ("runBench: options.batches").
inline bool Check(Napi::Env env, const Napi::Value& v, const Spec& s, const std::string& what) {
  switch (s.kind) {
    case Kind::Bool:
      return v.IsBoolean() || Fail(env, false, what, "a boolean", v);
    case Kind::Int:
    case Kind::Number: {
      if (!v.IsNumber()) return Fail(env, false, what, "a number", v);
      double d = v.As<Napi::Number>().DoubleValue();
      bool integer = s.kind == Kind::Int;
      if (!std::isfinite(d) || (integer && std::floor(d) != d) || d < s.lo || d > s.hi) {
        return Fail(env, true, what,
                    std::string(integer ? "an integer" : "a finite number") + " from " + Num(s.lo) + " to " + Num(s.hi), v);
      }
      return true;
    }
    case Kind::String:
    case Kind::Bytes: {
      // C strings end at NUL: "a\0b" would silently mean "a".
      if (v.IsString()) {
        if (v.As<Napi::String>().Utf8Value().find('\0') == std::string::npos) return true;
        Napi::RangeError::New(env, what + " must not contain a NUL character").ThrowAsJavaScriptException();
        return false;
      }
      if (s.kind == Kind::String) return Fail(env, false, what, "a string", v);
      if (!TypedArrayOf(env, v, napi_uint8_array, 0, what, "string or Buffer")) return false;
      Napi::Uint8Array b = v.As<Napi::Uint8Array>();
      for (size_t i = 0; i < b.ElementLength(); i++) {
        if (b[i] == 0) {
          Napi::RangeError::New(env, what + " must not contain a NUL byte").ThrowAsJavaScriptException();
          return false;
        }
      }
      return true;
    }
    case Kind::Slots: {
      if (!v.IsArray()) return Fail(env, false, what, "an array", v);
      Napi::Array a = v.As<Napi::Array>();
      if (a.Length() > s.len) return Fail(env, true, what, "an array of at most " + std::to_string(s.len) + " elements", v);
      Spec elem{s.key, Kind::Int, s.lo, s.hi, 0};
      for (uint32_t i = 0; i < a.Length(); i++) {
        Napi::Value e = a.Get(i);
        if (e.IsEmpty()) return false;
        if (e.IsNull() || e.IsUndefined() || e.IsBoolean()) continue;
        if (!Check(env, e, elem, what + "[" + std::to_string(i) + "]")) return false;
      }
      return true;
    }
    case Kind::StringArray:
    case Kind::IntArray: {
      if (!v.IsArray()) return Fail(env, false, what, "an array", v);
      Napi::Array a = v.As<Napi::Array>();
      if (a.Length() > kMaxArray) return Fail(env, true, what, "an array of at most " + std::to_string(kMaxArray) + " elements", v);
      Spec elem{s.key, Kind::Int, s.lo, s.hi, 0};
      if (s.kind == Kind::StringArray) elem.kind = s.lo == 1 ? Kind::Bytes : Kind::String;
      for (uint32_t i = 0; i < a.Length(); i++) {
        Napi::Value e = a.Get(i);
        if (e.IsEmpty()) return false;  // a throwing getter: its exception is pending
        if (!Check(env, e, elem, what + "[" + std::to_string(i) + "]")) return false;
      }
      return true;
    }
    case Kind::Uint8Array: return TypedArrayOf(env, v, napi_uint8_array, s.len, what, "Uint8Array");
    case Kind::Int32Array: return TypedArrayOf(env, v, napi_int32_array, s.len, what, "Int32Array");
    case Kind::Uint32Array: return TypedArrayOf(env, v, napi_uint32_array, s.len, what, "Uint32Array");
    case Kind::Function:
      return v.IsFunction() || Fail(env, false, what, "a function", v);
  }
  return false;
}

// A copy of the options object `v` holding each key of `specs` (N entries) read once and
// checked; a missing (undefined) key stays missing, as every key is optional here. Arrays are
// copied too (their elements read once). A key not in `specs` is a TypeError (an option the
// binding does not know would be ignored without a word). Returns false with an exception pending.
template <size_t N>
bool Snapshot(Napi::Env env, const Napi::Value& v, const Spec (&specs)[N], const char* fn, Napi::Object* out) {
  if (!v.IsObject() || v.IsArray() || v.IsFunction()) return Fail(env, false, std::string(fn) + ": options", "an object", v);
  Napi::Object o = v.As<Napi::Object>();
  Napi::Array keys = o.GetPropertyNames();
  if (keys.IsEmpty()) return false;
  for (uint32_t i = 0; i < keys.Length(); i++) {
    Napi::Value k = keys.Get(i);
    if (k.IsEmpty()) return false;
    std::string name = k.ToString().Utf8Value();
    bool known = false;
    for (const Spec& s : specs) known = known || name == s.key;
    if (!known) {
      Napi::TypeError::New(env, std::string(fn) + ": unknown option " + name).ThrowAsJavaScriptException();
      return false;
    }
  }
  Napi::Object copy = Napi::Object::New(env);
  for (const Spec& s : specs) {
    Napi::Value x = o.Get(s.key);
    if (x.IsEmpty()) return false;
    if (x.IsUndefined()) continue;
    if (s.kind == Kind::StringArray || s.kind == Kind::IntArray || s.kind == Kind::Slots) {
      if (!x.IsArray()) return Fail(env, false, std::string(fn) + ": options." + s.key, "an array", x);
      Napi::Array src = x.As<Napi::Array>();
      if (src.Length() > kMaxArray) return Check(env, x, s, std::string(fn) + ": options." + s.key);
      Napi::Array dst = Napi::Array::New(env, src.Length());
      for (uint32_t i = 0; i < src.Length(); i++) {
        Napi::Value e = src.Get(i);
        if (e.IsEmpty()) return false;
        dst.Set(i, e);
      }
      x = dst;
    }
    if (!Check(env, x, s, std::string(fn) + ": options." + s.key)) return false;
    copy.Set(s.key, x);
  }
  *out = copy;
  return true;
}

}  // namespace napi_args

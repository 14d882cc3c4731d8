{
  "targets": [
    {
      "target_name": "oslens",
      "sources": [
        "native/addon.cc",
        "native/bench/harness.c",
        "native/bench/cpu.c",
        "native/bench/syscall.c",
        "native/bench/sched.c",
        "native/bench/memory.c",
        "native/bench/io.c",
        "native/bench/net.c",
        "native/bench/tlb.c",
        "native/bench/fd.c",
        "native/bench/poll.c",
        "native/bench/ns.c",
        "native/bench/probe.c",
        "native/bench/shootdown.c",
        "native/ptrace/tracer.c",
        "native/ptrace/ptrace_addon.cc",
        "native/proc/pread_many.cc",
        "native/ebpf/ringdrain.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "_GNU_SOURCE"],
      "cflags": ["-Wall", "-Wextra", "-Werror", "-O2"],
      "cflags_c": ["-std=gnu11"],
      "cflags_cc": ["-std=c++17"],
      "libraries": ["-lpthread"]
    },
    {
      "target_name": "oslens-forkhelper",
      "type": "executable",
      "sources": ["native/bench/forkhelper.c"],
      "defines": ["_GNU_SOURCE"],
      "cflags": ["-Wall", "-Wextra", "-Werror", "-O2", "-std=gnu11"]
    },
    {
      "target_name": "oslens-demohelper",
      "type": "executable",
      "sources": ["native/demos/demohelper.c"],
      "defines": ["_GNU_SOURCE"],
      "cflags": ["-Wall", "-Wextra", "-Werror", "-O2", "-std=gnu11"],
      "libraries": ["-lpthread"]
    },
    {
      "target_name": "oslens-gate",
      "type": "executable",
      "sources": ["native/ebpf/gate.c"],
      "defines": ["_GNU_SOURCE"],
      "cflags": ["-Wall", "-Wextra", "-Werror", "-O2", "-std=gnu11"]
    },
    {
      "target_name": "oslens-runwait",
      "type": "executable",
      "sources": ["native/proc/runwait.c"],
      "defines": ["_GNU_SOURCE"],
      "cflags": ["-Wall", "-Wextra", "-Werror", "-O2", "-std=gnu11"]
    }
  ]
}

/**
 * The library functions `trace --lib` knows the arguments of: C prototypes with a few types of
 * our own, parsed once. A function not listed here is printed with six raw hex arguments (the
 * registers of the x86-64 calling convention: whether it takes them is not known).
 *
 * Types beyond C's: `str` a NUL-terminated string (read in kernel at the call), `fmt` a printf
 * format (the variadic arguments are decoded from it), `buf:N` bytes counted by argument N,
 * `buf:N*M` by N times M, `oflags` open(2) flags, `mode` a file mode, `char` one character.
 */

export type ArgKind =
  'str' | 'fmt' | 'buf' | 'ptr' | 'int' | 'long' | 'uint' | 'size' | 'char' | 'oflags' | 'mode' | 'void';

export interface LibArg {
  name: string;
  kind: ArgKind;
  /** buf: the argument(s) giving its length (a product when two). */
  lengthFrom?: number[];
}

export interface LibFunction {
  name: string;
  ret: ArgKind;
  args: LibArg[];
  /** `...`: printf-style (a fmt argument before it) or other variadic arguments. */
  variadic: boolean;
}

const PROTOTYPES = `
void *malloc(size_t size)
void *calloc(size_t nmemb, size_t size)
void *realloc(void *ptr, size_t size)
void *reallocarray(void *ptr, size_t nmemb, size_t size)
void free(void *ptr)
int posix_memalign(void **memptr, size_t alignment, size_t size)
void *aligned_alloc(size_t alignment, size_t size)
void *memalign(size_t alignment, size_t size)
void *valloc(size_t size)
size_t malloc_usable_size(void *ptr)
int printf(fmt format, ...)
int fprintf(FILE *stream, fmt format, ...)
int dprintf(int fd, fmt format, ...)
int sprintf(char *str, fmt format, ...)
int snprintf(char *str, size_t size, fmt format, ...)
int __printf_chk(int flag, fmt format, ...)
int __fprintf_chk(FILE *stream, int flag, fmt format, ...)
int __sprintf_chk(char *str, int flag, size_t strlen, fmt format, ...)
int __snprintf_chk(char *str, size_t maxlen, int flag, size_t strlen, fmt format, ...)
int vprintf(fmt format, void *ap)
int vfprintf(FILE *stream, fmt format, void *ap)
int puts(str s)
int fputs(str s, FILE *stream)
int putchar(char c)
int fputc(char c, FILE *stream)
int putc(char c, FILE *stream)
int getchar()
int fgetc(FILE *stream)
str fgets(char *s, int size, FILE *stream)
int scanf(str format, ...)
int sscanf(str s, str format, ...)
size_t strlen(str s)
size_t strnlen(str s, size_t maxlen)
str strcpy(char *dest, str src)
str strncpy(char *dest, str src, size_t n)
str strcat(char *dest, str src)
str strncat(char *dest, str src, size_t n)
int strcmp(str s1, str s2)
int strncmp(str s1, str s2, size_t n)
int strcasecmp(str s1, str s2)
str strdup(str s)
str strndup(str s, size_t n)
str strchr(str s, char c)
str strrchr(str s, char c)
str strstr(str haystack, str needle)
str strerror(int errnum)
void *memcpy(void *dest, buf:2 src, size_t n)
void *mempcpy(void *dest, buf:2 src, size_t n)
void *memmove(void *dest, buf:2 src, size_t n)
void *memset(void *s, char c, size_t n)
int memcmp(buf:2 s1, buf:2 s2, size_t n)
void *memchr(buf:2 s, char c, size_t n)
FILE *fopen(str pathname, str mode)
FILE *fdopen(int fd, str mode)
int fclose(FILE *stream)
size_t fread(void *ptr, size_t size, size_t nmemb, FILE *stream)
size_t fwrite(buf:1*2 ptr, size_t size, size_t nmemb, FILE *stream)
int fflush(FILE *stream)
int fseek(FILE *stream, long offset, int whence)
long ftell(FILE *stream)
int fileno(FILE *stream)
int setvbuf(FILE *stream, char *buf, int mode, size_t size)
int open(str pathname, oflags flags, mode mode)
int open64(str pathname, oflags flags, mode mode)
int openat(int dirfd, str pathname, oflags flags, mode mode)
int creat(str pathname, mode mode)
int close(int fd)
ssize_t read(int fd, void *buf, size_t count)
ssize_t write(int fd, buf:2 buf, size_t count)
ssize_t pread(int fd, void *buf, size_t count, long offset)
ssize_t pwrite(int fd, buf:2 buf, size_t count, long offset)
long lseek(int fd, long offset, int whence)
int unlink(str pathname)
int remove(str pathname)
int rename(str oldpath, str newpath)
int mkdir(str pathname, mode mode)
int rmdir(str pathname)
int chdir(str path)
int access(str pathname, int mode)
int stat(str pathname, void *statbuf)
int isatty(int fd)
str getenv(str name)
int setenv(str name, str value, int overwrite)
int atoi(str nptr)
long atol(str nptr)
long strtol(str nptr, char **endptr, int base)
unsigned long strtoul(str nptr, char **endptr, int base)
void exit(int status)
void _exit(int status)
void abort()
int atexit(void *function)
int system(str command)
int execv(str path, char **argv)
int execvp(str file, char **argv)
int execve(str pathname, char **argv, char **envp)
pid_t fork()
pid_t getpid()
pid_t waitpid(pid_t pid, int *wstatus, int options)
unsigned int sleep(unsigned int seconds)
int usleep(unsigned int usec)
int rand()
void srand(unsigned int seed)
long time(long *tloc)
void qsort(void *base, size_t nmemb, size_t size, void *compar)
void *mmap(void *addr, size_t length, int prot, int flags, int fd, long offset)
int munmap(void *addr, size_t length)
void *dlopen(str filename, int flags)
void *dlsym(void *handle, str symbol)
int dlclose(void *handle)
int pthread_create(void *thread, void *attr, void *start_routine, void *arg)
int pthread_join(unsigned long thread, void **retval)
int pthread_mutex_lock(void *mutex)
int pthread_mutex_unlock(void *mutex)
`;

/** C types to kinds (pointers are `ptr` unless the table says `str`/`buf`). */
function kindOf(type: string): ArgKind {
  const t = type.trim();
  if (t.endsWith('*')) return 'ptr';
  if (t === 'str' || t === 'fmt' || t === 'oflags' || t === 'mode' || t === 'char' || t === 'void') return t;
  if (t === 'size_t' || t === 'ssize_t') return t === 'size_t' ? 'size' : 'long';
  if (/^unsigned( int)?$/.test(t)) return 'uint';
  if (t === 'unsigned long') return 'size';
  if (t === 'long' || t === 'long long') return 'long';
  return 'int'; // int, pid_t
}

/** One prototype line → a LibFunction (exported for the property tests of the table). */
export function parsePrototype(line: string): LibFunction {
  const m = /^(.*?)\b(\w+)\((.*)\)$/.exec(line.trim());
  if (!m) throw new Error(`bad prototype: ${line}`);
  const [, retType, name, params] = m as unknown as [string, string, string, string];
  const args: LibArg[] = [];
  let variadic = false;
  for (const p of params.split(',').map((s) => s.trim())) {
    if (p === '') continue;
    if (p === '...') {
      variadic = true;
      continue;
    }
    const pm = /^(.*?)(\w+)$/.exec(p)!;
    const type = pm[1]!.trim();
    const buf = /^buf:(\d)(?:\*(\d))?$/.exec(type);
    if (buf) args.push({ name: pm[2]!, kind: 'buf', lengthFrom: buf.slice(1).filter(Boolean).map(Number) });
    else args.push({ name: pm[2]!, kind: kindOf(type) });
  }
  return { name, ret: kindOf(retType), args, variadic };
}

const TABLE = new Map<string, LibFunction>();
for (const line of PROTOTYPES.split('\n')) {
  if (line.trim() === '') continue;
  const f = parsePrototype(line);
  TABLE.set(f.name, f);
}

/** The prototype of a known function, or undefined (raw hex then). */
export function libFunction(name: string): LibFunction | undefined {
  return TABLE.get(name);
}

export function knownLibFunctions(): string[] {
  return [...TABLE.keys()];
}
